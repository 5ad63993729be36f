import NIOCore
import NIOHTTP1
import NIOPosix
import Synchronization

/// An HTTP/1.1 server on 127.0.0.1 whose every answer is scripted, faults included: a pause
/// before the headers, a body trickled in chunks, a `Content-Length` the body never reaches
/// (the connection then closes: a cut download), a chunked body of any size. It also stands in
/// for small services (token endpoints, STS, metadata servers) that a script answers from the
/// request's path, headers and body (``Request/formFields``).
///
/// Use ``run(_:body:)``: the server lives exactly as long as its body. Keep-alive is supported;
/// each connection's requests are answered in order, once their body has arrived.
public final class ScriptedHTTPServer: Sendable {
    /// Answers one request.
    public typealias Script = @Sendable (Request) async -> Reply

    /// The port it listens on, on 127.0.0.1.
    public let port: Int
    private let served = Atomic<Int>(0)

    /// `http://127.0.0.1:PORT`.
    public var baseURL: String { "http://127.0.0.1:\(port)" }
    /// `127.0.0.1:PORT`, for variables such as `GCE_METADATA_HOST` that take a host and port.
    public var hostAndPort: String { "127.0.0.1:\(port)" }
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
            var head: HTTPRequestHead?
            var body: [UInt8] = []
            for try await part in inbound {
                switch part {
                case .head(let received):
                    (head, body) = (received, [])
                case .body(let buffer):
                    body += buffer.readableBytesView
                case .end:
                    guard let head else { continue }
                    let number = served.add(1, ordering: .relaxed).newValue
                    let reply = await script(Request(method: head.method.rawValue, uri: head.uri, headers: head.headers, body: body, number: number))
                    guard try await send(reply, to: head, on: outbound), head.isKeepAlive else { return }
                }
            }
        }
    }

    /// Writes `reply`; false when it closes the connection mid-body.
    private func send(_ reply: Reply, to head: HTTPRequestHead, on outbound: NIOAsyncChannelOutboundWriter<HTTPServerResponsePart>) async throws -> Bool {
        if reply.delayBeforeHeaders > .zero { try await Task.sleep(for: reply.delayBeforeHeaders) }
        var headers = HTTPHeaders(reply.headers)
        if !reply.chunked { headers.replaceOrAdd(name: "Content-Length", value: String(reply.declaredLength ?? reply.body.count)) }
        if !head.isKeepAlive { headers.replaceOrAdd(name: "Connection", value: "close") }
        try await outbound.write(.head(HTTPResponseHead(version: head.version, status: HTTPResponseStatus(statusCode: reply.status), headers: headers)))
        var offset = 0
        while offset < reply.body.count {
            if offset > 0, reply.delayBetweenChunks > .zero { try await Task.sleep(for: reply.delayBetweenChunks) }
            let end = min(offset + max(reply.chunkSize, 1), reply.body.count)
            try await outbound.write(.body(.byteBuffer(ByteBuffer(bytes: reply.body[offset..<end]))))
            offset = end
        }
        // A declared length the body does not reach: close mid-body, as a dropped connection would.
        if let declared = reply.declaredLength, declared > reply.body.count { return false }
        try await outbound.write(.end(nil))
        return true
    }
}
