import AsyncHTTPClient
import Foundation
import JSONCore
import NIOCore

/// The HTTP calls of the AWS credential providers (STS, container endpoints, IMDS), with failures
/// turned into ``ObjectStoreError``s that name the endpoint and the server's reason but none of
/// the secrets that were sent or received.
enum AWSCredentialHTTP {
    /// Sends `request` (``CredentialHTTP/send(_:to:timeout:maximumBytes:client:reason:)``) and
    /// returns the body of a 2xx response, at most 1 MiB (``AWSDefaults/maximumResponseBytes``).
    /// - Parameters:
    ///   - what: the source and endpoint, for messages ("EKS Pod Identity at http://…").
    ///   - secrets: strings sent in the request (tokens) that must not appear in an error even if
    ///     the server echoes them.
    static func send(
        _ request: HTTPClientRequest, to what: String, timeout: TimeAmount, secrets: [String] = [], client: HTTPClient
    ) async throws(ObjectStoreError) -> [UInt8] {
        try await CredentialHTTP.send(
            request, to: what, timeout: timeout, maximumBytes: AWSDefaults.maximumResponseBytes, client: client
        ) { serverReason($0, redacting: secrets) }
    }

    /// Runs `body` with a client of its own whose connect timeout is 1 second
    /// (``AWSDefaults/linkLocalConnectTimeout``), whose read timeout is 5 seconds, and that follows
    /// no redirect: for IMDS and container endpoints, so that a machine without one fails fast and
    /// no token is sent elsewhere.
    static func withLinkLocalClient<T: Sendable>(
        _ context: AWSCredentialContext, _ body: (HTTPClient) async throws(ObjectStoreError) -> T
    ) async throws(ObjectStoreError) -> T {
        try await CredentialHTTP.withShortLivedClient(
            sharing: context.httpClient, connectTimeout: AWSDefaults.linkLocalConnectTimeout,
            readTimeout: AWSDefaults.linkLocalRequestTimeout, body)
    }

    /// The credentials of a container endpoint's or IMDS's JSON: `AccessKeyId`, `SecretAccessKey`,
    /// `Token` and `Expiration` (ISO 8601); an error when IMDS's `Code` is not `Success`.
    static func credentials(json body: [UInt8], from what: String) throws(ObjectStoreError) -> AWSCredentials {
        guard let json = try? JSONValue(parsing: body), json.objectValue != nil else {
            throw ObjectStoreError(.credentials, "\(what): the response is not a JSON object")
        }
        if let code = json["Code"]?.stringValue, code != "Success" {
            let message = json["Message"]?.stringValue.map { ": \($0)" } ?? ""
            throw ObjectStoreError(.credentials, "\(what): Code \(code)\(message)", retryable: true)
        }
        guard let accessKeyID = json["AccessKeyId"]?.stringValue, let secret = json["SecretAccessKey"]?.stringValue,
            !accessKeyID.isEmpty, !secret.isEmpty
        else {
            throw ObjectStoreError(.credentials, "\(what): the response has no \"AccessKeyId\" and \"SecretAccessKey\"")
        }
        return AWSCredentials(
            accessKeyID: accessKeyID, secretAccessKey: secret, sessionToken: json["Token"]?.stringValue,
            expiration: try expiration(json["Expiration"]?.stringValue, from: what))
    }

    /// An `Expiration` timestamp: nil when absent, an error when unreadable.
    static func expiration(_ text: String?, from what: String) throws(ObjectStoreError) -> Date? {
        guard let text else { return nil }
        guard let date = timestamp(text) else {
            throw ObjectStoreError(.credentials, "\(what): unreadable Expiration '\(text)' (expected ISO 8601)")
        }
        return date
    }

    /// An ISO 8601 timestamp with any number of fractional digits (`2026-12-07T21:42:56.728527Z`).
    static func timestamp(_ text: String) -> Date? {
        var whole = Substring(text)
        var fraction = 0.0
        if let dot = text.firstIndex(of: ".") {
            let end = text[dot...].dropFirst().firstIndex { !$0.isASCII || !$0.isNumber } ?? text.endIndex
            fraction = Double("0" + text[dot..<end]) ?? 0
            whole = text[..<dot] + text[end...]
        }
        return ISO8601DateFormatter().date(from: String(whole)).map { $0.addingTimeInterval(fraction) }
    }

    /// Why a server refused, from its error body: the XML `Code` and `Message` of STS and S3, the
    /// JSON `code`/`message` of container endpoints, or the first 200 characters of a text body;
    /// `secrets` replaced (in a text body, before it is cut).
    static func serverReason(_ body: [UInt8], redacting secrets: [String] = []) -> String {
        let text = String(decoding: body, as: UTF8.self)
        if let code = AWSXML.text("Code", in: text[...]) {
            let reason = [code, AWSXML.text("Message", in: text[...])].compactMap { $0 }.joined(separator: ": ")
            return CredentialHTTP.redacting(secrets, in: reason)
        } else if let json = try? JSONValue(parsing: body), json.objectValue != nil {
            let code = json["code"]?.stringValue ?? json["Code"]?.stringValue
            let message = json["message"]?.stringValue ?? json["Message"]?.stringValue
            return CredentialHTTP.redacting(secrets, in: [code, message].compactMap { $0 }.joined(separator: ": "))
        }
        return String(CredentialHTTP.redacting(secrets, in: text).prefix(200)).trimmingCharacters(in: .whitespacesAndNewlines)
    }
}
