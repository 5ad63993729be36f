/// A client-side token bucket (client-go's `flowcontrol.NewTokenBucketRateLimiter`).
public struct RateLimit: Sendable, Hashable {
    /// Requests per second sustained.
    public var qps: Double
    /// Requests allowed at once after an idle period.
    public var burst: Int

    /// A limit; client-go's defaults are 5 qps, burst 10.
    public init(qps: Double = 5, burst: Int = 10) {
        self.qps = qps
        self.burst = burst
    }
}

/// The bucket itself: `acquire()` waits until a token is available.
actor TokenBucket {
    let limit: RateLimit
    private var tokens: Double
    private var last: ContinuousClock.Instant

    init(_ limit: RateLimit) {
        self.limit = limit
        self.tokens = Double(limit.burst)
        self.last = .now
    }

    /// Takes a token, waiting as long as needed; returns how long it waited.
    func acquire() async throws -> Duration {
        let started = ContinuousClock.now
        refill()
        tokens -= 1
        if tokens < 0 {
            // The token is reserved now; the wait pays back the debt, so concurrent callers queue in order.
            let wait = -tokens / max(limit.qps, 0.000_001)
            try await Task.sleep(for: .nanoseconds(Int64(wait * 1_000_000_000)))
        }
        return ContinuousClock.now - started
    }

    private func refill() {
        let now = ContinuousClock.now
        tokens = min(Double(limit.burst), tokens + (now - last).secondsValue * limit.qps)
        last = now
    }
}
