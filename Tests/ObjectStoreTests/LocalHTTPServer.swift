import Foundation
import NIOCore
import NIOHTTP1
import NIOPosix

/// A plain-HTTP/1.1 server on 127.0.0.1 that answers every request with a handler closure: a
/// stand-in for token endpoints, STS, metadata servers and other small credential services.
///
/// Use ``run(handler:_:)``: the server lives exactly as long as its body. Keep-alive is supported;
/// each connection's requests are answered in order.
struct LocalHTTPServer: Sendable {
    /// One request as the handler sees it.
    struct Request: Sendable {
        /// `GET`, `POST`, `PUT`, …
        var method: String
        /// The request target: the path with its query, still percent-encoded (`/token?x=1`).
        var uri: String
        var headers: HTTPHeaders
        var body: [UInt8]

        /// The path without the query.
        var path: Substring { uri.split(separator: "?", maxSplits: 1, omittingEmptySubsequences: false)[0] }
        /// The first value of a header (names are case-insensitive), or nil.
        func header(_ name: String) -> String? { headers.first(name: name) }
        /// The body decoded as UTF-8.
        var bodyText: String { String(decoding: body, as: UTF8.self) }
        /// An `application/x-www-form-urlencoded` body as a dictionary (the last value of a repeated field wins).
        var formFields: [String: String] {
            var fields: [String: String] = [:]
            for pair in bodyText.split(separator: "&") {
                let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
                func decode(_ s: Substring) -> String { s.replacing("+", with: " ").removingPercentEncoding ?? String(s) }
                fields[decode(parts[0])] = parts.count > 1 ? decode(parts[1]) : ""
            }
            return fields
        }
    }

    /// The handler's answer.
    struct Response: Sendable {
        var status: Int
        var headers: [(String, String)]
        var body: [UInt8]

        init(status: Int = 200, headers: [(String, String)] = [], body: [UInt8] = []) {
            self.status = status
            self.headers = headers
            self.body = body
        }

        /// A `text/plain` response.
        static func text(_ text: String, status: Int = 200) -> Response {
            Response(status: status, headers: [("Content-Type", "text/plain")], body: Array(text.utf8))
        }

        /// An `application/json` response with `json` as the body (already serialized).
        static func json(_ json: String, status: Int = 200) -> Response {
            Response(status: status, headers: [("Content-Type", "application/json")], body: Array(json.utf8))
        }
    }

    typealias Handler = @Sendable (Request) async -> Response

    /// The port the server listens on, on 127.0.0.1.
    let port: Int

    /// `http://127.0.0.1:PORT`.
    var baseURL: String { "http://127.0.0.1:\(port)" }
    /// `127.0.0.1:PORT`, for variables such as `GCE_METADATA_HOST` that take a host and port.
    var hostAndPort: String { "127.0.0.1:\(port)" }

    /// Starts a server on a free port, runs `body` with it, then closes the server and all its connections.
    static func run<T: Sendable>(
        handler: @escaping Handler,
        _ body: @Sendable (LocalHTTPServer) async throws -> T
    ) async throws -> T {
        let server = try await ServerBootstrap(group: .singletonMultiThreadedEventLoopGroup)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .bind(host: "127.0.0.1", port: 0) { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.configureHTTPServerPipeline()
                    return try NIOAsyncChannel<HTTPServerRequestPart, HTTPServerResponsePart>(wrappingChannelSynchronously: channel)
                }
            }
        guard let port = server.channel.localAddress?.port else {
            server.channel.close(promise: nil)
            throw ChannelError.unknownLocalAddress
        }
        return try await withThrowingTaskGroup(of: T?.self) { group in
            group.addTask {
                try await server.executeThenClose { connections in
                    try await withThrowingDiscardingTaskGroup { connectionGroup in
                        for try await connection in connections {
                            connectionGroup.addTask { try? await serve(connection, handler: handler) }
                        }
                    }
                }
                return nil
            }
            defer {
                server.channel.close(promise: nil)
                group.cancelAll()
            }
            return try await body(LocalHTTPServer(port: port))
        }
    }

    private static func serve(
        _ connection: NIOAsyncChannel<HTTPServerRequestPart, HTTPServerResponsePart>,
        handler: Handler
    ) async throws {
        try await connection.executeThenClose { inbound, outbound in
            var head: HTTPRequestHead?
            var body: [UInt8] = []
            for try await part in inbound {
                switch part {
                case .head(let h):
                    head = h
                    body = []
                case .body(let buffer):
                    body += buffer.readableBytesView
                case .end:
                    guard let h = head else { continue }
                    let response = await handler(Request(method: h.method.rawValue, uri: h.uri, headers: h.headers, body: body))
                    var headers = HTTPHeaders(response.headers)
                    headers.replaceOrAdd(name: "Content-Length", value: String(response.body.count))
                    if !h.isKeepAlive { headers.replaceOrAdd(name: "Connection", value: "close") }
                    let status = HTTPResponseStatus(statusCode: response.status)
                    try await outbound.write(.head(HTTPResponseHead(version: h.version, status: status, headers: headers)))
                    try await outbound.write(.body(.byteBuffer(ByteBuffer(bytes: response.body))))
                    try await outbound.write(.end(nil))
                    if !h.isKeepAlive { return }
                }
            }
        }
    }
}
