import NIOCore
import NIOPosix
import Synchronization

/// How long each part of a process may make no progress before `/healthz` calls it wedged.
///
/// The bounds catch what only a restart cures, never what a restart cannot: an unreachable
/// cluster keeps its informers retrying (each failure is progress), so it never fails liveness.
public struct LivenessOptions: Sendable {
    /// A NIO event loop or the Swift concurrency pool that ran no task for this long is stuck.
    /// Defaults to 30 s.
    public var schedulerStallBound: Duration
    /// An informer whose loop took no step (a list, a watch opened or failed, an event, a
    /// bookmark) for this long is stalled: longer than the longest watch (600 s), the client's
    /// idle margin and the longest backoff together. Defaults to 15 minutes.
    public var informerStallBound: Duration
    /// A reconcile still running after this long is hung: every request it makes has a timeout.
    /// Defaults to 10 minutes.
    public var reconcileStallBound: Duration
    /// How often the heartbeat visits the event loops and the concurrency pool. Defaults to 1 s.
    public var heartbeatInterval: Duration

    /// Options; defaults as documented on each property.
    public init(schedulerStallBound: Duration = KubeRuntimeDefaults.schedulerStallBound,
                informerStallBound: Duration = KubeRuntimeDefaults.informerStallBound,
                reconcileStallBound: Duration = KubeRuntimeDefaults.reconcileStallBound,
                heartbeatInterval: Duration = .seconds(1)) {
        self.schedulerStallBound = schedulerStallBound
        self.informerStallBound = informerStallBound
        self.reconcileStallBound = reconcileStallBound
        self.heartbeatInterval = heartbeatInterval
    }
}

/// One named liveness check's verdict, as `/healthz?verbose` lists it (`[+]name ok`, `[-]name failed: why`).
public struct LivenessCheck: Sendable, Equatable {
    /// The check's name.
    public var name: String
    /// Why it fails; nil when it passes.
    public var failure: String?

    /// A verdict.
    public init(name: String, failure: String? = nil) {
        self.name = name
        self.failure = failure
    }

    /// The verdicts as kube-apiserver's `/healthz?verbose` prints them, ending with the overall line.
    public static func report(_ checks: [LivenessCheck]) -> String {
        var lines = checks.map { check in check.failure.map { "[-]\(check.name) failed: \($0)" } ?? "[+]\(check.name) ok" }
        lines.append(checks.allSatisfy { $0.failure == nil } ? "healthz check passed" : "healthz check failed")
        return lines.joined(separator: "\n") + "\n"
    }
}

/// Proves every NIO event loop of the process (`MultiThreadedEventLoopGroup.singleton`, which
/// the API clients use) and the Swift concurrency pool still run tasks: each beat submits a
/// no-op to every loop and records when it ran.
public final class SchedulerHeartbeat: Sendable {
    private let clock: any RuntimeClock
    private let interval: Duration
    private let loops: [any EventLoop]
    private let beats: Mutex<(pool: Duration, loops: [Duration])>

    /// A heartbeat of `group`'s loops (default: the process's singleton group), measured on `clock`.
    public init(clock: any RuntimeClock = SystemClock(), interval: Duration = .seconds(1),
                group: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton) {
        self.clock = clock
        self.interval = interval
        var loops: [any EventLoop] = []
        for loop in group.makeIterator() { loops.append(loop) }
        self.loops = loops
        let start = clock.now
        beats = Mutex((start, loops.map { _ in start }))
    }

    /// Beats until cancelled.
    public func run() async {
        while !Task.isCancelled {
            beat()
            do { try await clock.sleep(for: interval) } catch { return }
        }
    }

    /// One beat: records that the pool ran this task and asks every loop to record that it ran
    /// one. `run()` calls it every interval.
    public func beat() {
        let now = clock.now
        beats.withLock { $0.pool = now }
        for (index, loop) in loops.enumerated() {
            loop.execute { [self] in
                let now = clock.now
                beats.withLock { $0.loops[index] = now }
            }
        }
    }

    /// The check: fails naming each loop (or the pool) that ran nothing for longer than `bound`.
    public func check(bound: Duration) -> LivenessCheck {
        let now = clock.now
        let (pool, loops) = beats.withLock { ($0.pool, $0.loops) }
        var stuck: [String] = []
        if now - pool > bound { stuck.append("the Swift concurrency pool ran no task for \(Self.seconds(now - pool))") }
        for (index, beat) in loops.enumerated() where now - beat > bound {
            stuck.append("event loop \(index) of \(loops.count) ran no task for \(Self.seconds(now - beat))")
        }
        return LivenessCheck(name: "scheduler", failure: stuck.isEmpty ? nil : stuck.joined(separator: "; "))
    }

    static func seconds(_ duration: Duration) -> String {
        "\(duration.components.seconds) s"
    }
}
