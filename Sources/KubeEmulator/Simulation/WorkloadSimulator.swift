import Foundation
import KubeAPI
import Synchronization

/// Plays kube-controller-manager's deployment and replicaset controllers and the kubelet for
/// `--simulate-workloads`: replica sets per pod template, simulated pods replaced as a rolling
/// update would, readiness after `podReadySeconds`, image pull failures for unpullable images,
/// and Deployment status as the real controller writes it.
///
/// # Guarantees
/// - It writes only when something changes: a converged cluster sees no writes at all.
/// - It never writes custom resources.
final class WorkloadSimulator: Sendable {
    struct Settings: Sendable {
        /// How long a pod takes to become ready.
        var podReadySeconds: Double = 0.5
        /// Images matching this pattern never pull (ImagePullBackOff).
        var unpullableImages: String?
        /// Play the kubelet too (pod status, readiness); false when a node agent runs pods for real.
        var simulateKubelet = true
    }

    private struct Memory {
        var settings: Settings
        /// When the simulated kubelet first saw each pod (by uid); creationTimestamp has whole seconds only.
        var podStarts: [String: Date] = [:]
    }

    private let memory: Mutex<Memory>

    init(settings: Settings) {
        memory = Mutex(Memory(settings: settings))
    }

    /// Changes which images are unpullable; nil makes every image pullable.
    func setUnpullableImages(_ pattern: String?) throws(KubeStatus) {
        if let pattern, (try? Regex(pattern)) == nil {
            throw KubeStatus.badRequest("unpullable image pattern is not a valid regular expression: \(pattern)")
        }
        memory.withLock { $0.settings.unpullableImages = pattern }
    }

    var unpullableImages: String? { memory.withLock { $0.settings.unpullableImages } }

    static let deployments = StorageKey(group: "apps", resource: "deployments")
    static let replicaSets = StorageKey(group: "apps", resource: "replicasets")
    static let pods = StorageKey(group: "", resource: "pods")
    /// The resources a simulation pass reads: only their changes call for a new pass.
    static let watchedResources: Set<StorageKey> = [deployments, replicaSets, pods]

    /// One pass over every workload. Returns when something next needs doing (a pod becoming
    /// ready, a progress deadline), or nil.
    func step(_ state: inout StoreState, now: Date) -> Date? {
        let settings = memory.withLock { $0.settings }
        var pass = SimulationPass(state: state, now: now, settings: settings, podStarts: memory.withLock { $0.podStarts })
        pass.run()
        state = pass.state
        let starts = pass.podStarts
        memory.withLock { $0.podStarts = starts }
        return pass.nextWake
    }
}

/// One reconcile pass of the simulated controllers over a copy of the state.
struct SimulationPass {
    var state: StoreState
    let now: Date
    let settings: WorkloadSimulator.Settings
    var podStarts: [String: Date]
    var nextWake: Date?
    let unpullable: Regex<AnyRegexOutput>?

    init(state: StoreState, now: Date, settings: WorkloadSimulator.Settings, podStarts: [String: Date]) {
        self.state = state
        self.now = now
        self.settings = settings
        self.podStarts = podStarts
        self.unpullable = settings.unpullableImages.flatMap { try? Regex($0) }
    }

    mutating func run() {
        for (key, deployment) in state.objects(WorkloadSimulator.deployments, namespace: nil)
        where deployment[path: ["metadata", "deletionTimestamp"]] == nil {
            reconcileDeployment(key, deployment)
        }
        for (key, replicaSet) in state.objects(WorkloadSimulator.replicaSets, namespace: nil)
        where replicaSet[path: ["metadata", "deletionTimestamp"]] == nil {
            reconcileReplicaSetPods(key, replicaSet)
        }
        var live: Set<String> = []
        for (key, pod) in state.objects(WorkloadSimulator.pods, namespace: nil) {
            live.insert(Self.uid(pod))
            if settings.simulateKubelet { reconcilePodStatus(key, pod) }
        }
        podStarts = podStarts.filter { live.contains($0.key) }
        for (key, replicaSet) in state.objects(WorkloadSimulator.replicaSets, namespace: nil) {
            updateReplicaSetStatus(key, replicaSet)
        }
        for (key, deployment) in state.objects(WorkloadSimulator.deployments, namespace: nil)
        where deployment[path: ["metadata", "deletionTimestamp"]] == nil {
            updateDeploymentStatus(key, deployment)
        }
    }

    // MARK: Indexes

    static func uid(_ object: JSONValue) -> String { object[path: ["metadata", "uid"]]?.stringValue ?? "" }
    static func name(_ object: JSONValue) -> String { object[path: ["metadata", "name"]]?.stringValue ?? "" }

    func owned(by owner: JSONValue, in storage: StorageKey, namespace: String) -> [(key: ObjectKey, object: JSONValue)] {
        state.dependents(of: Self.uid(owner))
            .filter { $0.storage == storage && $0.key.namespace == namespace }
            .sorted { $0.key < $1.key }
            .compactMap { ref in state.object(ref.storage, ref.key).map { (ref.key, $0) } }
    }

    static func isReady(_ pod: JSONValue) -> Bool {
        (pod[path: ["status", "conditions"]]?.arrayValue ?? []).contains { $0["type"] == "Ready" && $0["status"] == "True" }
    }

    static func isTerminating(_ object: JSONValue) -> Bool { object[path: ["metadata", "deletionTimestamp"]] != nil }

    mutating func wake(at date: Date) {
        nextWake = min(nextWake ?? date, date)
    }

    var timestamp: JSONValue { .string(Timestamp.rfc3339(now)) }

    /// A new object with server-set metadata, stored.
    @discardableResult
    mutating func create(_ storage: StorageKey, _ object: JSONValue, generation: Bool) -> JSONValue {
        state.insertNew(storage, object, generation: generation, now: now)
    }

    static func controllerReference(to owner: JSONValue, kind: String) -> JSONValue {
        ["apiVersion": "apps/v1", "kind": .string(kind), "name": .string(name(owner)), "uid": .string(uid(owner)),
         "controller": true, "blockOwnerDeletion": true]
    }
}
