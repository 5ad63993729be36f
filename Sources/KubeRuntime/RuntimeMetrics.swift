import CoreMetrics
import KubeClient
import Prometheus

/// Every metric of `KubeRuntime`, defined in this one file with controller-runtime's names
/// (`pkg/internal/controller/metrics/metrics.go`, `workqueue` and `leaderelection` metrics).
///
/// Exported series:
/// - `controller_runtime_reconcile_total{controller,result}` — result is `success`, `error`,
///   `requeue` or `requeue_after`.
/// - `controller_runtime_reconcile_errors_total{controller}`.
/// - `controller_runtime_reconcile_time_seconds{controller}` — histogram, buckets 5 ms … 60 s.
/// - `controller_runtime_max_concurrent_reconciles{controller}`, `controller_runtime_active_workers{controller}`.
/// - `workqueue_depth{name,controller,cluster}`, `workqueue_adds_total{…}`, `workqueue_retries_total{…}`,
///   `workqueue_queue_duration_seconds{…}`, `workqueue_work_duration_seconds{…}` — histograms 10 ns … 10 s.
/// - `leader_election_master_status{name}` — 1 while this process leads.
/// - `leader_election_slowpath_total{name}` — lease writes that needed a full get-and-update.
/// - `tandem_cluster_reachable{cluster}` — 1 while the cluster's API server is reachable, 0 while
///   it is not (a failed list or watch, or a silent server: see `APIServerProbe`).
/// The client's `rest_client_*` series (`KubeClientMetrics`) come from `KubeClient`: pass it the
/// same factory (`KubeClient(configuration:httpClient:logger:metricsFactory:)`) and one registry
/// serves both at `/metrics`.
public struct RuntimeMetrics: Sendable {
    /// Where metrics are recorded.
    public let factory: any MetricsFactory

    /// Metrics recorded into `factory`. Defaults to the global `MetricsSystem.factory`.
    public init(factory: any MetricsFactory = MetricsSystem.factory) {
        self.factory = factory
    }

    /// Metrics recorded into a fresh Prometheus registry (no global bootstrap), with
    /// controller-runtime's histogram buckets and client-go's for the client's `rest_client_*`
    /// durations; give `factory` to the process's `KubeClient`s too, and render `factory.registry`
    /// at `/metrics` (`ProbeServer`).
    public static func prometheus(registry: PrometheusCollectorRegistry = PrometheusCollectorRegistry()) -> (metrics: RuntimeMetrics, factory: PrometheusMetricsFactory) {
        var factory = PrometheusMetricsFactory(registry: registry)
        factory.durationHistogramBuckets[Names.reconcileTime] = reconcileBuckets
        factory.durationHistogramBuckets[Names.queueDuration] = workQueueBuckets
        factory.durationHistogramBuckets[Names.workDuration] = workQueueBuckets
        factory.durationHistogramBuckets[KubeClientMetrics.Names.requestDuration] = KubeClientMetrics.durationBuckets
        factory.durationHistogramBuckets[KubeClientMetrics.Names.rateLimiterDuration] = KubeClientMetrics.durationBuckets
        return (RuntimeMetrics(factory: factory), factory)
    }

    /// The metric names.
    public enum Names {
        public static let reconcileTotal = "controller_runtime_reconcile_total"
        public static let reconcileErrors = "controller_runtime_reconcile_errors_total"
        public static let reconcileTime = "controller_runtime_reconcile_time_seconds"
        public static let maxConcurrentReconciles = "controller_runtime_max_concurrent_reconciles"
        public static let activeWorkers = "controller_runtime_active_workers"
        public static let depth = "workqueue_depth"
        public static let adds = "workqueue_adds_total"
        public static let retries = "workqueue_retries_total"
        public static let queueDuration = "workqueue_queue_duration_seconds"
        public static let workDuration = "workqueue_work_duration_seconds"
        public static let leaderStatus = "leader_election_master_status"
        public static let leaderSlowpath = "leader_election_slowpath_total"
        public static let clusterReachable = "tandem_cluster_reachable"
    }

    /// controller-runtime's reconcile-time buckets, 5 ms to 60 s.
    static let reconcileBuckets: [Duration] = [
        0.005, 0.01, 0.025, 0.05, 0.1, 0.15, 0.2, 0.25, 0.3, 0.35, 0.4, 0.45, 0.5, 0.6, 0.7, 0.8, 0.9, 1.0,
        1.25, 1.5, 1.75, 2.0, 2.5, 3.0, 3.5, 4.0, 4.5, 5, 6, 7, 8, 9, 10, 15, 20, 25, 30, 40, 50, 60,
    ].map { Duration.milliseconds(Int64(($0 * 1000).rounded())) }
    /// client-go's workqueue buckets: 10 ns ×10 up to 10 s.
    static let workQueueBuckets: [Duration] = (0..<10).map { Duration.nanoseconds(Int64(10 * pow10($0))) }

    private static func pow10(_ exponent: Int) -> Double {
        (0..<exponent).reduce(1.0) { value, _ in value * 10 }
    }

    func workQueue(controller: String, cluster: String) -> WorkQueueMetrics {
        let dimensions = [("name", controller), ("controller", controller), ("cluster", cluster)]
        return WorkQueueMetrics(
            depth: CoreMetrics.Gauge(label: Names.depth, dimensions: dimensions, factory: factory),
            adds: CoreMetrics.Counter(label: Names.adds, dimensions: dimensions, factory: factory),
            retries: CoreMetrics.Counter(label: Names.retries, dimensions: dimensions, factory: factory),
            queueDuration: CoreMetrics.Timer(label: Names.queueDuration, dimensions: dimensions, preferredDisplayUnit: .seconds, factory: factory),
            workDuration: CoreMetrics.Timer(label: Names.workDuration, dimensions: dimensions, preferredDisplayUnit: .seconds, factory: factory))
    }

    func controller(_ name: String) -> ControllerMetrics {
        let dimensions = [("controller", name)]
        let result = { (result: String) in CoreMetrics.Counter(label: Names.reconcileTotal, dimensions: dimensions + [("result", result)], factory: factory) }
        return ControllerMetrics(
            success: result("success"), error: result("error"), requeue: result("requeue"), requeueAfter: result("requeue_after"),
            errors: CoreMetrics.Counter(label: Names.reconcileErrors, dimensions: dimensions, factory: factory),
            time: CoreMetrics.Timer(label: Names.reconcileTime, dimensions: dimensions, preferredDisplayUnit: .seconds, factory: factory),
            maxConcurrent: CoreMetrics.Gauge(label: Names.maxConcurrentReconciles, dimensions: dimensions, factory: factory),
            activeWorkers: CoreMetrics.Gauge(label: Names.activeWorkers, dimensions: dimensions, factory: factory))
    }

    func clusterReachable(_ cluster: String) -> CoreMetrics.Gauge {
        CoreMetrics.Gauge(label: Names.clusterReachable, dimensions: [("cluster", cluster)], factory: factory)
    }

    func leaderElection(_ name: String) -> LeaderElectionMetrics {
        LeaderElectionMetrics(
            status: CoreMetrics.Gauge(label: Names.leaderStatus, dimensions: [("name", name)], factory: factory),
            slowpath: CoreMetrics.Counter(label: Names.leaderSlowpath, dimensions: [("name", name)], factory: factory))
    }
}

/// The handles of one work queue.
struct WorkQueueMetrics: Sendable {
    let depth: CoreMetrics.Gauge
    let adds: CoreMetrics.Counter
    let retries: CoreMetrics.Counter
    let queueDuration: CoreMetrics.Timer
    let workDuration: CoreMetrics.Timer
}

/// The handles of one controller.
struct ControllerMetrics: Sendable {
    let success: CoreMetrics.Counter
    let error: CoreMetrics.Counter
    let requeue: CoreMetrics.Counter
    let requeueAfter: CoreMetrics.Counter
    let errors: CoreMetrics.Counter
    let time: CoreMetrics.Timer
    let maxConcurrent: CoreMetrics.Gauge
    let activeWorkers: CoreMetrics.Gauge
}

/// The handles of one leader election.
struct LeaderElectionMetrics: Sendable {
    let status: CoreMetrics.Gauge
    let slowpath: CoreMetrics.Counter
}

extension Duration {
    var nanosecondsValue: Int64 {
        let (seconds, attoseconds) = components
        return seconds * 1_000_000_000 + attoseconds / 1_000_000_000
    }
}
