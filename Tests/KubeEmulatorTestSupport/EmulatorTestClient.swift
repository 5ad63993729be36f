import AsyncHTTPClient
import Foundation
import KubeAPI
import KubeEmulator
import NIOCore
import NIOHTTP1
import NIOSSL

/// A raw HTTP client for tests against a `KubeEmulator`: sends requests exactly as given and
/// returns status, headers and body, so tests can pin the server's wire behaviour.
public struct EmulatorTestClient: Sendable {
    /// One response.
    public struct Response: Sendable {
        public let status: Int
        public let headers: HTTPHeaders
        public let body: [UInt8]

        /// The body parsed as JSON (`.null` when it is not JSON).
        public var json: JSONValue { (try? JSONValue(parsing: body)) ?? .null }
        /// The body as text.
        public var text: String { String(decoding: body, as: UTF8.self) }
        /// The decoded Status, for failures.
        public var statusObject: KubeStatus? { KubeStatus(json: json) }
    }

    public let emulator: KubeEmulator
    public let http: HTTPClient
    /// The bearer token sent with every request; nil or empty: none.
    public let token: String?

    /// A client of `emulator`; `token` defaults to the emulator's `--token` (pass "" for none).
    public init(emulator: KubeEmulator, http: HTTPClient, token: String? = nil) {
        self.emulator = emulator
        self.http = http
        self.token = token ?? emulator.configuration.token
    }

    /// An HTTP client that trusts the emulator's CA (or plain, without TLS). Shut it down after use.
    public static func makeHTTPClient(for emulator: KubeEmulator, clientCertificate: ClientCredentials? = nil) throws -> HTTPClient {
        var tls = TLSConfiguration.makeClientConfiguration()
        if let pki = emulator.pki {
            tls.trustRoots = .certificates(try NIOSSLCertificate.fromPEMBytes(Array(pki.caCertificatePEM.utf8)))
        }
        if let clientCertificate {
            tls.certificateChain = try NIOSSLCertificate.fromPEMBytes(Array(clientCertificate.certificatePEM.utf8)).map { .certificate($0) }
            tls.privateKey = .privateKey(try NIOSSLPrivateKey(bytes: Array(clientCertificate.privateKeyPEM.utf8), format: .pem))
        }
        var configuration = HTTPClient.Configuration(tlsConfiguration: tls)
        configuration.timeout = .init(connect: .seconds(5), read: .seconds(30))
        return HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
    }

    /// Sends a request. `body` is serialized as JSON unless `rawBody` is given.
    public func send(
        _ method: HTTPMethod, _ path: String, json body: JSONValue? = nil, rawBody: [UInt8]? = nil,
        contentType: String? = "application/json", headers: [(String, String)] = [], authorization: String? = nil
    ) async throws -> Response {
        var request = HTTPClientRequest(url: emulator.url + path)
        request.method = method
        if let authorization {
            request.headers.add(name: "Authorization", value: authorization)
        } else if let token, !token.isEmpty {
            request.headers.add(name: "Authorization", value: "Bearer \(token)")
        }
        let bytes = rawBody ?? body?.serialized()
        if let bytes {
            if let contentType { request.headers.add(name: "Content-Type", value: contentType) }
            request.body = .bytes(ByteBuffer(bytes: bytes))
        }
        for (name, value) in headers { request.headers.add(name: name, value: value) }
        let response = try await http.execute(request, timeout: .seconds(30))
        let collected = try await response.body.collect(upTo: 64 * 1024 * 1024)
        return Response(status: Int(response.status.code), headers: response.headers, body: Array(collected.readableBytesView))
    }

    public func get(_ path: String, headers: [(String, String)] = []) async throws -> Response {
        try await send(.GET, path, headers: headers)
    }

    public func post(_ path: String, _ body: JSONValue, query: String = "") async throws -> Response {
        try await send(.POST, path + query, json: body)
    }

    public func put(_ path: String, _ body: JSONValue) async throws -> Response {
        try await send(.PUT, path, json: body)
    }

    public func patch(_ path: String, _ body: JSONValue, type: String = "application/merge-patch+json") async throws -> Response {
        try await send(.PATCH, path, json: body, contentType: type)
    }

    public func delete(_ path: String, _ body: JSONValue? = nil) async throws -> Response {
        try await send(.DELETE, path, json: body)
    }

    /// Opens a watch and returns its events as they arrive.
    public func watch(_ path: String, headers: [(String, String)] = []) async throws -> WatchReader {
        var request = HTTPClientRequest(url: emulator.url + path)
        if let token, !token.isEmpty { request.headers.add(name: "Authorization", value: "Bearer \(token)") }
        for (name, value) in headers { request.headers.add(name: name, value: value) }
        let response = try await http.execute(request, timeout: .seconds(600))
        return WatchReader(status: Int(response.status.code), body: response.body)
    }
}
