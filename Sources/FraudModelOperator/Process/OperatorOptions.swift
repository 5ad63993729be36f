import FraudModelAPI
import FraudModelPlanning

/// How a `tandem-operator` process runs: its members and its process-level settings.
public struct OperatorOptions: Sendable {
    /// The member clusters.
    public var configuration: OperatorConfiguration
    /// Watch only this namespace; nil watches all.
    public var namespace: String?
    /// Where `/metrics` is served (`host`, `port`); nil serves no metrics. Port 0 picks one.
    public var metricsAddress: (host: String, port: Int)?
    /// Where `/healthz` and `/readyz` are served; nil serves no probes. The same address as
    /// `metricsAddress` serves all three from one listener.
    public var healthAddress: (host: String, port: Int)?
    /// The namespace of the leader-election Lease; nil turns leader election off.
    public var leaderElectionNamespace: String?
    /// Reconciles at once per cluster. Defaults to 4.
    public var maxConcurrentReconciles: Int
    /// How long SIGTERM waits for in-flight reconciles. Defaults to 30 s.
    public var gracefulShutdownTimeout: Duration
    /// How long to wait for a member's first list before treating it as unreachable. Defaults to 10 s.
    public var settleTimeout: Duration
    /// The ExternalDNS annotation prefix on Services. Defaults to `external-dns.kubernetes.io/`
    /// (ExternalDNS ≥ 0.22); `ExternalDNSAnnotations.legacyPrefix` for older releases.
    public var externalDNS: ExternalDNSAnnotations

    /// Options; defaults as documented on each property.
    public init(configuration: OperatorConfiguration, namespace: String? = nil, metricsAddress: (host: String, port: Int)? = nil,
                healthAddress: (host: String, port: Int)? = nil, leaderElectionNamespace: String? = nil,
                maxConcurrentReconciles: Int = FraudModelOperatorDefaults.maxConcurrentReconciles,
                gracefulShutdownTimeout: Duration = FraudModelOperatorDefaults.gracefulShutdownTimeout,
                settleTimeout: Duration = FraudModelOperatorDefaults.settleTimeout,
                externalDNS: ExternalDNSAnnotations = ExternalDNSAnnotations()) {
        self.configuration = configuration
        self.namespace = namespace
        self.metricsAddress = metricsAddress
        self.healthAddress = healthAddress
        self.leaderElectionNamespace = leaderElectionNamespace
        self.maxConcurrentReconciles = maxConcurrentReconciles
        self.gracefulShutdownTimeout = gracefulShutdownTimeout
        self.settleTimeout = settleTimeout
        self.externalDNS = externalDNS
    }
}
