import Foundation
import KubeAPI
import NIOCore
import NIOHTTP1
import NIOPosix
import NIOSSL

/// One HTTP/1.1 request from the API server to a pod, as the proxy subresources make it: a fresh
/// connection (`Connection: close`), the response read whole, everything within a deadline.
///
/// # Guarantees
/// - Connects only to `destination` (an IP address, never a name to resolve).
/// - Every failure is a 503 ServiceUnavailable Status phrased as kube-apiserver's
///   (`error trying to reach service: dial tcp IP:PORT: connect: connection refused`).
/// - The connection is closed when the exchange ends, fails or runs out of time.
///
/// # Caveats
/// - The body is buffered (up to `maxResponseBytes`, default 64 MiB), so an endpoint that streams
///   without end never answers; upgrades (WebSocket, SPDY) are not supported.
/// - `https` does not verify the pod's certificate, as kube-apiserver does not for pods.
struct UpstreamHTTPExchange: Sendable {
    /// The response of the pod.
    struct Response: Sendable {
        var status: Int
        var headers: [(String, String)]
        var body: [UInt8]
    }

    var destination: ProxyDestination
    /// How long connecting, sending and reading may take together. Defaults to 30 s.
    var timeout: Duration = .seconds(30)
    /// The largest response body read. Defaults to 64 MiB.
    var maxResponseBytes = 64 * 1024 * 1024

    private enum Outcome: Sendable {
        case answered(Response)
        case failed(KubeStatus)
        case timedOut
    }

    /// Sends `head` (its `Host`, `Content-Length` and `Connection` are set here) and `body`.
    func send(_ head: HTTPRequestHead, body: [UInt8]) async throws(KubeStatus) -> Response {
        var head = head
        head.version = .http1_1
        head.headers.replaceOrAdd(name: "Host", value: destination.hostPort)
        head.headers.replaceOrAdd(name: "Connection", value: "close")
        head.headers.remove(name: "Content-Length")
        if !body.isEmpty || [.POST, .PUT, .PATCH].contains(head.method) {
            head.headers.add(name: "Content-Length", value: String(body.count))
        }
        let started = ContinuousClock.now
        let channel = try await connect()
        let remaining = timeout - (ContinuousClock.now - started)
        let limit = maxResponseBytes
        let requestHead = head
        let outcome = await withTaskGroup(of: Outcome.self) { group in
            group.addTask {
                do {
                    return .answered(try await Self.exchange(channel, head: requestHead, body: body, limit: limit))
                } catch let status as KubeStatus {
                    return .failed(status)
                } catch {
                    return .failed(self.failure("read: \(error)"))
                }
            }
            group.addTask {
                try? await Task.sleep(for: remaining)
                return .timedOut
            }
            let first = await group.next() ?? .timedOut
            // Ends an exchange still waiting for the pod; a no-op when it has finished.
            channel.channel.close(promise: nil)
            group.cancelAll()
            return first
        }
        switch outcome {
        case .answered(let response): return response
        case .failed(let status): throw status
        case .timedOut: throw failure("i/o timeout (no complete response within \(timeout))")
        }
    }

    private func connect() async throws(KubeStatus) -> NIOAsyncChannel<HTTPClientResponsePart, HTTPClientRequestPart> {
        let address: SocketAddress
        let tls: NIOSSLContext?
        do {
            address = try SocketAddress(ipAddress: destination.ip, port: destination.port)
            tls = destination.scheme == "https" ? try Self.podTLS.get() : nil
        } catch {
            throw failure("\(error)")
        }
        let connectSeconds = max(1, Int64(timeout.components.seconds))
        do {
            return try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
                .connectTimeout(.seconds(connectSeconds))
                .channelOption(.socketOption(.tcp_nodelay), value: 1)
                .connect(to: address) { channel in
                    channel.eventLoop.makeCompletedFuture {
                        if let tls {
                            try channel.pipeline.syncOperations.addHandler(NIOSSLClientHandler(context: tls, serverHostname: nil))
                        }
                        try channel.pipeline.syncOperations.addHTTPClientHandlers()
                        return try NIOAsyncChannel<HTTPClientResponsePart, HTTPClientRequestPart>(wrappingChannelSynchronously: channel)
                    }
                }
        } catch {
            throw failure(Self.dialReason(error))
        }
    }

    private static func exchange(
        _ channel: NIOAsyncChannel<HTTPClientResponsePart, HTTPClientRequestPart>, head: HTTPRequestHead, body: [UInt8], limit: Int
    ) async throws -> Response {
        try await channel.executeThenClose { inbound, outbound in
            try await outbound.write(.head(head))
            if !body.isEmpty { try await outbound.write(.body(.byteBuffer(ByteBuffer(bytes: body)))) }
            try await outbound.write(.end(nil))
            var response: Response?
            for try await part in inbound {
                switch part {
                case .head(let head):
                    response = Response(status: Int(head.status.code), headers: head.headers.map { ($0.name, $0.value) }, body: [])
                case .body(let buffer):
                    guard (response?.body.count ?? 0) + buffer.readableBytes <= limit else {
                        throw KubeStatus(code: 503, reason: "ServiceUnavailable",
                                         message: "error trying to reach service: the response body exceeds kube-emulator's proxy limit of \(limit) bytes")
                    }
                    response?.body.append(contentsOf: buffer.readableBytesView)
                case .end:
                    if let response { return response }
                }
            }
            throw KubeStatus(code: 503, reason: "ServiceUnavailable", message: "error trying to reach service: EOF (the pod closed the connection before its response ended)")
        }
    }

    private func failure(_ reason: String) -> KubeStatus { destination.unreachable(reason) }

    /// The end of Go's dial error for `error`.
    private static func dialReason(_ error: any Error) -> String {
        if let error = error as? IOError {
            switch error.errnoCode {
            case ECONNREFUSED: return "connect: connection refused"
            case EHOSTUNREACH: return "connect: no route to host"
            case ENETUNREACH: return "connect: network is unreachable"
            case ETIMEDOUT: return "i/o timeout"
            default: return "connect: \(String(cString: strerror(error.errnoCode)).lowercased())"
            }
        }
        if case ChannelError.connectTimeout = error { return "i/o timeout" }
        if let error = error as? NIOConnectionError, let first = error.connectionErrors.first?.error { return dialReason(first) }
        return "connect: \(error)"
    }

    /// TLS toward pods: encrypted, unverified (pods have no certificate the API server could check).
    private static let podTLS: Result<NIOSSLContext, any Error> = Result {
        var configuration = TLSConfiguration.makeClientConfiguration()
        configuration.certificateVerification = .none
        return try NIOSSLContext(configuration: configuration)
    }
}
