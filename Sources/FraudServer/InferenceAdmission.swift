import Synchronization

/// Bounds how many requests are in inference (decoding, scoring, encoding) at once.
///
/// A request beyond the bound is refused at once — fraud-server answers 503 with
/// `Retry-After` — rather than queued, so a burst cannot pile up bodies and decoded
/// batches in memory or latency without limit. Default bound:
/// ``ServerConfiguration/Defaults/maxInflightRequests``.
///
/// # Guarantees
/// - Lock-free: one atomic counter; safe from any thread.
/// - ``inFlight`` never exceeds ``limit`` between a successful ``tryEnter()`` and its
///   ``leave()``.
public final class InferenceAdmission: Sendable {
    /// The most requests in inference at once.
    public let limit: Int
    private let count = Atomic<Int>(0)

    /// An admission allowing `limit` requests at once.
    public init(limit: Int) {
        self.limit = limit
    }

    /// Requests in inference now.
    public var inFlight: Int { count.load(ordering: .relaxed) }

    /// Whether a request arriving now would be refused.
    public var isFull: Bool { inFlight >= limit }

    /// Takes a place, or returns `false` when all ``limit`` are taken. Balance every
    /// `true` with one ``leave()``.
    public func tryEnter() -> Bool {
        if count.wrappingAdd(1, ordering: .acquiring).newValue <= limit { return true }
        count.wrappingSubtract(1, ordering: .releasing)
        return false
    }

    /// Gives back a place taken by ``tryEnter()``.
    public func leave() {
        count.wrappingSubtract(1, ordering: .releasing)
    }
}
