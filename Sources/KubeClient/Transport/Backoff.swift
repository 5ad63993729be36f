/// Exponential backoff with jitter: the one value the client's retries, watch resumption, the
/// informers and the work queue compute their waits with.
///
/// A pure value: the attempt number and the randomness come in as arguments, so every step is testable.
///
/// # Guarantees
/// - The wait is never negative and never longer than `Backoff.longest` (one day), whatever the
///   inputs: a factor that overflows, or a server's `Retry-After` of 1e10 s, cannot trap.
public struct Backoff: Sendable, Hashable {
    /// How randomness spreads the waits, so that many clients do not retry in step.
    public enum Jitter: Sendable, Hashable {
        /// No randomness.
        case none
        /// ±fraction of the wait (0.2: between 80% and 120%), as kube-rs and the AWS SDKs jitter.
        case symmetric(Double)
        /// Adds up to fraction·wait (1.0: up to twice the wait), as client-go's `wait.Jitter`.
        case additive(Double)
    }

    /// The first wait.
    public var initial: Duration
    /// The cap of the wait before jitter.
    public var maximum: Duration
    /// Growth per failure.
    public var factor: Double
    /// How the wait is spread.
    public var jitter: Jitter

    /// The longest wait any backoff returns: one day.
    public static let longest: Duration = .seconds(86_400)

    /// A backoff from its parts.
    public init(initial: Duration, maximum: Duration, factor: Double = 2, jitter: Jitter = .none) {
        self.initial = initial
        self.maximum = maximum
        self.factor = factor
        self.jitter = jitter
    }

    /// The wait after the `failures`-th consecutive failure (1 for the first):
    /// `initial·factor^(failures−1)`, capped at `maximum`, then jittered. `random` is in [0, 1).
    public func delay(afterFailures failures: Int, random: Double = Double.random(in: 0..<1)) -> Duration {
        var base = initial.secondsValue
        for _ in 1..<max(1, failures) {
            base *= factor
            if base >= maximum.secondsValue { break }
        }
        base = min(base, maximum.secondsValue)
        let jittered = switch jitter {
        case .none: base
        case .symmetric(let fraction): base * (1 + fraction * (2 * random - 1))
        case .additive(let fraction): base + base * fraction * random
        }
        return Self.duration(seconds: jittered)
    }

    /// Seconds as a `Duration`, clamped to [0, `longest`] and rounded to the nanosecond: how a
    /// wait that came from arithmetic or from the network becomes one that cannot trap.
    public static func duration(seconds: Double) -> Duration {
        guard seconds.isFinite, seconds > 0 else { return seconds == .infinity ? longest : .zero }
        let nanoseconds = (min(seconds, longest.secondsValue) * 1e9).rounded()
        return .nanoseconds(Int64(nanoseconds))
    }
}

extension Duration {
    /// The duration in seconds.
    public var secondsValue: Double {
        let (seconds, attoseconds) = components
        return Double(seconds) + Double(attoseconds) / 1e18
    }
}
