/// Monotonic time for the runtime's delays (work-queue backoff, requeue-after, resync, reflector
/// backoff), injectable so tests advance time instead of waiting.
public protocol RuntimeClock: Sendable {
    /// Time elapsed since the clock's origin.
    var now: Duration { get }
    /// Returns once `now >= deadline`; throws `CancellationError` when the task is cancelled first.
    func sleep(until deadline: Duration) async throws
}

extension RuntimeClock {
    /// Sleeps for `duration` from now.
    public func sleep(for duration: Duration) async throws {
        try await sleep(until: now + duration)
    }
}

/// The real monotonic clock (`ContinuousClock`), measured from the moment it is created.
public struct SystemClock: RuntimeClock {
    private let origin: ContinuousClock.Instant

    /// A clock whose origin is now.
    public init() { origin = .now }

    public var now: Duration { ContinuousClock.now - origin }

    public func sleep(until deadline: Duration) async throws {
        try await Task.sleep(until: origin + deadline, clock: .continuous)
    }
}
