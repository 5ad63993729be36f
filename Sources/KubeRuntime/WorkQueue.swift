import KubeClient
import Synchronization

/// A queue of keys to reconcile, with client-go's workqueue guarantees and per-key backoff.
///
/// # Guarantees
/// - A key queued and not yet handed out is queued once, however often it is added.
/// - A key is never handed out while it is being processed: adding it meanwhile marks it dirty
///   and it is queued again when `done(_:)` is called.
/// - `addRateLimited(_:)` waits `baseDelay·2ⁿ` (n = failures so far, capped at `maxDelay`);
///   `forget(_:)` resets n after a success.
/// - `add(_:after:)` delays a key; a later, earlier deadline for the same key wins, and an
///   immediate `add` cancels the delay.
/// - After `shutDown()` nothing is accepted and `next()` returns nil; keys being processed
///   finish, and `drain()` returns once they have.
///
/// # Caveats
/// - Delayed keys are only promoted while `run()` is running.
/// - Keys still queued at shutdown are dropped (the next process lists them again).
public final class WorkQueue<Key: Hashable & Sendable>: Sendable {
    private struct Waiter {
        var id: UInt64
        var continuation: CheckedContinuation<Key?, Never>
    }

    private struct State {
        var queue: [Key] = []
        var head = 0
        var dirty: Set<Key> = []
        var processing: Set<Key> = []
        var delayed: [Key: Duration] = [:]
        var failures: [Key: Int] = [:]
        var enqueuedAt: [Key: Duration] = [:]
        var startedAt: [Key: Duration] = [:]
        var waiters: [Waiter] = []
        var cancelledWaiters: Set<UInt64> = []
        var nextWaiterID: UInt64 = 0
        var timer: CheckedContinuation<Void, Never>?
        var timerWakePending = false
        var timerDeadline: Duration?
        var shuttingDown = false
        var drainWaiters: [(id: UInt64, continuation: CheckedContinuation<Void, Never>)] = []

        var count: Int { queue.count - head }

        mutating func pop(now: Duration) -> Key? {
            guard head < queue.count else { return nil }
            let key = queue[head]
            head += 1
            if head > 1024, head * 2 > queue.count {
                queue.removeFirst(head)
                head = 0
            }
            processing.insert(key)
            dirty.remove(key)
            startedAt[key] = now
            return key
        }
    }

    /// A key handed to a waiting `next()`, resumed outside the lock.
    private typealias Handoff = (CheckedContinuation<Key?, Never>, Key)

    private let state = Mutex(State())
    private let clock: any RuntimeClock
    private let metrics: WorkQueueMetrics?
    /// The first retry delay. Defaults to 5 ms.
    public let baseDelay: Duration
    /// The longest retry delay. Defaults to 1000 s.
    public let maxDelay: Duration

    /// A queue timed by `clock`; delays default to `KubeRuntimeDefaults.queueBaseDelay` (5 ms) and
    /// `queueMaxDelay` (1000 s).
    public convenience init(clock: any RuntimeClock = SystemClock(), baseDelay: Duration = KubeRuntimeDefaults.queueBaseDelay,
                maxDelay: Duration = KubeRuntimeDefaults.queueMaxDelay) {
        self.init(clock: clock, baseDelay: baseDelay, maxDelay: maxDelay, metrics: nil)
    }

    init(clock: any RuntimeClock, baseDelay: Duration, maxDelay: Duration, metrics: WorkQueueMetrics?) {
        self.clock = clock
        self.baseDelay = baseDelay
        self.maxDelay = maxDelay
        self.metrics = metrics
    }

    // MARK: Adding

    /// Queues `key` now (deduplicated; deferred while it is processed).
    public func add(_ key: Key) {
        let now = clock.now
        let handoff = state.withLock { state in addLocked(key, now: now, state: &state) }
        if let (continuation, key) = handoff { continuation.resume(returning: key) }
    }

    /// Queues `key` once `delay` has passed (at once when `delay` ≤ 0).
    public func add(_ key: Key, after delay: Duration) {
        guard delay > .zero else { return add(key) }
        let due = clock.now + delay
        let timer: CheckedContinuation<Void, Never>? = state.withLock { state in
            guard !state.shuttingDown else { return nil }
            if let existing = state.delayed[key], existing <= due { return nil }
            state.delayed[key] = due
            guard state.timerDeadline.map({ due < $0 }) ?? true else { return nil }
            return takeTimer(&state)
        }
        timer?.resume()
    }

    /// Queues `key` after its backoff (`baseDelay·2ⁿ`, capped at `maxDelay`) and counts a failure.
    public func addRateLimited(_ key: Key) {
        let delay = state.withLock { state in
            let failures = state.failures[key, default: 0]
            state.failures[key] = failures + 1
            return backoff(failures: failures)
        }
        metrics?.retries.increment()
        add(key, after: delay)
    }

    /// The backoff after `failures` earlier failures: `baseDelay·2^failures`, capped at `maxDelay`.
    public func backoff(failures: Int) -> Duration {
        Backoff(initial: baseDelay, maximum: maxDelay, factor: 2).delay(afterFailures: failures + 1)
    }

    /// Resets `key`'s failure count (after a successful reconcile).
    public func forget(_ key: Key) {
        _ = state.withLock { $0.failures.removeValue(forKey: key) }
    }

    /// Failures of `key` since it was last forgotten.
    public func failures(_ key: Key) -> Int { state.withLock { $0.failures[key, default: 0] } }

    /// When a delayed `key` becomes due, if it is delayed.
    public func dueTime(_ key: Key) -> Duration? { state.withLock { $0.delayed[key] } }

    /// Keys queued and not handed out.
    public var depth: Int { state.withLock { $0.count } }

    /// Keys being processed.
    public var processingCount: Int { state.withLock { $0.processing.count } }

    // MARK: Processing

    /// The next key to process, waiting for one; nil once the queue is shut down or the task
    /// cancelled. Call `done(_:)` when finished with it.
    public func next() async -> Key? {
        let id = state.withLock { state in
            state.nextWaiterID += 1
            return state.nextWaiterID
        }
        return await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Key?, Never>) in
                let now = clock.now
                let immediate: Key?? = state.withLock { state in
                    if state.cancelledWaiters.remove(id) != nil || state.shuttingDown { return .some(nil) }
                    if let key = state.pop(now: now) {
                        recordStart(key, now: now, state: &state)
                        return .some(key)
                    }
                    state.waiters.append(Waiter(id: id, continuation: continuation))
                    return nil
                }
                if let immediate { continuation.resume(returning: immediate) }
            }
        } onCancel: {
            let waiter: CheckedContinuation<Key?, Never>? = state.withLock { state in
                if let index = state.waiters.firstIndex(where: { $0.id == id }) { return state.waiters.remove(at: index).continuation }
                state.cancelledWaiters.insert(id)
                return nil
            }
            waiter?.resume(returning: nil)
        }
    }

    /// Marks `key` processed; if it was added meanwhile it is queued again.
    public func done(_ key: Key) {
        let now = clock.now
        let (handoff, drained): (Handoff?, [CheckedContinuation<Void, Never>]) = state.withLock { state in
            state.processing.remove(key)
            if let started = state.startedAt.removeValue(forKey: key) {
                metrics?.workDuration.recordNanoseconds((now - started).nanosecondsValue)
            }
            var handoff: Handoff?
            if state.dirty.contains(key), !state.shuttingDown {
                state.queue.append(key)
                handoff = handOff(now: now, state: &state)
            }
            metrics?.depth.record(state.count)
            guard state.shuttingDown, state.processing.isEmpty else { return (handoff, []) }
            defer { state.drainWaiters = [] }
            return (handoff, state.drainWaiters.map(\.continuation))
        }
        if let (continuation, key) = handoff { continuation.resume(returning: key) }
        for waiter in drained { waiter.resume() }
    }

    // MARK: Lifecycle

    /// Promotes delayed keys when they become due, until the queue shuts down or the task is cancelled.
    public func run() async {
        while !Task.isCancelled {
            let now = clock.now
            let (handoffs, deadline, stop) = promoteDue(now: now)
            for (continuation, key) in handoffs { continuation.resume(returning: key) }
            if stop { return }
            await withTaskGroup(of: Void.self) { group in
                if let deadline {
                    group.addTask { [clock] in try? await clock.sleep(until: deadline) }
                }
                group.addTask { await self.waitForTimerWake() }
                await group.next()
                group.cancelAll()
            }
        }
    }

    /// Promotes the keys due now, as the timer does; returns how many (for tests with a manual clock).
    func promoteDueForTesting() -> Int {
        let before = state.withLock { $0.delayed.count }
        let (handoffs, _, _) = promoteDue(now: clock.now)
        for (continuation, key) in handoffs { continuation.resume(returning: key) }
        return before - state.withLock { $0.delayed.count }
    }

    /// Moves due keys into the queue; returns handoffs, the next deadline, and whether to stop.
    private func promoteDue(now: Duration) -> ([Handoff], Duration?, Bool) {
        state.withLock { state in
            if state.shuttingDown { return ([], nil, true) }
            var handoffs: [Handoff] = []
            for (key, due) in state.delayed where due <= now {
                state.delayed[key] = nil
                if let handoff = addLocked(key, now: now, state: &state, keepDelay: true) { handoffs.append(handoff) }
            }
            let deadline = state.delayed.values.min()
            state.timerDeadline = deadline
            return (handoffs, deadline, false)
        }
    }

    private func waitForTimerWake() async {
        await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                let resumeNow = state.withLock { state in
                    if state.timerWakePending || state.shuttingDown {
                        state.timerWakePending = false
                        return true
                    }
                    state.timer = continuation
                    return false
                }
                if resumeNow { continuation.resume() }
            }
        } onCancel: {
            let timer = state.withLock { state in takeTimer(&state) }
            timer?.resume()
        }
    }

    /// Stops intake: later adds are ignored, waiting and later `next()` calls return nil.
    /// Keys being processed may still call `done(_:)`.
    public func shutDown() {
        let (waiters, timer, drained): ([Waiter], CheckedContinuation<Void, Never>?, [CheckedContinuation<Void, Never>]) = state.withLock { state in
            state.shuttingDown = true
            defer { state.waiters = [] }
            let timer = takeTimer(&state)
            guard state.processing.isEmpty else { return (state.waiters, timer, []) }
            defer { state.drainWaiters = [] }
            return (state.waiters, timer, state.drainWaiters.map(\.continuation))
        }
        for waiter in waiters { waiter.continuation.resume(returning: nil) }
        timer?.resume()
        for waiter in drained { waiter.resume() }
    }

    /// Returns once the queue is shut down and no key is being processed, or the task is cancelled.
    public func drain() async {
        let id = state.withLock { state in
            state.nextWaiterID += 1
            return state.nextWaiterID
        }
        await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                let now = state.withLock { state in
                    if state.cancelledWaiters.remove(id) != nil || state.shuttingDown && state.processing.isEmpty { return true }
                    state.drainWaiters.append((id, continuation))
                    return false
                }
                if now { continuation.resume() }
            }
        } onCancel: {
            let waiter: CheckedContinuation<Void, Never>? = state.withLock { state in
                if let index = state.drainWaiters.firstIndex(where: { $0.id == id }) { return state.drainWaiters.remove(at: index).continuation }
                state.cancelledWaiters.insert(id)
                return nil
            }
            waiter?.resume()
        }
    }

    /// True after `shutDown()`.
    public var isShuttingDown: Bool { state.withLock { $0.shuttingDown } }

    // MARK: Locked helpers

    private func addLocked(_ key: Key, now: Duration, state: inout State, keepDelay: Bool = false) -> Handoff? {
        guard !state.shuttingDown else { return nil }
        if !keepDelay { state.delayed[key] = nil }
        guard !state.dirty.contains(key) else { return nil }
        metrics?.adds.increment()
        state.dirty.insert(key)
        state.enqueuedAt[key] = now
        guard !state.processing.contains(key) else { return nil }
        state.queue.append(key)
        let handoff = handOff(now: now, state: &state)
        metrics?.depth.record(state.count)
        return handoff
    }

    private func handOff(now: Duration, state: inout State) -> Handoff? {
        guard !state.waiters.isEmpty, let key = state.pop(now: now) else { return nil }
        recordStart(key, now: now, state: &state)
        return (state.waiters.removeFirst().continuation, key)
    }

    private func recordStart(_ key: Key, now: Duration, state: inout State) {
        if let queued = state.enqueuedAt.removeValue(forKey: key) {
            metrics?.queueDuration.recordNanoseconds((now - queued).nanosecondsValue)
        }
        metrics?.depth.record(state.count)
    }

    private func takeTimer(_ state: inout State) -> CheckedContinuation<Void, Never>? {
        guard let timer = state.timer else {
            state.timerWakePending = true
            return nil
        }
        state.timer = nil
        return timer
    }
}
