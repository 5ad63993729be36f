/// tandem-operator's defaults, in one place: the `run` flags, `OperatorOptions` and the reconciler
/// read them from here (the Helm chart's values leave them unset, so the flags' defaults apply).
public enum FraudModelOperatorDefaults {
    /// Reconciles at once per cluster: 4.
    public static let maxConcurrentReconciles = 4
    /// How long SIGTERM waits for in-flight reconciles: 30 s.
    public static let gracefulShutdownTimeout: Duration = .seconds(30)
    /// How long to wait for a member's first list before treating it as unreachable: 10 s.
    public static let settleTimeout: Duration = .seconds(10)
}
