import KubeClient
/// `Backoff` with a memory: consecutive failures grow the wait, which starts over after a quiet period, as client-go's
/// `ExponentialBackoffManager` (reflector: 800 ms → 30 s, ×2, jitter 1.0, reset after 2 min).
///
/// A pure value: time comes in as `now`, randomness as `random`, so every step is testable.
public struct ExponentialBackoff: Sendable, Hashable {
    /// The first wait. Defaults to `KubeRuntimeDefaults.reflectorInitialBackoff` (800 ms).
    public var initial: Duration
    /// The cap of the wait before jitter. Defaults to 30 s.
    public var maximum: Duration
    /// Growth per failure. Defaults to 2.
    public var factor: Double
    /// The wait is `base + random·jitter·base`. Defaults to 1.0.
    public var jitter: Double
    /// A failure this long after the previous one starts again from `initial`. Defaults to 2 minutes.
    public var resetAfter: Duration

    private var failures = 0
    private var lastFailure: Duration?

    /// A backoff; defaults as documented on each property.
    public init(initial: Duration = KubeRuntimeDefaults.reflectorInitialBackoff, maximum: Duration = KubeRuntimeDefaults.reflectorMaxBackoff,
                factor: Double = KubeRuntimeDefaults.reflectorBackoffFactor, jitter: Double = KubeRuntimeDefaults.reflectorBackoffJitter,
                resetAfter: Duration = KubeRuntimeDefaults.reflectorBackoffReset) {
        self.initial = initial
        self.maximum = maximum
        self.factor = factor
        self.jitter = jitter
        self.resetAfter = resetAfter
    }

    /// Records a failure at `now` and returns how long to wait before the next attempt.
    /// `random` is in [0, 1).
    public mutating func nextDelay(now: Duration, random: Double = Double.random(in: 0..<1)) -> Duration {
        if let lastFailure, now - lastFailure >= resetAfter { failures = 0 }
        lastFailure = now
        failures += 1
        return Backoff(initial: initial, maximum: maximum, factor: factor, jitter: .additive(jitter)).delay(afterFailures: failures, random: random)
    }
}
