import Foundation
import Logging
import Prometheus
import ServiceLifecycle
import Synchronization

/// Runs a process's clusters, controllers, leader election and probes as one
/// swift-service-lifecycle `Service`.
///
/// # Lifecycle
/// - Informers start at once (caches warm up while waiting for leadership); controllers start
///   when this process leads (at once when `elector` is nil, e.g. for local runs).
/// - Graceful shutdown (SIGTERM through a `ServiceGroup`) stops intake, lets in-flight
///   reconciles finish for up to `gracefulShutdownTimeout` (default 30 s), releases the lease
///   and returns normally (exit 0).
/// - Losing the lease cancels every reconcile at once, calls `exit(1)` (the injectable hook;
///   the default ends the process) and, if the hook returns, throws `KubeRuntimeError.leadershipLost`.
public final class ControllerRuntime: Service {
    /// The clusters.
    public let clusters: ClusterSet
    /// The controllers.
    public let controllers: [Controller]
    /// The elector, nil when leader election is off.
    public let elector: LeaderElector?
    private let probes: ProbeServer?
    private let liveness: LivenessOptions
    private let heartbeat: SchedulerHeartbeat
    private let gracefulShutdownTimeout: Duration
    private let exit: @Sendable (Int32) -> Void
    private let shutdown = Mutex<(started: Bool, waiters: [CheckedContinuation<Void, Never>])>((false, []))
    private let logger: Logger

    /// A runtime; `probes` nil serves no probes. `exit` defaults to the C library's `exit`.
    /// `liveness` bounds what `livenessChecks()` calls wedged, measured on `clock`.
    public init(clusters: ClusterSet, controllers: [Controller], elector: LeaderElector? = nil, probes: ProbeServer? = nil,
                gracefulShutdownTimeout: Duration = KubeRuntimeDefaults.gracefulShutdownTimeout,
                liveness: LivenessOptions = LivenessOptions(), clock: any RuntimeClock = SystemClock(),
                logger: Logger = Logger(label: "tandem.kube-runtime"),
                exit: @escaping @Sendable (Int32) -> Void = { code in Foundation.exit(code) }) {
        self.clusters = clusters
        self.controllers = controllers
        self.elector = elector
        self.probes = probes
        self.liveness = liveness
        self.heartbeat = SchedulerHeartbeat(clock: clock, interval: liveness.heartbeatInterval)
        self.gracefulShutdownTimeout = gracefulShutdownTimeout
        self.exit = exit
        self.logger = logger
    }

    /// Ready when every cluster synced or is unreachable; leadership does not matter (a standby
    /// replica is ready too, as controller-runtime's).
    public var isReady: Bool { clusters.isReady }

    /// What `/healthz` reports: `scheduler` (every event loop and the concurrency pool still run
    /// tasks), `informers` (every informer's loop still steps), `reconcilers` (no reconcile runs
    /// past its bound). Each fails only for what a restart cures; an unreachable cluster does not.
    public func livenessChecks() -> [LivenessCheck] {
        var stalled: [String] = []
        for cluster in clusters.clusters {
            for informer in cluster.allInformers where informer.timeSinceLastStep > liveness.informerStallBound {
                stalled.append("\(cluster.name) \(informer.cache.resource) took no step for \(informer.timeSinceLastStep)")
            }
        }
        var hung: [String] = []
        for controller in controllers {
            if let (key, running) = controller.longestRunningReconcile, running > liveness.reconcileStallBound {
                hung.append("\(controller.name) \(key.cluster)/\(key.namespace)/\(key.name) running for \(running)")
            }
        }
        return [
            LivenessCheck(name: "ping"),
            heartbeat.check(bound: liveness.schedulerStallBound),
            LivenessCheck(name: "informers", failure: stalled.isEmpty ? nil : stalled.sorted().joined(separator: "; ")),
            LivenessCheck(name: "reconcilers", failure: hung.isEmpty ? nil : hung.sorted().joined(separator: "; ")),
        ]
    }

    private enum Ended: Sendable {
        case controllers(lost: Bool)
        case graceExpired
        case standbyStopped
        case other
    }

    public func run() async throws {
        let lost = await withGracefulShutdownHandler {
            await withTaskGroup(of: Ended.self) { group in
                group.addTask {
                    await self.clusters.run()
                    return .other
                }
                group.addTask {
                    await self.heartbeat.run()
                    return .other
                }
                if let probes {
                    group.addTask {
                        do { try await probes.run() } catch { self.logger.error("probe server failed", metadata: ["error": "\(error)"]) }
                        return .other
                    }
                }
                group.addTask { .controllers(lost: await self.lead()) }
                group.addTask {
                    await self.waitForShutdown()
                    if let elector = self.elector, !elector.isLeader { return .standbyStopped }
                    do { try await Task.sleep(for: self.gracefulShutdownTimeout) } catch { return .other }
                    return .graceExpired
                }
                var lost = false
                while let ended = await group.next() {
                    switch ended {
                    case .controllers(let wasLost):
                        lost = wasLost
                    case .graceExpired:
                        logger.warning("graceful shutdown timed out; cancelling in-flight reconciles", metadata: ["timeout": "\(gracefulShutdownTimeout)"])
                    case .standbyStopped:
                        logger.info("stopping while not leading")
                    case .other:
                        continue
                    }
                    break
                }
                group.cancelAll()
                return lost
            }
        } onGracefulShutdown: {
            self.beginShutdown()
        }
        if lost {
            let lease = elector.map { "\($0.options.namespace)/\($0.options.leaseName)" } ?? ""
            exit(1)
            throw KubeRuntimeError.leadershipLost(lease: lease)
        }
        logger.info("stopped")
    }

    /// Stops intake in every controller; `run()` returns once in-flight reconciles finished.
    public func beginShutdown() {
        let waiters = shutdown.withLock { state in
            state.started = true
            defer { state.waiters = [] }
            return state.waiters
        }
        for controller in controllers { controller.shutDown() }
        for waiter in waiters { waiter.resume() }
    }

    /// Runs the controllers while leading; true when leadership was lost.
    private func lead() async -> Bool {
        let runControllers: @Sendable () async -> Void = { [controllers] in
            await withTaskGroup(of: Void.self) { group in
                for controller in controllers { group.addTask { await controller.run() } }
            }
        }
        guard let elector else {
            await runControllers()
            return false
        }
        return await elector.run(whileLeading: runControllers) == .lost
    }

    private func waitForShutdown() async {
        await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                let started = shutdown.withLock { state in
                    if state.started { return true }
                    state.waiters.append(continuation)
                    return false
                }
                if started { continuation.resume() }
            }
        } onCancel: {
            let waiters = shutdown.withLock { state in
                defer { state.waiters = [] }
                return state.waiters
            }
            for waiter in waiters { waiter.resume() }
        }
    }
}
