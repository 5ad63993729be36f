import KubeAPI

/// kube-controller-manager's endpoints controller as a pure function: the core/v1 `Endpoints`
/// object a Service should have, given the pods of its namespace.
///
/// # Guarantees
/// - Subsets are packed as `RepackSubsets` packs them: addresses that offer the same set of
///   ports share one subset; ready pods go to `addresses`, the others to `notReadyAddresses`.
/// - The output is sorted (addresses by IP and pod uid, ports by name and number, subsets by
///   content), so the same input always gives the same object and a converged Service is not
///   rewritten.
///
/// # Caveats
/// - Services and pods are IPv4 only: pods without an IPv4 address are left out.
/// - No truncation beyond 1000 addresses (`endpoints.kubernetes.io/over-capacity`) and no
///   `endpoints.kubernetes.io/last-change-trigger-time` annotation.
package enum EndpointsComputation {
    /// The selector the controllers act on: nil for ExternalName Services and for Services
    /// without one (an empty selector is stored as none by kube-apiserver); their endpoints are
    /// managed by hand.
    package static func selector(of service: JSONValue) -> [String: JSONValue]? {
        if service[path: ["spec", "type"]]?.stringValue == "ExternalName" { return nil }
        guard let selector = service[path: ["spec", "selector"]]?.objectValue, !selector.isEmpty else { return nil }
        return selector
    }

    /// Whether the Service has no cluster IP (`clusterIP: None`, or none yet).
    package static func isHeadless(_ service: JSONValue) -> Bool {
        let clusterIP = service[path: ["spec", "clusterIP"]]?.stringValue ?? ""
        return clusterIP.isEmpty || clusterIP == "None"
    }

    /// The pods of `candidates` the Service selects: same namespace, labels matching.
    package static func selectedPods(of service: JSONValue, from candidates: [JSONValue]) -> [JSONValue] {
        guard let selector = selector(of: service) else { return [] }
        let namespace = service[path: ["metadata", "namespace"]]
        return candidates.filter { $0[path: ["metadata", "namespace"]] == namespace && PodEndpointFacts.matches($0, selector: selector) }
    }

    /// The labels of the Endpoints: the Service's, plus `service.kubernetes.io/headless` for a
    /// headless Service.
    package static func labels(for service: JSONValue) -> [String: JSONValue] {
        var labels = service[path: ["metadata", "labels"]]?.objectValue ?? [:]
        labels["service.kubernetes.io/headless"] = isHeadless(service) ? "" : nil
        return labels
    }

    /// The `subsets` of the Service's Endpoints (empty when no pod qualifies).
    package static func subsets(service: JSONValue, pods candidates: [JSONValue]) -> [JSONValue] {
        let publishNotReady = service[path: ["spec", "publishNotReadyAddresses"]] == true
        let ports = ServicePortSpec.all(of: service)
        var packing = SubsetPacking()
        for pod in selectedPods(of: service, from: candidates) {
            guard PodEndpointFacts.belongsInEndpoints(pod, includeTerminating: publishNotReady),
                let ip = PodEndpointFacts.ipv4Address(pod)
            else { continue }
            var address: JSONValue = ["ip": .string(ip), "targetRef": PodEndpointFacts.targetReference(pod)]
            if let node = pod[path: ["spec", "nodeName"]]?.stringValue, !node.isEmpty { address["nodeName"] = .string(node) }
            if let hostname = PodEndpointFacts.hostname(of: pod, for: service) { address["hostname"] = .string(hostname) }
            let ready = publishNotReady || PodEndpointFacts.isReady(pod)
            if ports.isEmpty {
                // Only a headless Service may have no ports; its pods are listed without any.
                if isHeadless(service) { packing.add(address, ready: ready, port: nil) }
                continue
            }
            for port in ports {
                guard let number = port.resolve(in: pod) else { continue }
                packing.add(address, ready: ready, port: port.endpointPort(number))
            }
        }
        return packing.subsets()
    }

    /// The Endpoints object to write for the Service: a new one when `existing` is nil, the
    /// existing one with new subsets and labels when they differ, or nil when it is up to date.
    package static func endpoints(for service: JSONValue, pods: [JSONValue], existing: JSONValue?) -> JSONValue? {
        let subsets = subsets(service: service, pods: pods)
        let labels = labels(for: service)
        let annotations = existing?[path: ["metadata", "annotations"]]?.objectValue ?? [:]
        let staleAnnotations = ["endpoints.kubernetes.io/over-capacity", "endpoints.kubernetes.io/last-change-trigger-time"]
        if let existing,
            (existing["subsets"]?.arrayValue ?? []) == subsets,
            (existing[path: ["metadata", "labels"]]?.objectValue ?? [:]) == labels,
            !staleAnnotations.contains(where: { annotations[$0] != nil })
        {
            return nil
        }
        var object: JSONValue = existing ?? [
            "apiVersion": "v1", "kind": "Endpoints",
            "metadata": ["name": service[path: ["metadata", "name"]] ?? "", "namespace": service[path: ["metadata", "namespace"]] ?? ""],
        ]
        object["subsets"] = subsets.isEmpty ? nil : .array(subsets)
        object[path: ["metadata", "labels"]] = labels.isEmpty ? nil : .object(labels)
        var kept = annotations
        for key in staleAnnotations { kept[key] = nil }
        object[path: ["metadata", "annotations"]] = kept.isEmpty ? nil : .object(kept)
        return object
    }
}

/// `RepackSubsets`: collects (address, readiness, port) triples and groups addresses by the
/// exact set of ports they offer.
struct SubsetPacking {
    private struct AddressKey: Hashable, Comparable {
        var ip: String
        var uid: String
        static func < (lhs: Self, rhs: Self) -> Bool { (lhs.ip, lhs.uid) < (rhs.ip, rhs.uid) }
    }

    private var addresses: [AddressKey: JSONValue] = [:]
    /// Per port (`.null` standing for "no ports"), the addresses offering it and their readiness.
    private var membersByPort: [JSONValue: [AddressKey: Bool]] = [:]

    /// Records that `address` offers `port` (nil: a port-less headless endpoint).
    mutating func add(_ address: JSONValue, ready: Bool, port: JSONValue?) {
        let key = AddressKey(ip: address["ip"]?.stringValue ?? "", uid: address[path: ["targetRef", "uid"]]?.stringValue ?? "")
        if addresses[key] == nil { addresses[key] = address }
        let portKey = port ?? .null
        if membersByPort[portKey]?[key] != true { membersByPort[portKey, default: [:]][key] = ready }
    }

    /// The packed, sorted subsets.
    func subsets() -> [JSONValue] {
        var portsByMembers: [[AddressKey: Bool]: [JSONValue]] = [:]
        for (port, members) in membersByPort {
            portsByMembers[members, default: []] += port.isNull ? [] : [port]
        }
        let subsets: [JSONValue] = portsByMembers.map { members, ports in
            var subset = JSONValue.emptyObject
            let ready = members.filter(\.value).keys.sorted().compactMap { addresses[$0] }
            let notReady = members.filter { !$0.value }.keys.sorted().compactMap { addresses[$0] }
            if !ready.isEmpty { subset["addresses"] = .array(ready) }
            if !notReady.isEmpty { subset["notReadyAddresses"] = .array(notReady) }
            if !ports.isEmpty { subset["ports"] = .array(ports.sorted(by: Self.portOrder)) }
            return subset
        }
        return subsets.sorted { $0.jsonString < $1.jsonString }
    }

    private static func portOrder(_ lhs: JSONValue, _ rhs: JSONValue) -> Bool {
        let left = (lhs["name"]?.stringValue ?? "", lhs["port"]?.intValue ?? 0, lhs["protocol"]?.stringValue ?? "")
        let right = (rhs["name"]?.stringValue ?? "", rhs["port"]?.intValue ?? 0, rhs["protocol"]?.stringValue ?? "")
        return left < right
    }
}
