import Foundation
import KubeAPI
import Logging
import Synchronization

/// The emulated kubelet of the node: binds unscheduled pods to itself, runs one `PodWorker`
/// per pod, and stops the worker of a pod that is gone.
final class Kubelet: Sendable {
    let context: KubeletContext
    private let workers = Mutex<[String: PodWorker]>([:])

    init(context: KubeletContext) {
        self.context = context
    }

    /// Syncs on every pod change until cancelled; then terminates every pod at once.
    func run() async {
        NodeRegistration.register(context)
        let changes = context.cluster.changes(of: [.pods])
        await withDiscardingTaskGroup { group in
            sync(group: &group)
            for await _ in changes {
                if Task.isCancelled { break }
                sync(group: &group)
            }
            group.cancelAll()
        }
    }

    /// Number of pods with a worker.
    var podCount: Int { workers.withLock { $0.count } }

    private func sync(group: inout DiscardingTaskGroup) {
        let pods = context.cluster.list(.pods, namespace: nil)
        var seen: Set<String> = []
        for var pod in pods {
            let node = pod[path: ["spec", "nodeName"]]?.stringValue ?? ""
            if node.isEmpty {
                guard let bound = bind(pod) else { continue }
                pod = bound
            } else if node != context.configuration.nodeName {
                continue
            }
            guard let uid = pod[path: ["metadata", "uid"]]?.stringValue else { continue }
            if pod[path: ["status", "phase"]]?.stringValue == "Succeeded" || pod[path: ["status", "phase"]]?.stringValue == "Failed",
               workers.withLock({ $0[uid] == nil }), pod[path: ["metadata", "deletionTimestamp"]] == nil {
                continue
            }
            seen.insert(uid)
            let (worker, isNew) = workers.withLock { all -> (PodWorker, Bool) in
                if let existing = all[uid] { return (existing, false) }
                let worker = PodWorker(pod: pod, context: context)
                all[uid] = worker
                return (worker, true)
            }
            let latest = pod
            if isNew {
                group.addTask { [self] in
                    await worker.run()
                    _ = workers.withLock { $0.removeValue(forKey: uid) }
                }
            } else {
                group.addTask { await worker.update(latest) }
            }
        }
        let gone = workers.withLock { all in all.filter { !seen.contains($0.key) }.map(\.value) }
        for worker in gone { group.addTask { await worker.podVanished() } }
    }

    /// The scheduler's job on a one-node cluster: an unscheduled pod goes to this node.
    private func bind(_ pod: JSONValue) -> JSONValue? {
        guard pod[path: ["metadata", "deletionTimestamp"]] == nil else { return nil }
        var bound = pod
        bound[path: ["spec", "nodeName"]] = .string(context.configuration.nodeName)
        return try? context.cluster.update(.pods, bound)
    }
}
