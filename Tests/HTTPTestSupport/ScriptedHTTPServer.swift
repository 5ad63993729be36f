import NIOCore
import NIOHTTP1
import NIOPosix
import Synchronization

/// An HTTP/1.1 server on 127.0.0.1 whose every answer is scripted, faults included: a pause
/// before the headers, a body trickled in chunks, a `Content-Length` the body never reaches
/// (the connection then closes: a cut download), a chunked body of any size.
///
/// Use ``run(_:body:)``: the server lives exactly as long as its body.
public final class ScriptedHTTPServer: Sendable {
    /// One request as the script sees it.
    public struct Request: Sendable {
        public var method: String
        /// The request target, path and query, still percent-encoded.
        public var uri: String
        public var headers: HTTPHeaders
        /// 1 for the first request this server received, 2 for the next, …
        public var number: Int
    }

    /// A scripted answer.
    public struct Reply: Sendable {
        public var status: Int
        public var headers: [(String, String)]
        public var body: [UInt8]
        /// The `Content-Length` sent: nil sends the body's length; a larger one cuts the
        /// download short (the connection closes after `body`); `chunked` sends none.
        public var declaredLength: Int?
        /// Send the body with chunked transfer encoding, without a length.
        public var chunked: Bool
        /// Silence before the status line.
        public var delayBeforeHeaders: Duration
        /// The body goes out in pieces of this many bytes…
        public var chunkSize: Int
        /// …with this pause between them.
        public var delayBetweenChunks: Duration

        public init(
            status: Int = 200, headers: [(String, String)] = [], body: [UInt8] = [], declaredLength: Int? = nil, chunked: Bool = false,
            delayBeforeHeaders: Duration = .zero, chunkSize: Int = 64 * 1024, delayBetweenChunks: Duration = .zero
        ) {
            self.status = status
            self.headers = headers
            self.body = body
            self.declaredLength = declaredLength
            self.chunked = chunked
            self.delayBeforeHeaders = delayBeforeHeaders
            self.chunkSize = chunkSize
            self.delayBetweenChunks = delayBetweenChunks
        }
    }

    public typealias Script = @Sendable (Request) async -> Reply

    /// The port it listens on, on 127.0.0.1.
    public let port: Int
    private let served = Atomic<Int>(0)

    /// `http://127.0.0.1:PORT`.
    public var baseURL: String { "http://127.0.0.1:\(port)" }
    /// Requests received so far.
    public var requestCount: Int { served.load(ordering: .relaxed) }

    private init(port: Int) { self.port = port }

    /// Starts a server on a free port, runs `body` with it, then closes it and every connection.
    public static func run<T: Sendable>(_ script: @escaping Script, body: @Sendable (ScriptedHTTPServer) async throws -> T) async throws -> T {
        let channel = try await ServerBootstrap(group: .singletonMultiThreadedEventLoopGroup)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .bind(host: "127.0.0.1", port: 0) { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.configureHTTPServerPipeline()
                    return try NIOAsyncChannel<HTTPServerRequestPart, HTTPServerResponsePart>(wrappingChannelSynchronously: channel)
                }
            }
        guard let port = channel.channel.localAddress?.port else {
            channel.channel.close(promise: nil)
            throw ChannelError.unknownLocalAddress
        }
        let server = ScriptedHTTPServer(port: port)
        return try await withThrowingTaskGroup(of: T?.self) { group in
            group.addTask {
                try await channel.executeThenClose { connections in
                    try await withThrowingDiscardingTaskGroup { connectionGroup in
                        for try await connection in connections {
                            connectionGroup.addTask { try? await server.serve(connection, script: script) }
                        }
                    }
                }
                return nil
            }
            defer {
                channel.channel.close(promise: nil)
                group.cancelAll()
            }
            return try await body(server)
        }
    }

    private func serve(_ connection: NIOAsyncChannel<HTTPServerRequestPart, HTTPServerResponsePart>, script: Script) async throws {
        try await connection.executeThenClose { inbound, outbound in
            for try await part in inbound {
                guard case .head(let head) = part else { continue }
                let number = served.add(1, ordering: .relaxed).newValue
                let reply = await script(Request(method: head.method.rawValue, uri: head.uri, headers: head.headers, number: number))
                if reply.delayBeforeHeaders > .zero { try await Task.sleep(for: reply.delayBeforeHeaders) }
                var headers = HTTPHeaders(reply.headers)
                if !reply.chunked { headers.replaceOrAdd(name: "Content-Length", value: String(reply.declaredLength ?? reply.body.count)) }
                try await outbound.write(.head(HTTPResponseHead(version: head.version, status: HTTPResponseStatus(statusCode: reply.status), headers: headers)))
                var offset = 0
                while offset < reply.body.count {
                    if offset > 0, reply.delayBetweenChunks > .zero { try await Task.sleep(for: reply.delayBetweenChunks) }
                    let end = min(offset + max(reply.chunkSize, 1), reply.body.count)
                    try await outbound.write(.body(.byteBuffer(ByteBuffer(bytes: reply.body[offset..<end]))))
                    offset = end
                }
                // A declared length the body does not reach: close mid-body, as a dropped connection would.
                if let declared = reply.declaredLength, declared > reply.body.count { return }
                try await outbound.write(.end(nil))
            }
        }
    }
}
