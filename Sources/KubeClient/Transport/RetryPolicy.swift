/// When and how long to wait before retrying a failed request.
///
/// Retried: connection failures (all verbs when the connection was never made, idempotent verbs
/// otherwise), 5xx answers to idempotent verbs (get, list, watch, update, delete), and 429 for
/// every verb, waiting at least the server's `Retry-After`. Bounded by `maxAttempts` and `deadline`.
public struct RetryPolicy: Sendable, Hashable {
    /// Attempts in total, the first included. Defaults to 4 (kube-rs: 3 retries). 1 disables retries.
    public var maxAttempts: Int
    /// The wait before the first retry. Defaults to 500 ms (kube-rs).
    public var initialBackoff: Duration
    /// The longest wait between attempts (a longer `Retry-After` is honored up to `deadline`). Defaults to 5 s.
    public var maxBackoff: Duration
    /// Each wait is this many times the previous one. Defaults to 2.
    public var multiplier: Double
    /// The random fraction added to or taken from each wait (0.2: ±20%). Defaults to 0.2.
    public var jitter: Double
    /// No retry starts later than this after the first attempt. Defaults to 60 s.
    public var deadline: Duration

    /// A policy; defaults as documented on each property.
    public init(maxAttempts: Int = 4, initialBackoff: Duration = .milliseconds(500), maxBackoff: Duration = .seconds(5),
                multiplier: Double = 2, jitter: Double = 0.2, deadline: Duration = .seconds(60)) {
        self.maxAttempts = maxAttempts
        self.initialBackoff = initialBackoff
        self.maxBackoff = maxBackoff
        self.multiplier = multiplier
        self.jitter = jitter
        self.deadline = deadline
    }

    /// No retries.
    public static let none = RetryPolicy(maxAttempts: 1)

    /// The exponential part of the waits.
    public var backoff: Backoff {
        Backoff(initial: initialBackoff, maximum: maxBackoff, factor: multiplier, jitter: .symmetric(jitter))
    }

    /// The wait before retry number `retry` (1 for the first retry): exponential, capped, jittered,
    /// and never shorter than `retryAfter` (itself bounded by `Backoff.longest`). `random` is in [0, 1).
    public func delay(beforeRetry retry: Int, retryAfter: Duration? = nil, random: Double = Double.random(in: 0..<1)) -> Duration {
        max(backoff.delay(afterFailures: retry, random: random), min(retryAfter ?? .zero, Backoff.longest))
    }

    /// Whether a response with `code` to `verb` is retried.
    public static func isRetryable(code: Int, idempotent: Bool) -> Bool {
        if code == 429 { return true }
        if code >= 500, code != 501, code != 505 { return idempotent }
        return false
    }
}
