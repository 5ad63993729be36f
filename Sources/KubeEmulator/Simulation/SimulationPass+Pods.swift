import Foundation
import KubeAPI

extension SimulationPass {
    static let nodeName = "emulated-node"

    /// The replicaset controller: as many pods as `spec.replicas`, removing not-ready ones first.
    mutating func reconcileReplicaSetPods(_ key: ObjectKey, _ replicaSet: JSONValue) {
        let wanted = Int(replicaSet[path: ["spec", "replicas"]]?.intValue ?? 0)
        let pods = owned(by: replicaSet, in: WorkloadSimulator.pods, namespace: key.namespace).filter { !Self.isTerminating($0.object) }
        if pods.count < wanted {
            for _ in pods.count..<wanted { createPod(for: replicaSet, namespace: key.namespace) }
        } else if pods.count > wanted {
            let victims = pods.sorted { lhs, rhs in
                let (l, r) = (Self.isReady(lhs.object), Self.isReady(rhs.object))
                if l != r { return !l }
                return (lhs.object[path: ["metadata", "creationTimestamp"]]?.stringValue ?? "") > (rhs.object[path: ["metadata", "creationTimestamp"]]?.stringValue ?? "")
            }.prefix(pods.count - wanted)
            for victim in victims { _ = state.beginDeletion(WorkloadSimulator.pods, victim.key, propagation: nil, now: now) }
        }
    }

    private mutating func createPod(for replicaSet: JSONValue, namespace: String) {
        let template = replicaSet[path: ["spec", "template"]] ?? .emptyObject
        var spec = template["spec"] ?? .emptyObject
        spec["nodeName"] = .string(Self.nodeName)
        if spec["serviceAccountName"] == nil { spec["serviceAccountName"] = "default" }
        var metadata: JSONValue = [
            "name": .string("\(Self.name(replicaSet))-\(UUIDText.nameSuffix())"), "namespace": .string(namespace),
            "ownerReferences": [Self.controllerReference(to: replicaSet, kind: "ReplicaSet")],
        ]
        metadata["labels"] = template[path: ["metadata", "labels"]]
        metadata["annotations"] = template[path: ["metadata", "annotations"]]
        let pod = create(WorkloadSimulator.pods, [
            "apiVersion": "v1", "kind": "Pod", "metadata": metadata, "spec": spec,
            "status": ["phase": "Pending", "qosClass": "BestEffort"],
        ], generation: false)
        podStarts[Self.uid(pod)] = now
    }

    /// The kubelet: pods pull their images and become ready after `podReadySeconds`, unless an
    /// image is unpullable (then they wait in ImagePullBackOff).
    mutating func reconcilePodStatus(_ key: ObjectKey, _ pod: JSONValue) {
        guard !Self.isTerminating(pod) else { return }
        let uid = Self.uid(pod)
        let started = podStarts[uid] ?? now
        podStarts[uid] = started
        let containers = pod[path: ["spec", "containers"]]?.arrayValue ?? []
        let blocked = containers.compactMap { $0["image"]?.stringValue }.first { image in unpullableMatches(image) }
        let readyAt = started.addingTimeInterval(settings.podReadySeconds)
        let ready = blocked == nil && now >= readyAt
        if blocked == nil, !ready { wake(at: readyAt) }
        let old = pod["status"] ?? .emptyObject
        let previous = old["conditions"]?.arrayValue ?? []
        func condition(_ type: String, _ value: Bool) -> JSONValue {
            let status: JSONValue = value ? "True" : "False"
            let same = previous.first { $0["type"] == .string(type) && $0["status"] == status }
            var result: JSONValue = ["type": .string(type), "status": status, "lastProbeTime": nil,
                                     "lastTransitionTime": same?["lastTransitionTime"] ?? timestamp]
            if !value, type == "Ready" || type == "ContainersReady" {
                result["reason"] = "ContainersNotReady"
                result["message"] = .string("containers with unready status: [\(containers.compactMap { $0["name"]?.stringValue }.joined(separator: " "))]")
            }
            return result
        }
        let startTime = old["startTime"] ?? timestamp
        let statuses: [JSONValue] = containers.map { container in
            let image = container["image"]?.stringValue ?? ""
            var state: JSONValue
            if unpullableMatches(image) {
                state = ["waiting": ["reason": "ImagePullBackOff", "message": .string("Back-off pulling image \"\(image)\"")]]
            } else if ready {
                let previousStart = (old["containerStatuses"]?.arrayValue ?? []).first { $0["name"] == container["name"] }?[path: ["state", "running", "startedAt"]]
                state = ["running": ["startedAt": previousStart ?? timestamp]]
            } else {
                state = ["waiting": ["reason": "ContainerCreating"]]
            }
            var status: JSONValue = [
                "name": container["name"] ?? "", "image": .string(image), "imageID": ready ? .string("docker-pullable://\(image)") : "",
                "ready": .bool(ready), "started": .bool(ready), "restartCount": 0, "state": state,
            ]
            if ready { status["containerID"] = .string("containerd://\(uid.replacingOccurrences(of: "-", with: ""))") }
            return status
        }
        var status: JSONValue = [
            "phase": ready ? "Running" : "Pending", "qosClass": old["qosClass"] ?? "BestEffort",
            "hostIP": "10.0.0.1", "startTime": startTime, "containerStatuses": .array(statuses),
            "conditions": [condition("PodReadyToStartContainers", true), condition("Initialized", true), condition("Ready", ready),
                           condition("ContainersReady", ready), condition("PodScheduled", true)],
        ]
        status["podIP"] = old["podIP"] ?? .string(Self.podIP(for: uid))
        status["podIPs"] = [["ip": status["podIP"]!]]
        guard status != old else { return }
        var changed = pod
        changed["status"] = status
        state.put(WorkloadSimulator.pods, key, changed)
    }

    func unpullableMatches(_ image: String) -> Bool {
        guard let unpullable else { return false }
        return (try? unpullable.firstMatch(in: image)) != nil
    }

    static func podIP(for uid: String) -> String {
        var hash: UInt32 = 0
        for byte in uid.utf8 { hash = hash &* 31 &+ UInt32(byte) }
        return "10.244.\((hash >> 8) % 250).\(hash % 250 + 2)"
    }

    /// The replicaset controller's status: counts of its pods.
    mutating func updateReplicaSetStatus(_ key: ObjectKey, _ replicaSet: JSONValue) {
        let pods = livePods(of: replicaSet, namespace: key.namespace)
        let ready = pods.filter(Self.isReady).count
        var status: JSONValue = ["replicas": .int(Int64(pods.count)), "observedGeneration": replicaSet[path: ["metadata", "generation"]] ?? 1]
        if pods.count > 0 { status["fullyLabeledReplicas"] = .int(Int64(pods.count)) }
        if ready > 0 {
            status["readyReplicas"] = .int(Int64(ready))
            status["availableReplicas"] = .int(Int64(ready))
        }
        guard replicaSet["status"] != status else { return }
        var changed = replicaSet
        changed["status"] = status
        state.put(WorkloadSimulator.replicaSets, key, changed)
    }
}
