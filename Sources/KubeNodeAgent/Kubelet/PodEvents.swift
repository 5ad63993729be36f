import Foundation
import KubeAPI
import Synchronization

/// The kubelet's Events about a pod (`kubectl describe pod` shows them): core/v1 Events from
/// source `kubelet` on the node, a repeat of the same reason and message counted on the first
/// Event (count, lastTimestamp) as client-go's recorder aggregates them.
final class PodEvents: Sendable {
    private let cluster: any ClusterAccess
    private let node: String
    /// Event names by pod uid, reason and message.
    private let recorded = Mutex<[String: String]>([:])

    init(cluster: any ClusterAccess, node: String) {
        self.cluster = cluster
        self.node = node
    }

    /// Records an Event about `pod` (a container's field path for container events).
    func record(_ pod: JSONValue, type: String = "Normal", reason: String, message: String, container: String? = nil) {
        let namespace = pod[path: ["metadata", "namespace"]]?.stringValue ?? "default"
        let name = pod[path: ["metadata", "name"]]?.stringValue ?? ""
        let uid = pod[path: ["metadata", "uid"]]?.stringValue ?? ""
        let key = "\(uid)\u{0}\(reason)\u{0}\(message)"
        let now = JSONValue.string(Timestamp.rfc3339(Date()))
        if let existing = recorded.withLock({ $0[key] }), var event = cluster.get(.coreEvents, namespace: namespace, name: existing) {
            event["count"] = .int((event["count"]?.intValue ?? 1) + 1)
            event["lastTimestamp"] = now
            if (try? cluster.update(.coreEvents, event)) != nil { return }
        }
        var involved: JSONValue = ["apiVersion": "v1", "kind": "Pod", "namespace": .string(namespace), "name": .string(name), "uid": .string(uid),
                                   "resourceVersion": pod[path: ["metadata", "resourceVersion"]] ?? ""]
        if let container { involved["fieldPath"] = .string("spec.containers{\(container)}") }
        let event: JSONValue = [
            "apiVersion": "v1", "kind": "Event",
            "metadata": ["name": .string("\(name).\(String(UInt64.random(in: 0...UInt64.max), radix: 16))"), "namespace": .string(namespace)],
            "involvedObject": involved, "reason": .string(reason), "message": .string(message), "type": .string(type),
            "source": ["component": "kubelet", "host": .string(node)], "reportingComponent": "kubelet", "reportingInstance": .string(node),
            "firstTimestamp": now, "lastTimestamp": now, "count": 1,
        ]
        if let created = try? cluster.create(.coreEvents, event), let eventName = created[path: ["metadata", "name"]]?.stringValue {
            recorded.withLock { $0[key] = eventName }
        }
    }

    /// Forgets a pod's aggregation keys (the pod is gone).
    func forget(podUID: String) {
        recorded.withLock { all in all = all.filter { !$0.key.hasPrefix(podUID + "\u{0}") } }
    }
}

extension ResourceDescriptor {
    /// core/v1 Event.
    static let coreEvents = ResourceDescriptor(group: "", version: "v1", plural: "events", kind: "Event", namespaced: true)
}
