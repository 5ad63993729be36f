import Foundation
import KubeAPI

/// The emulator's stand-ins for kube-controller-manager: runs the workload simulator whenever a
/// Deployment, ReplicaSet or Pod changes (not for the custom resources, Events or Leases that
/// other clients write all the time), and again when a pod is due to become ready or a progress
/// deadline expires.
struct BackgroundControllers: Sendable {
    let store: ObjectStore
    let simulator: WorkloadSimulator
    let clock: @Sendable () -> Date
    /// Changes arriving within this window are handled in one pass.
    var coalescing: Duration = .milliseconds(5)

    /// Runs until cancelled.
    func run() async {
        let (id, changes) = store.modify { $0.addInternalWatcher(interest: WorkloadSimulator.watchedResources) }
        let wakeup = WakeupSignal()
        await withDiscardingTaskGroup { group in
            group.addTask {
                for await _ in changes { wakeup.signal() }
            }
            while !Task.isCancelled {
                let next = store.modify { state in simulator.step(&state, now: clock()) }
                let delay = next.map { Duration.milliseconds(Int64(max(0, $0.timeIntervalSince(clock())) * 1000) + 1) }
                await wakeup.wait(timeout: delay)
                try? await Task.sleep(for: coalescing)
            }
            store.modify { $0.removeWatcher(id) }
        }
    }

    /// Wakes the loop without a store change (e.g. the unpullable images changed).
    static func poke(_ store: ObjectStore) {
        store.read { $0.sendBookmark(toInternal: ()) }
    }
}
