import AsyncHTTPClient
import Foundation
import NIOCore

/// The HTTP exchange every credential provider makes, AWS's (STS, container endpoints, IMDS) and
/// Google's (token endpoints, STS, the metadata server): one request, its failure turned into an
/// ``ObjectStoreError`` (`.credentials`) that names the endpoint and the server's reason.
///
/// Each cloud reads its own error bodies and redacts its own secrets; see
/// ``AWSCredentialHTTP/serverReason(_:redacting:)`` and ``GoogleTokenExchange/serverReason(_:redacting:)``.
enum CredentialHTTP {
    /// Sends `request` and returns the body of a 2xx response.
    /// - Parameters:
    ///   - what: the source and endpoint, for messages ("EKS Pod Identity at http://…").
    ///   - timeout: the deadline of the whole exchange.
    ///   - maximumBytes: the largest body read; a longer one is a (retryable) failure.
    ///   - reason: the server's reason in an error body, with any secret already removed.
    /// - Throws: ``ObjectStoreError`` (`.credentials`): retryable for a network failure, 408, 429
    ///   and 5xx; not for other statuses.
    static func send(
        _ request: HTTPClientRequest, to what: String, timeout: TimeAmount, maximumBytes: Int, client: HTTPClient,
        reason: ([UInt8]) -> String
    ) async throws(ObjectStoreError) -> [UInt8] {
        let status: UInt
        let body: [UInt8]
        do {
            let response = try await client.execute(request, timeout: timeout)
            status = response.status.code
            body = Array(buffer: try await response.body.collect(upTo: maximumBytes))
        } catch {
            throw ObjectStoreError(.credentials, "\(what): request failed: \(error)", retryable: true)
        }
        guard (200..<300).contains(status) else {
            let reason = reason(body)
            throw ObjectStoreError(
                .credentials,
                "\(what) answered HTTP \(status)\(reason.isEmpty ? "" : ": \(reason)")",
                retryable: status >= 500 || status == 429 || status == 408
            )
        }
        return body
    }

    /// Runs `body` with a client of its own, on `shared`'s event loops, that follows no redirect
    /// and gives up connecting after `connectTimeout`: for link-local endpoints (IMDS, container
    /// endpoints, the metadata server), so that a machine without one fails fast and no token is
    /// sent elsewhere. The client is shut down before this returns.
    /// - Parameter readTimeout: nil keeps AsyncHTTPClient's default.
    static func withShortLivedClient<T: Sendable>(
        sharing shared: HTTPClient, connectTimeout: TimeAmount, readTimeout: TimeAmount? = nil,
        _ body: (HTTPClient) async throws(ObjectStoreError) -> T
    ) async throws(ObjectStoreError) -> T {
        var configuration = HTTPClient.Configuration()
        configuration.timeout = .init(connect: connectTimeout, read: readTimeout)
        configuration.redirectConfiguration = .disallow
        let client = HTTPClient(eventLoopGroup: shared.eventLoopGroup, configuration: configuration)
        let result: Result<T, ObjectStoreError>
        do {
            result = .success(try await body(client))
        } catch {
            result = .failure(error)
        }
        try? await client.shutdown()
        return try result.get()
    }

    /// A POST of `body` with the given content type and extra headers.
    static func post(_ url: String, contentType: String, body: String, headers: [(String, String)] = []) -> HTTPClientRequest {
        var request = HTTPClientRequest(url: url)
        request.method = .POST
        request.headers.add(name: "Content-Type", value: contentType)
        request.headers.add(contentsOf: headers)
        request.body = .bytes(ByteBuffer(string: body))
        return request
    }

    /// `application/x-www-form-urlencoded` encoding of `fields`, in order.
    static func formEncoded(_ fields: [(String, String)]) -> String {
        fields.map { "\($0.0.objectStoreEncoded(keepingSlashes: false))=\($0.1.objectStoreEncoded(keepingSlashes: false))" }
            .joined(separator: "&")
    }

    /// `text` with every non-empty one of `secrets` replaced by `<redacted>`. Redact before
    /// truncating, so that no part of a secret survives at the cut.
    static func redacting(_ secrets: [String], in text: String) -> String {
        var text = text
        for secret in secrets where !secret.isEmpty {
            text = text.replacingOccurrences(of: secret, with: "<redacted>")
        }
        return text
    }
}
