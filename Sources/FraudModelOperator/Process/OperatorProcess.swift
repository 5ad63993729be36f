import FraudModelAPI
import FraudModelPlanning
import KubeAPI
import KubeClient
import KubeRuntime
import Logging
import Prometheus
import ServiceLifecycle

/// A whole `tandem-operator`: one client and informer set per member cluster, the FraudModel
/// controller, event recorders, optional leader election, probes and metrics — as one
/// swift-service-lifecycle `Service`.
///
/// # Lifecycle
/// - `run()` returns after a graceful shutdown (SIGTERM through a `ServiceGroup`) once in-flight
///   reconciles finished and the lease was released; losing the lease exits the process (1).
/// - Every client is shut down when `run()` ends.
public final class OperatorProcess: ServiceLifecycle.Service {
    /// The controller runtime (clusters, controller, elector).
    public let runtime: ControllerRuntime
    /// The FraudModel controller.
    public let controller: Controller
    /// The Prometheus registry behind `/metrics`: controller, work queue, leader election and
    /// `rest_client_*` series.
    public let registry: PrometheusCollectorRegistry
    private let clients: [KubeClient]
    private let recorders: [EventRecorder]
    private let watcher: ReachabilityWatcher
    private let metricsServer: ProbeServer?
    private let logger: Logger

    /// Builds the process; throws when a member's client cannot be configured.
    public init(options: OperatorOptions, logger: Logger = Logger(label: "tandem.operator"),
                onListening: @escaping @Sendable (_ kind: String, _ port: Int) async -> Void = { _, _ in }) throws {
        let registry = PrometheusCollectorRegistry()
        let (metrics, factory) = RuntimeMetrics.prometheus(registry: registry)
        let configuration = options.configuration
        var clients: [KubeClient] = []
        var clusters: [Cluster] = []
        do {
            for member in configuration.clusters {
                let client = try KubeClient(configuration: configuration.clientConfiguration(for: member), logger: logger, metricsFactory: factory)
                clients.append(client)
                var informerOptions = InformerOptions()
                informerOptions.transform = ObjectTransforms.stripManagedFields
                clusters.append(Cluster(name: member.name, client: client, informerOptions: informerOptions, metrics: metrics, logger: logger))
            }
        } catch {
            for client in clients { Task { try? await client.shutdown() } }
            throw error
        }
        let clusterSet = ClusterSet(clusters)
        let identity = LeaderElectionOptions.defaultIdentity()
        var recorders: [String: EventRecorder] = [:]
        for cluster in clusters {
            recorders[cluster.name] = EventRecorder(
                client: cluster.client, reportingController: OperatorIdentity.reportingController, reportingInstance: identity, logger: logger)
        }
        let members = configuration.clusters.map {
            FleetMember(name: $0.name, provider: $0.provider.rawValue, region: $0.region, registry: $0.registry, mode: $0.mode, serving: $0.serving)
        }
        let (controller, _) = FraudModelController.make(
            members: members, clusters: clusterSet, namespace: options.namespace, recorders: recorders,
            options: ControllerOptions(maxConcurrentReconciles: options.maxConcurrentReconciles), metrics: metrics,
            externalDNS: options.externalDNS, settleTimeout: options.settleTimeout, logger: logger)
        let elector = options.leaderElectionNamespace.flatMap { namespace in
            OperatorIdentity.leaseCluster(of: configuration, clusters: clusterSet).map { cluster in
                LeaderElector(
                    client: cluster.client,
                    options: LeaderElectionOptions(namespace: namespace, leaseName: OperatorIdentity.leaseName(of: configuration), identity: identity),
                    metrics: metrics, logger: logger)
            }
        }
        let shared = options.metricsAddress.map { metrics in
            options.healthAddress.map { $0.host == metrics.host && $0.port == metrics.port && metrics.port != 0 } ?? false
        } ?? false
        let runtimeBox = RuntimeReference()
        let health = options.healthAddress.map { address in
            ProbeServer(host: address.host, port: address.port, registry: shared ? registry : nil, logger: logger,
                        isReady: { runtimeBox.runtime?.isReady ?? false },
                        liveness: { runtimeBox.runtime?.livenessChecks() ?? [LivenessCheck(name: "ping")] },
                        onListening: { await onListening("health", $0) })
        }
        metricsServer = shared ? nil : options.metricsAddress.map { address in
            ProbeServer(host: address.host, port: address.port, registry: registry, logger: logger,
                        isReady: { runtimeBox.runtime?.isReady ?? false }, onListening: { await onListening("metrics", $0) })
        }
        runtime = ControllerRuntime(
            clusters: clusterSet, controllers: [controller], elector: elector, probes: health,
            gracefulShutdownTimeout: options.gracefulShutdownTimeout, logger: logger)
        runtimeBox.runtime = runtime
        self.controller = controller
        self.registry = registry
        self.clients = clients
        self.recorders = Array(recorders.values)
        self.watcher = ReachabilityWatcher(clusters: clusterSet, controller: controller, namespace: options.namespace)
        self.logger = logger
    }

    public func run() async throws {
        defer { logger.info("operator stopped") }
        let outcome: Result<Void, any Error> = await withTaskGroup(of: Result<Void, any Error>?.self) { group in
            group.addTask {
                do {
                    try await self.runtime.run()
                    return .success(())
                } catch {
                    return .failure(error)
                }
            }
            group.addTask {
                await self.watcher.run()
                return nil
            }
            for recorder in recorders { group.addTask { await recorder.run(); return nil } }
            if let metricsServer {
                group.addTask {
                    do { try await metricsServer.run() } catch { self.logger.error("metrics server failed", metadata: ["error": "\(error)"]) }
                    return nil
                }
            }
            var outcome: Result<Void, any Error> = .success(())
            while let next = await group.next() {
                guard let next else { continue }
                outcome = next
                break
            }
            group.cancelAll()
            return outcome
        }
        for recorder in recorders { await recorder.flush() }
        for client in clients { try? await client.shutdown() }
        try outcome.get()
    }
}

/// Lets the probe closures reach the runtime built after them.
private final class RuntimeReference: @unchecked Sendable {
    // Written once in `OperatorProcess.init` before any probe can run, then only read.
    var runtime: ControllerRuntime?
}
