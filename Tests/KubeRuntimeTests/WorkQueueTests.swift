import TandemTestSupport
import Testing
@testable import KubeRuntime

@Suite("Work queue")
struct WorkQueueTests {
    @Test("a key added several times while queued is handed out once")
    func deduplicates() async {
        let queue = WorkQueue<String>(clock: ManualClock())
        queue.add("a")
        queue.add("a")
        queue.add("b")
        queue.add("a")
        #expect(queue.depth == 2)
        #expect(await next(queue) == "a")
        #expect(await next(queue) == "b")
        #expect(queue.depth == 0)
    }

    @Test("a key being processed is not handed out again until done, then once")
    func neverConcurrent() async {
        let queue = WorkQueue<String>(clock: ManualClock())
        queue.add("a")
        let first = await next(queue)
        #expect(first == "a")
        queue.add("a")
        queue.add("a")
        #expect(queue.depth == 0, "a dirty key being processed is not queued")
        queue.done("a")
        #expect(queue.depth == 1)
        #expect(await next(queue) == "a")
        queue.done("a")
        #expect(queue.depth == 0)
    }

    @Test("failures back off 5 ms·2ⁿ, capped at 1000 s, and forget resets")
    func backoffTiming() async {
        let clock = ManualClock()
        let queue = WorkQueue<String>(clock: clock)
        let expected: [Duration] = [.milliseconds(5), .milliseconds(10), .milliseconds(20), .milliseconds(40)]
        for delay in expected {
            queue.addRateLimited("a")
            #expect(queue.dueTime("a") == clock.now + delay)
            clock.advance(by: delay)
            _ = queue.promoteDueForTesting()
            #expect(queue.depth == 1)
            #expect(await next(queue) == "a")
            queue.done("a")
        }
        #expect(queue.failures("a") == 4)
        #expect(queue.backoff(failures: 17) == .milliseconds(655_360))
        #expect(queue.backoff(failures: 18) == .seconds(1000))
        #expect(queue.backoff(failures: 500) == .seconds(1000))
        queue.forget("a")
        queue.addRateLimited("a")
        #expect(queue.dueTime("a") == clock.now + .milliseconds(5))
    }

    @Test("a delayed key is not handed out a moment before its time, and is at its time")
    func delayedKeyWaitsForClock() async throws {
        let clock = ManualClock()
        let queue = WorkQueue<String>(clock: clock)
        try await whileRunning({ await queue.run() }) {
            queue.add("a", after: .seconds(30))
            try await eventually("the timer sleeps") { clock.sleeperCount == 1 }
            clock.advance(by: .milliseconds(29_999))
            #expect(queue.promoteDueForTesting() == 0)
            #expect(queue.depth == 0)
            clock.advance(by: .milliseconds(1))
            #expect(await next(queue) == "a")
        }
        queue.shutDown()
    }

    @Test("an earlier requeue-after wins; an immediate add cancels the delay")
    func earliestDeadlineWins() {
        let clock = ManualClock()
        let queue = WorkQueue<String>(clock: clock)
        queue.add("a", after: .seconds(10))
        queue.add("a", after: .seconds(20))
        #expect(queue.dueTime("a") == .seconds(10))
        queue.add("a", after: .seconds(5))
        #expect(queue.dueTime("a") == .seconds(5))
        queue.add("a")
        #expect(queue.dueTime("a") == nil)
        #expect(queue.depth == 1)
    }

    @Test("shutdown stops intake at once and drain waits for in-flight keys")
    func shutdownDrains() async throws {
        let queue = WorkQueue<String>(clock: ManualClock())
        queue.add("a")
        queue.add("b")
        let inFlight = await next(queue)
        #expect(inFlight == "a")
        queue.shutDown()
        queue.add("c")
        #expect(await next(queue) == nil)
        let drained = Tally()
        try await whileRunning({
            await queue.drain()
            drained.add("done")
        }) {
            #expect(drained.count("done") == 0)
            queue.done("a")
            try await eventually("drain returns") { drained.count("done") == 1 }
        }
    }

    @Test("a waiting next() is cancelled cleanly")
    func cancelledNext() async {
        let queue = WorkQueue<String>(clock: ManualClock())
        let task = Task { await queue.next() }
        task.cancel()
        #expect(await task.value == nil)
        queue.add("a")
        #expect(await next(queue) == "a")
    }
}

/// The next key within `timeout` (nil if none came), so a broken queue fails instead of hanging.
func next<Key: Hashable & Sendable>(_ queue: WorkQueue<Key>, within timeout: Duration = .seconds(5)) async -> Key? {
    await withTaskGroup(of: Key?.self) { group in
        group.addTask { await queue.next() }
        group.addTask {
            try? await Task.sleep(for: timeout)
            return nil
        }
        let first = await group.next() ?? nil
        group.cancelAll()
        return first
    }
}

@Suite("Backoff and reflector state machine")
struct ReflectorStateTests {
    @Test("reflector backoff: 800 ms doubling to 30 s, then reset after 2 minutes without failures")
    func backoffSequence() {
        var backoff = ExponentialBackoff()
        var now = Duration.zero
        var delays: [Duration] = []
        for _ in 0..<8 {
            delays.append(backoff.nextDelay(now: now, random: 0))
            now += .seconds(1)
        }
        #expect(delays == [.milliseconds(800), .milliseconds(1600), .milliseconds(3200), .milliseconds(6400),
                           .milliseconds(12800), .milliseconds(25600), .seconds(30), .seconds(30)])
        #expect(backoff.nextDelay(now: now, random: 0.5) == .seconds(45), "jitter 1.0 adds up to the whole wait")
        now += .seconds(121)
        #expect(backoff.nextDelay(now: now, random: 0) == .milliseconds(800))
    }

    @Test("every transition of the reflector")
    func transitions() {
        var backoff = ExponentialBackoff(initial: .seconds(1), jitter: 0)
        let listing = ReflectorState.listing
        #expect(listing.handle(.listed(resourceVersion: "5"), backoff: &backoff, now: .zero) == .watching(resourceVersion: "5"))
        #expect(listing.handle(.listFailed, backoff: &backoff, now: .zero) == .backingOff(delay: .seconds(1), then: .listing))
        let watching = ReflectorState.watching(resourceVersion: "5")
        #expect(watching.handle(.progressed(resourceVersion: "9"), backoff: &backoff, now: .zero) == .watching(resourceVersion: "9"))
        #expect(watching.handle(.watchClosed, backoff: &backoff, now: .zero) == watching)
        #expect(watching.handle(.watchFailed, backoff: &backoff, now: .zero) == .backingOff(delay: .seconds(2), then: watching))
        #expect(watching.handle(.gone, backoff: &backoff, now: .zero) == .listing)
        #expect(ReflectorState.backingOff(delay: .seconds(1), then: watching).handle(.waited, backoff: &backoff, now: .zero) == watching)
        #expect(ReflectorState.backingOff(delay: .seconds(1), then: watching).resourceVersion == "5")
    }
}
