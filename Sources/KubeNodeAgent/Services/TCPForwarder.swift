import Logging
import NIOCore
import NIOPosix

/// Listens on one address and port and pipes every accepted TCP connection to a backend taken
/// from a ``BackendRotation``.
///
/// # Guarantees
/// - Connects only to backends the ``PodAddressGuard`` accepts; never anywhere else.
/// - A connection with no (acceptable) backend is closed at once; one whose backend refuses or
///   does not answer within `connectTimeout` is closed then.
/// - Nothing either side sends before both connections are up is lost: neither reads until the
///   pipe is in place, except that NIO drains a client that has already ended its output; those
///   bytes (and the end of input) are held and passed on once the backend is connected.
/// - Closing the listener leaves connections already accepted to finish.
struct TCPForwarder: Sendable {
    /// The event loops listeners and connections run on.
    let group: any EventLoopGroup
    /// Where connections go.
    let rotation: BackendRotation
    /// Which backends may be connected to.
    let addressGuard: any PodAddressGuard
    /// Connection failures are logged here (debug: they are the client's and the pod's business).
    let logger: Logger
    /// How long a backend may take to accept. Defaults to 5 s.
    var connectTimeout: TimeAmount = .seconds(5)

    /// Starts listening; the returned channel is the listener (close it to stop).
    func listen(host: String, port: Int, frontend: BackendRotation.Frontend) async throws -> any Channel {
        let forwarder = self
        return try await ServerBootstrap(group: group)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .serverChannelOption(.backlog, value: 256)
            .childChannelOption(.socketOption(.tcp_nodelay), value: 1)
            .childChannelOption(.autoRead, value: false)
            .childChannelOption(.allowRemoteHalfClosure, value: true)
            .childChannelInitializer { child in
                child.eventLoop.makeCompletedFuture {
                    try child.pipeline.syncOperations.addHandler(BackendConnector(frontend: frontend, forwarder: forwarder))
                }
            }
            .bind(host: host, port: port)
            .get()
    }

    /// Opens the connection to `backend` on `eventLoop`, not reading yet.
    fileprivate func connect(to backend: LoadBalancerBackend, on eventLoop: any EventLoop) -> EventLoopFuture<any Channel> {
        ClientBootstrap(group: eventLoop)
            .connectTimeout(connectTimeout)
            .channelOption(.socketOption(.tcp_nodelay), value: 1)
            .channelOption(.autoRead, value: false)
            .channelOption(.allowRemoteHalfClosure, value: true)
            .connect(host: backend.ip, port: backend.port)
    }
}

/// The first handler of an accepted connection: picks a backend, connects to it on the same
/// event loop, then hands both channels to a ``ConnectionGlueHandler`` pair and steps aside.
private final class BackendConnector: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = ByteBuffer

    private let frontend: BackendRotation.Frontend
    private let forwarder: TCPForwarder
    /// What the client sent before the backend answered. Reads are off until then, but NIO reads
    /// a client that ended its output (half-close) to the end at once; the socket's receive
    /// buffer bounds how much that can be.
    private var held: [ByteBuffer] = []
    private var clientEndedInput = false

    init(frontend: BackendRotation.Frontend, forwarder: TCPForwarder) {
        self.frontend = frontend
        self.forwarder = forwarder
    }

    func channelActive(context: ChannelHandlerContext) {
        context.fireChannelActive()
        let candidates = forwarder.rotation.candidates(for: frontend)
        guard let backend = candidates.first(where: { forwarder.addressGuard.isLocalPodAddress($0.ip) }) else {
            if !candidates.isEmpty {
                forwarder.logger.warning("refusing to forward: no backend is on the pod network", metadata: [
                    "serviceUID": "\(frontend.serviceUID)", "backends": "\(candidates.map(\.description).joined(separator: ","))",
                ])
            }
            context.close(promise: nil)
            return
        }
        forwarder.connect(to: backend, on: context.eventLoop).assumeIsolated().whenComplete { result in
            switch result {
            case .success(let peer):
                self.glue(context: context, to: peer)
            case .failure(let error):
                self.forwarder.logger.debug("backend unreachable; closing the connection", metadata: [
                    "serviceUID": "\(self.frontend.serviceUID)", "backend": "\(backend)", "error": "\(error)",
                ])
                context.close(promise: nil)
            }
        }
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        held.append(unwrapInboundIn(data))
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if let event = event as? ChannelEvent, case .inputClosed = event {
            clientEndedInput = true
        }
        context.fireUserInboundEventTriggered(event)
    }

    private func glue(context: ChannelHandlerContext, to peer: any Channel) {
        guard context.channel.isActive else {
            peer.close(promise: nil)
            return
        }
        let (local, remote) = ConnectionGlueHandler.matchedPair()
        do {
            try context.pipeline.syncOperations.addHandler(local)
            try peer.pipeline.syncOperations.addHandler(remote)
        } catch {
            peer.close(promise: nil)
            context.close(promise: nil)
            return
        }
        for buffer in held { peer.write(buffer, promise: nil) }
        held = []
        peer.flush()
        if clientEndedInput { peer.close(mode: .output, promise: nil) }
        let channel = context.channel
        context.pipeline.syncOperations.removeHandler(context: context, promise: nil)
        for side in [channel, peer] {
            side.setOption(.autoRead, value: true).whenFailure { _ in
                channel.close(promise: nil)
                peer.close(promise: nil)
            }
        }
    }
}
