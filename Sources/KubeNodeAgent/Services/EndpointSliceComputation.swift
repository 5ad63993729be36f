import KubeAPI

/// The endpoints of one set of ports: what one EndpointSlice (or, past
/// ``EndpointSliceComputation/maxEndpointsPerSlice``, several) carries.
package struct EndpointSliceGroup: Sendable, Equatable {
    /// discovery/v1 `EndpointPort`s, in the Service's port order; empty for pods that resolve
    /// none of the Service's ports (and for headless Services without ports).
    package var ports: [JSONValue]
    /// discovery/v1 `Endpoint`s, sorted by address and pod uid.
    package var endpoints: [JSONValue]
}

/// The endpoint-slice controller's view of a Service and its pods (`k8s.io/endpointslice`'s
/// `podToEndpoint`, `getEndpointPorts`, `newEndpointSlice`), as pure functions.
///
/// # Guarantees
/// - Terminating pods are listed with `ready: false`, `serving` = the pod's Ready condition and
///   `terminating: true` (unless `publishNotReadyAddresses`, which makes every endpoint ready).
/// - Pods without an IPv4 address, and Succeeded or Failed pods, are left out.
package enum EndpointSliceComputation {
    /// `kubernetes.io/service-name`: the Service a slice belongs to.
    package static let serviceNameLabel = "kubernetes.io/service-name"
    /// `endpointslice.kubernetes.io/managed-by`: who writes a slice.
    package static let managedByLabel = "endpointslice.kubernetes.io/managed-by"
    /// The controller's name, as kube-controller-manager's.
    package static let controllerName = "endpointslice-controller.k8s.io"
    /// kube-controller-manager's `--max-endpoints-per-slice` default: 100.
    package static let maxEndpointsPerSlice = 100
    /// The characters kube-apiserver's name generator appends (lowercase alphanumerics without
    /// vowels and look-alikes).
    package static let nameAlphabet = Array("bcdfghjklmnpqrstvwxz2456789")

    /// The slice endpoint of one pod; nil when the pod has no IPv4 address.
    package static func endpoint(for pod: JSONValue, service: JSONValue) -> JSONValue? {
        guard let ip = PodEndpointFacts.ipv4Address(pod) else { return nil }
        let serving = PodEndpointFacts.isReady(pod)
        let terminating = PodEndpointFacts.isTerminating(pod)
        let ready = service[path: ["spec", "publishNotReadyAddresses"]] == true || (serving && !terminating)
        var endpoint: JSONValue = [
            "addresses": [.string(ip)],
            "conditions": ["ready": .bool(ready), "serving": .bool(serving), "terminating": .bool(terminating)],
            "targetRef": PodEndpointFacts.targetReference(pod),
        ]
        if let node = pod[path: ["spec", "nodeName"]]?.stringValue, !node.isEmpty { endpoint["nodeName"] = .string(node) }
        if let hostname = PodEndpointFacts.hostname(of: pod, for: service) { endpoint["hostname"] = .string(hostname) }
        return endpoint
    }

    /// The Service's endpoints grouped by the ports each pod resolves, sorted by ports. Empty
    /// for Services the controller leaves alone (no selector, ExternalName) and when no pod
    /// qualifies.
    package static func groups(service: JSONValue, pods: [JSONValue]) -> [EndpointSliceGroup] {
        let ports = ServicePortSpec.all(of: service)
        var endpointsByPorts: [[JSONValue]: [JSONValue]] = [:]
        for pod in EndpointsComputation.selectedPods(of: service, from: pods)
        where PodEndpointFacts.belongsInEndpoints(pod, includeTerminating: true) {
            guard let endpoint = endpoint(for: pod, service: service) else { continue }
            let resolved = ports.compactMap { port in port.resolve(in: pod).map(port.sliceEndpointPort) }
            endpointsByPorts[resolved, default: []].append(endpoint)
        }
        return endpointsByPorts
            .map { EndpointSliceGroup(ports: $0.key, endpoints: $0.value.sorted(by: endpointOrder)) }
            .sorted { JSONValue.array($0.ports).jsonString < JSONValue.array($1.ports).jsonString }
    }

    /// A slice's labels: the Service's (without the reserved keys), `service.kubernetes.io/headless`
    /// for a headless Service, the service name and the controller's name.
    package static func labels(for service: JSONValue) -> [String: JSONValue] {
        var labels = service[path: ["metadata", "labels"]]?.objectValue ?? [:]
        labels["service.kubernetes.io/headless"] = EndpointsComputation.isHeadless(service) ? "" : nil
        labels[serviceNameLabel] = service[path: ["metadata", "name"]] ?? ""
        labels[managedByLabel] = .string(controllerName)
        return labels
    }

    /// The controller reference to the Service every slice carries.
    package static func ownerReference(to service: JSONValue) -> JSONValue {
        [
            "apiVersion": "v1", "kind": "Service",
            "name": service[path: ["metadata", "name"]] ?? "", "uid": service[path: ["metadata", "uid"]] ?? "",
            "controller": true, "blockOwnerDeletion": true,
        ]
    }

    /// Whether a slice names the Service (this incarnation of it: same uid) as its owner.
    package static func isOwned(_ slice: JSONValue, by service: JSONValue) -> Bool {
        let uid = service[path: ["metadata", "uid"]]
        return (slice[path: ["metadata", "ownerReferences"]]?.arrayValue ?? []).contains {
            $0["uid"] == uid && $0["kind"] == "Service" && $0["apiVersion"] == "v1"
        }
    }

    /// A new slice, without a name (see ``name(for:suffix:)``). Empty lists are written as null,
    /// which is how kube-apiserver returns them.
    package static func newSlice(for service: JSONValue, ports: [JSONValue], endpoints: [JSONValue]) -> JSONValue {
        [
            "apiVersion": "discovery.k8s.io/v1", "kind": "EndpointSlice",
            "metadata": [
                "namespace": service[path: ["metadata", "namespace"]] ?? "",
                "generateName": .string(namePrefix(for: service)),
                "labels": .object(labels(for: service)),
                "ownerReferences": [ownerReference(to: service)],
            ],
            "addressType": "IPv4",
            "endpoints": endpoints.isEmpty ? .null : .array(endpoints),
            "ports": ports.isEmpty ? .null : .array(ports),
        ]
    }

    /// `<service>-` (cut to 58 characters, as kube-apiserver's name generator cuts it).
    package static func namePrefix(for service: JSONValue) -> String {
        String("\(service[path: ["metadata", "name"]]?.stringValue ?? "")-".prefix(58))
    }

    /// A slice name: the prefix and five characters of ``nameAlphabet``.
    package static func name(for service: JSONValue, suffix: String) -> String {
        namePrefix(for: service) + suffix
    }

    /// Five random characters of ``nameAlphabet``.
    package static func randomSuffix() -> String {
        var generator = SystemRandomNumberGenerator()
        return String((0..<5).map { _ in nameAlphabet.randomElement(using: &generator)! })
    }

    private static func endpointOrder(_ lhs: JSONValue, _ rhs: JSONValue) -> Bool {
        let left = (lhs["addresses"]?[0]?.stringValue ?? "", lhs[path: ["targetRef", "uid"]]?.stringValue ?? "")
        let right = (rhs["addresses"]?[0]?.stringValue ?? "", rhs[path: ["targetRef", "uid"]]?.stringValue ?? "")
        return left < right
    }
}
