import Hummingbird
import Logging
import Prometheus
import ServiceLifecycle

/// Serves `/healthz`, `/readyz` and `/metrics` (Prometheus text) over HTTP/1.1.
///
/// `/healthz` answers 200 while every check `liveness` returns passes, 500 naming the failed
/// ones otherwise (kube-apiserver's format; `?verbose` lists every check either way);
/// `/readyz` answers 200 when `isReady` holds, 503 otherwise.
public struct ProbeServer: Service {
    /// The address to bind. Defaults to `0.0.0.0`.
    public var host: String
    /// The port; 0 picks a free one (see `onListening`). Defaults to 8081.
    public var port: Int
    private let isReady: @Sendable () -> Bool
    private let liveness: @Sendable () -> [LivenessCheck]
    private let registry: PrometheusCollectorRegistry?
    private let onListening: @Sendable (Int) async -> Void
    private let logger: Logger

    /// A server rendering `registry` at `/metrics` (404 when nil), asking `isReady` for `/readyz`
    /// and `liveness` for `/healthz` (default: the process answers, controller-runtime's `healthz.Ping`).
    public init(host: String = "0.0.0.0", port: Int = KubeRuntimeDefaults.probePort, registry: PrometheusCollectorRegistry?,
                logger: Logger = Logger(label: "tandem.kube-runtime"), isReady: @escaping @Sendable () -> Bool,
                liveness: @escaping @Sendable () -> [LivenessCheck] = { [LivenessCheck(name: "ping")] },
                onListening: @escaping @Sendable (Int) async -> Void = { _ in }) {
        self.host = host
        self.port = port
        self.registry = registry
        self.isReady = isReady
        self.liveness = liveness
        self.onListening = onListening
        self.logger = logger
    }

    /// Serves until graceful shutdown or cancellation.
    public func run() async throws {
        let router = Router()
        let isReady = self.isReady
        let registry = self.registry
        let logger = self.logger
        let liveness = self.liveness
        router.get("/healthz") { request, _ -> Response in
            let checks = liveness()
            let healthy = checks.allSatisfy { $0.failure == nil }
            let verbose = request.uri.queryParameters["verbose"] != nil
            let body = healthy && !verbose ? "ok" : LivenessCheck.report(checks)
            if !healthy { logger.error("liveness check failed", metadata: ["checks": "\(checks.filter { $0.failure != nil }.map(\.name))"]) }
            var headers = HTTPFields()
            headers[.contentType] = "text/plain; charset=utf-8"
            return Response(status: healthy ? .ok : .internalServerError, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(string: body)))
        }
        router.get("/readyz") { _, _ -> Response in
            let ready = isReady()
            return Response(status: ready ? .ok : .serviceUnavailable, body: ResponseBody(byteBuffer: ByteBuffer(string: ready ? "ok" : "not ready")))
        }
        router.get("/metrics") { _, _ -> Response in
            guard let registry else { return Response(status: .notFound) }
            var headers = HTTPFields()
            headers[.contentType] = "text/plain; version=0.0.4; charset=utf-8"
            return Response(status: .ok, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(bytes: registry.emitToBuffer())))
        }
        let onListening = self.onListening
        let host = self.host
        let application = Application(
            router: router,
            configuration: .init(address: .hostname(host, port: port), serverName: "tandem-probes"),
            onServerRunning: { channel in
                let port = channel.localAddress?.port ?? 0
                logger.info("probes listening", metadata: ["host": "\(host)", "port": "\(port)"])
                await onListening(port)
            },
            logger: logger)
        try await application.run()
    }
}
