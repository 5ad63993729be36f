/// Every default of `KubeRuntime`, in one place (controller-runtime's and client-go's values unless stated).
public enum KubeRuntimeDefaults {
    // MARK: Reflector

    /// The first wait after a failed list or watch: 800 ms (client-go's reflector).
    public static let reflectorInitialBackoff: Duration = .milliseconds(800)
    /// The longest wait between failed lists or watches: 30 s.
    public static let reflectorMaxBackoff: Duration = .seconds(30)
    /// Each wait is this many times the previous one: 2.
    public static let reflectorBackoffFactor: Double = 2
    /// Random extra wait, as a fraction of the wait (1.0: up to twice as long): 1.0 (client-go).
    public static let reflectorBackoffJitter: Double = 1
    /// The backoff starts again from its first step after this long without a failure: 2 minutes.
    public static let reflectorBackoffReset: Duration = .seconds(120)
    /// The server-side timeout of each watch is random in this range: 5 to 10 minutes (client-go).
    public static let watchTimeoutRange: ClosedRange<Int> = 300...600
    /// The list page size: 500.
    public static let listPageSize = 500

    // MARK: Work queue

    /// The wait before retrying a key after its first failure: 5 ms, doubled per failure.
    public static let queueBaseDelay: Duration = .milliseconds(5)
    /// The longest wait before retrying a failing key: 1000 s.
    public static let queueMaxDelay: Duration = .seconds(1000)

    // MARK: Controller

    /// Reconciles running at once per cluster: 1.
    public static let maxConcurrentReconciles = 1
    /// Every primary object is reconciled again this often: 10 hours.
    public static let resyncPeriod: Duration = .seconds(10 * 3600)
    /// How long a controller waits for a cluster's caches before reporting it: 2 minutes.
    public static let cacheSyncTimeout: Duration = .seconds(120)

    // MARK: Status writes

    /// Attempts of a status write that keeps hitting conflicts: 5 (client-go's `retry.DefaultRetry`).
    public static let conflictRetrySteps = 5
    /// The wait between conflicting attempts: 10 ms, with 10% jitter.
    public static let conflictRetryDelay: Duration = .milliseconds(10)

    // MARK: Events

    /// Repeats of an event within this window join its series: 6 minutes (kube-rs, client-go).
    public static let eventSeriesWindow: Duration = .seconds(360)
    /// A series is written to the API at most this often; counts in between accumulate: 30 s.
    public static let eventSeriesFlushInterval: Duration = .seconds(30)

    // MARK: Leader election

    /// How long a lease is valid after its last renewal: 15 s.
    public static let leaseDuration: Duration = .seconds(15)
    /// The leader gives up if it cannot renew within this long: 10 s.
    public static let renewDeadline: Duration = .seconds(10)
    /// How often candidates and the leader try to acquire or renew: 2 s.
    public static let retryPeriod: Duration = .seconds(2)

    // MARK: API server probe

    /// The wait between two probes of a cluster's API server: 5 s.
    public static let apiServerProbePeriod: Duration = .seconds(5)
    /// How long one probe may take: 5 s.
    public static let apiServerProbeTimeout: Duration = .seconds(5)
    /// Failed probes in a row that make a cluster unreachable: 2 (a silent server is reported
    /// within 2 × (5 s + 5 s) = 20 s).
    public static let apiServerProbeFailureThreshold = 2

    // MARK: Process

    /// How long shutdown waits for in-flight reconciles: 30 s.
    public static let gracefulShutdownTimeout: Duration = .seconds(30)
    /// Where probes and metrics are served: port 8081 (`/healthz`, `/readyz`, `/metrics`).
    public static let probePort = 8081

    // MARK: Liveness (`/healthz`)

    /// An event loop or the concurrency pool idle this long is stuck: 30 s.
    public static let schedulerStallBound: Duration = .seconds(30)
    /// An informer that took no step this long is stalled: 15 minutes (a watch lasts at most
    /// 600 s plus the client's idle margin, a backoff at most 30 s).
    public static let informerStallBound: Duration = .seconds(900)
    /// A reconcile running this long is hung: 10 minutes.
    public static let reconcileStallBound: Duration = .seconds(600)
}
