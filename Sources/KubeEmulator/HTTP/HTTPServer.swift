import Logging
import NIOCore
import NIOHTTP1
import NIOPosix
import NIOSSL

/// A minimal HTTP/1.1 server on SwiftNIO's async channels: reads each request whole (up to a
/// limit), hands it to a responder, and writes a full or streamed response. Keep-alive and
/// chunked streaming as kube-apiserver does for watches.
struct HTTPServer: Sendable {
    /// A request read off the wire, before routing.
    struct RawRequest: Sendable {
        var head: HTTPRequestHead
        var body: [UInt8]
        /// True when the body exceeded the limit (and was drained, not kept).
        var bodyTooLarge: Bool
        var peer: ClientIdentity?
        /// The client's address (nil when the socket no longer knows it).
        var remoteAddress: SocketAddress?
    }

    typealias Responder = @Sendable (RawRequest) async -> EmulatorResponse

    let host: String
    let port: Int
    let tls: NIOSSLContext?
    let maxBodyBytes: Int
    let gate: ConnectionGate
    /// Reads the verified client-certificate identity of a TLS connection.
    let identify: @Sendable (any Channel) async -> ClientIdentity?
    let logger: Logger

    /// Binds the listening socket; `serve` then accepts connections until cancelled.
    func bind() async throws -> NIOAsyncChannel<NIOAsyncChannel<HTTPServerRequestPart, HTTPServerResponsePart>, Never> {
        let tls = self.tls
        return try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .serverChannelOption(.backlog, value: 256)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelOption(.socketOption(.tcp_nodelay), value: 1)
            .bind(host: host, port: port) { channel in
                channel.eventLoop.makeCompletedFuture {
                    if let tls {
                        try channel.pipeline.syncOperations.addHandler(NIOSSLServerHandler(context: tls))
                    }
                    try channel.pipeline.syncOperations.configureHTTPServerPipeline(withErrorHandling: true)
                    return try NIOAsyncChannel<HTTPServerRequestPart, HTTPServerResponsePart>(wrappingChannelSynchronously: channel)
                }
            }
    }

    /// Accepts and serves connections until the task is cancelled.
    func serve(
        _ listener: NIOAsyncChannel<NIOAsyncChannel<HTTPServerRequestPart, HTTPServerResponsePart>, Never>,
        responder: @escaping Responder
    ) async throws {
        try await withThrowingDiscardingTaskGroup { group in
            try await listener.executeThenClose { connections in
                for try await connection in connections {
                    group.addTask {
                        do {
                            try await handle(connection, responder: responder)
                        } catch {
                            logger.trace("connection ended", metadata: ["error": "\(error)"])
                        }
                    }
                }
            }
        }
    }

    private func handle(
        _ connection: NIOAsyncChannel<HTTPServerRequestPart, HTTPServerResponsePart>, responder: Responder
    ) async throws {
        let channel = connection.channel
        let remote = channel.remoteAddress
        // Read once the handshake is done, i.e. when the first request has arrived.
        var peer: ClientIdentity?
        var peerResolved = tls == nil
        try await connection.executeThenClose { inbound, outbound in
            var parts = inbound.makeAsyncIterator()
            while let part = try await parts.next() {
                guard case .head(let head) = part else { continue }
                switch gate.admission() {
                case .serve: break
                case _ where head.uri.hasPrefix("/_emulator/"): break
                case .refuse: return
                case .hang:
                    await gate.holdUntilLifted(channel)
                    return
                }
                var body: [UInt8] = []
                var tooLarge = false
                reading: while let next = try await parts.next() {
                    switch next {
                    case .body(var buffer):
                        if tooLarge || body.count + buffer.readableBytes > maxBodyBytes {
                            tooLarge = true
                            body = []
                        } else {
                            body.append(contentsOf: buffer.readBytes(length: buffer.readableBytes) ?? [])
                        }
                    case .end:
                        break reading
                    case .head:
                        return
                    }
                }
                if !peerResolved {
                    peer = await identify(channel)
                    peerResolved = true
                }
                let request = RawRequest(head: head, body: body, bodyTooLarge: tooLarge, peer: peer, remoteAddress: remote)
                let response = await responder(request)
                let keepAlive = head.isKeepAlive
                try await write(response, for: head, keepAlive: keepAlive, to: outbound, channel: channel)
                if !keepAlive { return }
            }
        }
    }

    private func write(
        _ response: EmulatorResponse, for request: HTTPRequestHead, keepAlive: Bool,
        to outbound: NIOAsyncChannelOutboundWriter<HTTPServerResponsePart>, channel: any Channel
    ) async throws {
        var headers = HTTPHeaders()
        headers.add(name: "Date", value: HTTPDate.now())
        headers.add(name: "Audit-Id", value: UUIDText.random())
        headers.add(name: "Cache-Control", value: "no-cache, private")
        if !keepAlive { headers.add(name: "Connection", value: "close") }
        switch response {
        case .body(let status, let contentType, let extra, let bytes):
            headers.add(name: "Content-Type", value: contentType)
            headers.add(name: "Content-Length", value: String(bytes.count))
            for (name, value) in extra { headers.add(name: name, value: value) }
            let head = HTTPResponseHead(version: request.version, status: HTTPResponseStatus(statusCode: status), headers: headers)
            let includeBody = request.method != .HEAD && !bytes.isEmpty
            try await outbound.write(contentsOf: includeBody
                ? [.head(head), .body(.byteBuffer(ByteBuffer(bytes: bytes))), .end(nil)]
                : [.head(head), .end(nil)])
        case .stream(let status, let contentType, let extra, let produce):
            headers.add(name: "Content-Type", value: contentType)
            headers.add(name: "Transfer-Encoding", value: "chunked")
            for (name, value) in extra { headers.add(name: name, value: value) }
            try await outbound.write(.head(HTTPResponseHead(version: request.version, status: HTTPResponseStatus(statusCode: status), headers: headers)))
            let finished = try await withThrowingTaskGroup(of: Bool.self) { group in
                group.addTask {
                    try await produce { chunk in
                        try await outbound.write(.body(.byteBuffer(ByteBuffer(bytes: chunk))))
                    }
                    return true
                }
                group.addTask {
                    // The client hanging up ends the stream.
                    await ChannelCloseWaiter.wait(for: channel)
                    return false
                }
                let first = try await group.next() ?? false
                group.cancelAll()
                return first
            }
            if finished { try await outbound.write(.end(nil)) } else { throw CancellationError() }
        }
    }
}
