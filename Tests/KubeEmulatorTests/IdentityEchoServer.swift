import KubeEmulator
import NIOCore
import NIOPosix
import NIOSSL

/// What the test server saw on one connection.
enum IdentityEchoOutcome: Sendable, Equatable {
    /// The handshake completed; the client presented this identity (nil: no certificate).
    case identified(ClientIdentity?)
    /// The connection failed (a rejected handshake); the error's description.
    case failed(String)
}

/// A TLS server on 127.0.0.1 built from ``EmulatorPKI/makeServerTLSConfiguration(requestClientCertificates:)``.
/// It answers each connection's first message (or, with `http`, its first HTTP request) with the client
/// identity read through ``EmulatorPKI/clientIdentity(of:)-(any Channel)``, then closes the connection.
enum IdentityEchoServer {
    /// The reply for an identity: `user=NAME groups=A,B` or `anonymous`.
    static func reply(for identity: ClientIdentity?) -> String {
        guard let identity else { return "anonymous" }
        return "user=\(identity.user) groups=\(identity.groups.joined(separator: ","))"
    }

    /// Runs the server for the duration of `body`, which gets its port and the outcome of each connection.
    static func run<T: Sendable>(
        pki: EmulatorPKI,
        requestClientCertificates: Bool,
        http: Bool = false,
        _ body: @Sendable (_ port: Int, _ outcomes: AsyncStream<IdentityEchoOutcome>) async throws -> T
    ) async throws -> T {
        let sslContext = try NIOSSLContext(configuration: pki.makeServerTLSConfiguration(requestClientCertificates: requestClientCertificates))
        let server = try await ServerBootstrap(group: .singletonMultiThreadedEventLoopGroup)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .bind(host: "127.0.0.1", port: 0) { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(NIOSSLServerHandler(context: sslContext))
                    return try NIOAsyncChannel<ByteBuffer, ByteBuffer>(wrappingChannelSynchronously: channel)
                }
            }
        guard let port = server.channel.localAddress?.port else {
            server.channel.close(promise: nil)
            throw ChannelError.unknownLocalAddress
        }
        let (outcomes, recorder) = AsyncStream.makeStream(of: IdentityEchoOutcome.self)

        return try await withThrowingTaskGroup(of: T?.self) { group in
            group.addTask {
                try await server.executeThenClose { connections in
                    try await withThrowingDiscardingTaskGroup { connectionGroup in
                        for try await connection in connections {
                            connectionGroup.addTask {
                                recorder.yield(await answer(connection, pki: pki, http: http))
                            }
                        }
                    }
                }
                return nil
            }
            defer {
                server.channel.close(promise: nil)
                group.cancelAll()
            }
            return try await body(port, outcomes)
        }
    }

    private static func answer(
        _ connection: NIOAsyncChannel<ByteBuffer, ByteBuffer>,
        pki: EmulatorPKI,
        http: Bool
    ) async -> IdentityEchoOutcome {
        do {
            return try await connection.executeThenClose { inbound, outbound in
                var received = ""
                for try await buffer in inbound {
                    received += String(buffer: buffer)
                    if !http || received.contains("\r\n\r\n") { break }
                }
                let identity = try await pki.clientIdentity(of: connection.channel)
                let body = reply(for: identity)
                let response = http
                    ? "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: \(body.utf8.count)\r\nConnection: close\r\n\r\n\(body)"
                    : body
                try await outbound.write(ByteBuffer(string: response))
                return .identified(identity)
            }
        } catch {
            return .failed(String(describing: error))
        }
    }
}

/// A TLS client for ``IdentityEchoServer``.
enum IdentityEchoClient {
    /// A client configuration that trusts only `pki`'s CA and, if given, presents `credentials`.
    static func configuration(trusting pki: EmulatorPKI, presenting credentials: ClientCredentials? = nil) throws -> TLSConfiguration {
        var configuration = TLSConfiguration.makeClientConfiguration()
        configuration.trustRoots = .certificates([try NIOSSLCertificate(bytes: Array(pki.caCertificatePEM.utf8), format: .pem)])
        configuration.certificateVerification = .fullVerification
        if let credentials {
            configuration.certificateChain = [.certificate(try NIOSSLCertificate(bytes: Array(credentials.certificatePEM.utf8), format: .pem))]
            configuration.privateKey = .privateKey(try NIOSSLPrivateKey(bytes: Array(credentials.privateKeyPEM.utf8), format: .pem))
        }
        return configuration
    }

    /// Connects to 127.0.0.1:`port`, verifying the server as `serverHostname` (nil: by its IP address), sends a
    /// message and returns everything the server answered before closing.
    static func roundTrip(port: Int, serverHostname: String? = "localhost", configuration: TLSConfiguration) async throws -> String {
        let sslContext = try NIOSSLContext(configuration: configuration)
        let client = try await ClientBootstrap(group: .singletonMultiThreadedEventLoopGroup)
            .connect(host: "127.0.0.1", port: port) { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(
                        NIOSSLClientHandler(context: sslContext, serverHostname: serverHostname)
                    )
                    return try NIOAsyncChannel<ByteBuffer, ByteBuffer>(wrappingChannelSynchronously: channel)
                }
            }
        return try await client.executeThenClose { inbound, outbound in
            try await outbound.write(ByteBuffer(string: "who am i"))
            var response = ""
            for try await buffer in inbound {
                response += String(buffer: buffer)
            }
            return response
        }
    }
}
