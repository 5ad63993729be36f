import KubeAPI

/// What the endpoints and endpoint-slice controllers read from a pod, as
/// `k8s.io/endpointslice/util` and `pkg/api/v1/pod` read it.
package enum PodEndpointFacts {
    /// Whether the pod's `Ready` condition is `True` (`podutil.IsPodReady`).
    package static func isReady(_ pod: JSONValue) -> Bool {
        let conditions = pod[path: ["status", "conditions"]]?.arrayValue ?? []
        return conditions.contains { $0["type"] == "Ready" && $0["status"] == "True" }
    }

    /// Whether the pod has finished for good: phase `Succeeded` or `Failed`.
    package static func isTerminal(_ pod: JSONValue) -> Bool {
        let phase = pod[path: ["status", "phase"]]?.stringValue
        return phase == "Succeeded" || phase == "Failed"
    }

    /// Whether the pod is being deleted (`metadata.deletionTimestamp` is set).
    package static func isTerminating(_ pod: JSONValue) -> Bool {
        if let stamp = pod[path: ["metadata", "deletionTimestamp"]], !stamp.isNull { return true }
        return false
    }

    /// The pod's IPv4 address: the first IPv4 entry of `status.podIPs`, else `status.podIP`
    /// when it is IPv4 (kube-apiserver fills `podIPs` from `podIP`; the node agent may set only
    /// the latter). nil when the pod has none yet.
    package static func ipv4Address(_ pod: JSONValue) -> String? {
        let listed = (pod[path: ["status", "podIPs"]]?.arrayValue ?? []).compactMap { $0["ip"]?.stringValue }
        if let address = listed.first(where: isIPv4) { return address }
        if let address = pod[path: ["status", "podIP"]]?.stringValue, isIPv4(address) { return address }
        return nil
    }

    /// `ShouldPodBeInEndpoints`: not terminal, has an address, and (unless terminating pods are
    /// included) not being deleted.
    package static func belongsInEndpoints(_ pod: JSONValue, includeTerminating: Bool) -> Bool {
        if isTerminal(pod) { return false }
        let hasAddress = !(pod[path: ["status", "podIP"]]?.stringValue ?? "").isEmpty
            || !(pod[path: ["status", "podIPs"]]?.arrayValue ?? []).isEmpty
        if !hasAddress { return false }
        return includeTerminating || !isTerminating(pod)
    }

    /// Whether the pod's labels satisfy a Service's `spec.selector` (every pair equal).
    package static func matches(_ pod: JSONValue, selector: [String: JSONValue]) -> Bool {
        let labels = pod[path: ["metadata", "labels"]]?.objectValue ?? [:]
        return selector.allSatisfy { key, value in labels[key] == value }
    }

    /// `ShouldSetHostname`: the pod names a hostname and its subdomain is this Service.
    package static func hostname(of pod: JSONValue, for service: JSONValue) -> String? {
        guard let hostname = pod[path: ["spec", "hostname"]]?.stringValue, !hostname.isEmpty,
            pod[path: ["spec", "subdomain"]]?.stringValue == service[path: ["metadata", "name"]]?.stringValue,
            pod[path: ["metadata", "namespace"]] == service[path: ["metadata", "namespace"]]
        else { return nil }
        return hostname
    }

    /// The `targetRef` both controllers write: kind, namespace, name and uid of the pod.
    package static func targetReference(_ pod: JSONValue) -> JSONValue {
        [
            "kind": "Pod",
            "namespace": pod[path: ["metadata", "namespace"]] ?? "",
            "name": pod[path: ["metadata", "name"]] ?? "",
            "uid": pod[path: ["metadata", "uid"]] ?? "",
        ]
    }

    /// Dotted-quad IPv4, as `net.ParseIP` accepts it (no leading zeros checked: the kubelet
    /// writes canonical addresses).
    package static func isIPv4(_ text: String) -> Bool {
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        return parts.count == 4 && parts.allSatisfy { part in
            !part.isEmpty && part.count <= 3 && part.allSatisfy(\.isASCII) && (UInt16(part).map { $0 <= 255 } ?? false)
        }
    }
}
