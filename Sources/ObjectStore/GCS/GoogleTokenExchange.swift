import AsyncHTTPClient
import Foundation
import JSONCore

/// Google's side of the credential providers' HTTP calls (``CredentialHTTP``): one request to a
/// token endpoint, the metadata server or a subject-token URL, with failures turned into
/// ``ObjectStoreError``s that name the endpoint and the server's reason but none of the secrets
/// that were sent; and reading the token responses.
enum GoogleTokenExchange {
    /// Sends `request` (``CredentialHTTP/send(_:to:timeout:maximumBytes:client:reason:)``) with a
    /// 30-second deadline (``GCSDefaults/tokenRequestTimeout``) and returns the body of a 2xx
    /// response, at most 1 MiB.
    /// - Parameters:
    ///   - what: the source and endpoint, for messages ("metadata server at http://…").
    ///   - secrets: strings sent in the request (assertions, subject tokens) that must not appear
    ///     in an error even if the server echoes them.
    ///   - client: the client to send with.
    static func send(
        _ request: HTTPClientRequest,
        to what: String,
        secrets: [String] = [],
        client: HTTPClient
    ) async throws(ObjectStoreError) -> [UInt8] {
        try await CredentialHTTP.send(
            request, to: what, timeout: GCSDefaults.tokenRequestTimeout, maximumBytes: GCSDefaults.maximumResponseBytes, client: client
        ) { serverReason($0, redacting: secrets) }
    }

    /// The OAuth 2.0 token in a token-endpoint response: `access_token` and `expires_in` (seconds).
    static func accessToken(from body: [UInt8], what: String, now: Date) throws(ObjectStoreError) -> GoogleAccessToken {
        let json = try GoogleJSON.parse(body, what: "the response of \(what)")
        guard let token = json["access_token"]?.stringValue, !token.isEmpty else {
            throw ObjectStoreError(.credentials, "\(what): the response has no \"access_token\"")
        }
        let lifetime = json["expires_in"]?.doubleValue ?? Double(GCSDefaults.tokenLifetime)
        return GoogleAccessToken(value: token, expiresAt: now.addingTimeInterval(lifetime))
    }

    /// Why a server refused, from its error body: OAuth's `error`/`error_description`, Google APIs'
    /// `error.message`, or else a text body; `secrets` replaced, at most 300 characters.
    static func serverReason(_ body: [UInt8], redacting secrets: [String] = []) -> String {
        let reason: String
        if let json = try? JSONValue(parsing: body), json.objectValue != nil {
            if let code = json["error"]?.stringValue {
                reason = [code, json["error_description"]?.stringValue].compactMap { $0 }.joined(separator: ": ")
            } else if let message = json["error"]?["message"]?.stringValue {
                reason = message
            } else {
                reason = ""
            }
        } else {
            reason = String(decoding: body, as: UTF8.self)
        }
        return String(CredentialHTTP.redacting(secrets, in: reason).prefix(300)).trimmingCharacters(in: .whitespacesAndNewlines)
    }
}

/// Reading the JSON documents of credential files and token responses.
enum GoogleJSON {
    /// Parses the JSON file at `path`; `what` names it in errors.
    static func read(file path: String, what: String) throws(ObjectStoreError) -> JSONValue {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw ObjectStoreError(.credentials, "\(what): cannot read the file")
        }
        return try parse(Array(data), what: what)
    }

    /// Parses `bytes`; `what` names the document in errors (which never quote it: it may hold a key).
    static func parse(_ bytes: [UInt8], what: String) throws(ObjectStoreError) -> JSONValue {
        do {
            return try JSONValue(parsing: bytes)
        } catch {
            throw ObjectStoreError(.credentials, "\(what): not valid JSON (\(error))")
        }
    }

    /// The non-empty string field `field` of `json`.
    static func string(_ json: JSONValue, _ field: String, in what: String) throws(ObjectStoreError) -> String {
        guard let value = json[field]?.stringValue, !value.isEmpty else {
            throw ObjectStoreError(.credentials, "\(what): missing the \"\(field)\" field")
        }
        return value
    }
}
