import AsyncHTTPClient
import Foundation
import Hummingbird
import NIOCore
import ObjectStore
import Logging
import ServiceLifecycle

/// Assembles and runs fraud-server: the HTTP application, the readiness gate, and
/// graceful shutdown on SIGTERM/SIGINT.
///
/// # Shutdown
/// On SIGTERM readiness turns false at once; the server keeps serving for
/// `SHUTDOWN_DELAY_SECONDS` (default 0) so load balancers stop routing here, then stops
/// accepting connections, lets in-flight requests finish, and returns (exit 0).
public enum FraudServer {
    /// Builds the Hummingbird application serving `state`.
    ///
    /// - Parameter onListening: called with the bound port once the server listens
    ///   (useful with port 0, which picks a free port).
    public static func makeApplication(
        state: ServingState, metrics: ServerMetrics, logger: Logger,
        onListening: @escaping @Sendable (Int) async -> Void = { _ in }
    ) -> some ApplicationProtocol {
        let configuration = state.configuration
        let routes = ServingRoutes(state: state, metrics: metrics)
        // validate() keeps the timeout in (0, 3600]; clamp anyway, as a configuration built in
        // code may skip it.
        let timeoutSeconds = configuration.requestBodyTimeoutSeconds
        let bodyTimeout = TimeAmount.nanoseconds(
            Int64((timeoutSeconds.isFinite ? min(max(timeoutSeconds, 0.001), 3600) : 30) * 1e9))
        return Application(
            router: routes.router(),
            server: .http1(
                configuration: .init(
                    additionalChannelHandlers: [
                        RequestBodyGuard(
                            bodyTimeout: bodyTimeout, drainLimit: configuration.drainLimitBytes,
                            onTimeout: { metrics.recordBodyTimeout() })
                    ],
                    idleTimeout: .seconds(75))),
            configuration: .init(
                address: .hostname(configuration.host, port: configuration.port), serverName: "fraud-server"),
            onServerRunning: { channel in
                let port = channel.localAddress?.port ?? configuration.port
                logger.info("listening", metadata: ["host": "\(configuration.host)", "port": "\(port)"])
                await onListening(port)
            },
            logger: logger
        )
    }

    /// The `METRICS_PORT` listener serving `/metrics` alone; nil without `METRICS_PORT`.
    ///
    /// - Parameter onListening: called with the bound port once it listens.
    public static func makeMetricsApplication(
        state: ServingState, metrics: ServerMetrics, logger: Logger,
        onListening: @escaping @Sendable (Int) async -> Void = { _ in }
    ) -> Application<RouterResponder<BasicRequestContext>>? {
        let configuration = state.configuration
        guard let metricsPort = configuration.metricsPort else { return nil }
        return Application(
            router: ServingRoutes(state: state, metrics: metrics).metricsRouter(),
            configuration: .init(address: .hostname(configuration.host, port: metricsPort), serverName: "fraud-server-metrics"),
            onServerRunning: { channel in
                let port = channel.localAddress?.port ?? metricsPort
                logger.info("metrics listening", metadata: ["host": "\(configuration.host)", "port": "\(port)"])
                await onListening(port)
            },
            logger: logger)
    }

    /// Loads the model and serves until SIGTERM/SIGINT, then drains and returns.
    ///
    /// - Throws: ``ModelLoadError`` when the model cannot be loaded (the server never
    ///   starts), or a server error when the port cannot be bound.
    public static func run(configuration: ServerConfiguration, logger: Logger, environment: [String: String] = [:]) async throws {
        let started = ContinuousClock.now
        let state: ServingState
        let metrics: ServerMetrics
        var services: [ServiceGroupConfiguration.ServiceConfiguration] = []
        var httpClient: HTTPClient?
        if let uri = configuration.modelURI {
            // Live at once, ready once the download is verified and compiled.
            state = ServingState(configuration: configuration)
            metrics = ServerMetrics(modelName: configuration.modelName, modelVersion: configuration.modelVersion)
            let policy = DownloadPolicy(maxBytes: configuration.modelMaxBytes)
            let client = HTTPClient(eventLoopGroupProvider: .singleton, configuration: policy.httpClientConfiguration)
            httpClient = client
            let stores = ObjectStores(environment: environment, httpClient: client)
            let downloader = ModelDownloader(
                httpClient: client, policy: policy, directory: configuration.modelCacheDirectory ?? NSTemporaryDirectory(),
                cacheDirectory: configuration.modelCacheDirectory, logger: logger, store: stores.client(for:))
            let loader = RemoteModelLoader(uri: uri, state: state, metrics: metrics, downloader: downloader, logger: logger, started: started)
            services.append(.init(service: loader, successTerminationBehavior: .ignore))
        } else {
            state = try ServingState.load(configuration: configuration, logger: logger)
            metrics = ServerMetrics(
                modelName: configuration.modelName, modelVersion: configuration.modelVersion, sha256: state.sha256,
                format: state.model?.format.platform ?? "unloaded")
        }
        let application = makeApplication(state: state, metrics: metrics, logger: logger)
        let gate = ReadinessGate(state: state, delay: .seconds(configuration.shutdownDelaySeconds), logger: logger)
        services.insert(.init(service: application), at: 0)
        if let metricsApplication = makeMetricsApplication(state: state, metrics: metrics, logger: logger) {
            services.append(.init(service: metricsApplication))
        }
        services.append(.init(service: gate))
        // Services shut down in reverse order: the gate (readiness off, delay) first,
        // then the metrics listener, then the HTTP server drains in-flight requests.
        let group = ServiceGroup(
            configuration: .init(
                services: services,
                gracefulShutdownSignals: [.sigterm, .sigint],
                logger: logger))
        do {
            try await group.run()
        } catch {
            try? await httpClient?.shutdown()
            throw error
        }
        try? await httpClient?.shutdown()
        logger.info("stopped")
    }
}

/// Turns readiness off the moment graceful shutdown starts, then waits `delay`
/// before letting the HTTP server stop.
struct ReadinessGate: Service {
    let state: ServingState
    let delay: Duration
    let logger: Logger

    func run() async throws {
        // Wait until shutdown is requested (or the task is cancelled).
        try? await gracefulShutdown()
        state.beginShutdown()
        logger.info("shutting down: readiness is now false", metadata: ["delay": "\(delay)"])
        if delay > .zero { try? await Task.sleep(for: delay) }
    }
}
