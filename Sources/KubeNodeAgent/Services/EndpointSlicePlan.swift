import KubeAPI

/// The writes that bring one Service's EndpointSlices in line with its pods: the endpoint-slice
/// reconciler's decisions (`reconcileByAddressType` and `finalize`), without the writing.
///
/// # Guarantees
/// - A converged Service gives an empty plan.
/// - A Service without endpoints keeps exactly one placeholder slice (no ports, no endpoints).
/// - Names are stable: a slice that would be deleted while another is created is rewritten
///   instead, keeping its name, as kube-controller-manager does.
/// - Slices of an earlier Service of the same name (another uid) are deleted, not reused.
///
/// # Caveats
/// - Past 100 endpoints a port set is split into slices in address order, so one new pod can
///   rewrite several slices (kube-controller-manager packs more cleverly).
package struct EndpointSlicePlan: Sendable, Equatable {
    /// Slices to create, named.
    package var creates: [JSONValue] = []
    /// Existing slices with new content (same name, uid and resourceVersion precondition).
    package var updates: [JSONValue] = []
    /// Existing slices to delete.
    package var deletes: [JSONValue] = []

    /// Whether nothing needs writing.
    package var isEmpty: Bool { creates.isEmpty && updates.isEmpty && deletes.isEmpty }

    /// The plan for `service`, given all pods of its namespace and the slices labelled as this
    /// controller's for a Service of its name. `suffix` makes the random part of new names.
    package init(service: JSONValue, pods: [JSONValue], existing: [JSONValue],
                 suffix: () -> String = EndpointSliceComputation.randomSuffix) {
        typealias Compute = EndpointSliceComputation
        let labels = Compute.labels(for: service)
        var deletes: [JSONValue] = []
        var ownedByPorts: [[JSONValue]: [JSONValue]] = [:]
        for slice in existing.sorted(by: { Self.name(of: $0) < Self.name(of: $1) }) {
            if Compute.isOwned(slice, by: service), slice["addressType"] == "IPv4" {
                ownedByPorts[Self.list(slice["ports"]), default: []].append(slice)
            } else {
                deletes.append(slice)
            }
        }

        var creates: [JSONValue] = []
        var updates: [JSONValue] = []
        for group in Compute.groups(service: service, pods: pods) {
            let current = ownedByPorts.removeValue(forKey: group.ports) ?? []
            let chunks = stride(from: 0, to: group.endpoints.count, by: Compute.maxEndpointsPerSlice).map {
                Array(group.endpoints[$0..<min($0 + Compute.maxEndpointsPerSlice, group.endpoints.count)])
            }
            for (index, chunk) in chunks.enumerated() {
                guard index < current.count else {
                    creates.append(Compute.newSlice(for: service, ports: group.ports, endpoints: chunk))
                    continue
                }
                let slice = current[index]
                if (slice[path: ["metadata", "labels"]]?.objectValue ?? [:]) != labels || Self.list(slice["endpoints"]) != chunk {
                    var updated = slice
                    updated[path: ["metadata", "labels"]] = .object(labels)
                    updated["endpoints"] = .array(chunk)
                    updates.append(updated)
                }
            }
            deletes += current.dropFirst(chunks.count)
        }
        deletes += ownedByPorts.keys.sorted { JSONValue.array($0).jsonString < JSONValue.array($1).jsonString }.flatMap { ownedByPorts[$0]! }

        if deletes.count == existing.count, creates.isEmpty {
            let placeholder = Compute.newSlice(for: service, ports: [], endpoints: [])
            if deletes.count == 1, Self.isEquivalentPlaceholder(deletes[0], placeholder) {
                deletes = []
            } else {
                creates.append(placeholder)
            }
        }

        // Rewrite slices that would be deleted rather than creating new ones next to them.
        var index = 0
        while index < deletes.count, let replacement = creates.last {
            let candidate = deletes[index]
            guard Compute.isOwned(candidate, by: service), candidate["addressType"] == replacement["addressType"] else {
                index += 1
                continue
            }
            var rewritten = replacement
            rewritten["metadata"] = candidate["metadata"]
            rewritten[path: ["metadata", "labels"]] = replacement[path: ["metadata", "labels"]]
            rewritten[path: ["metadata", "ownerReferences"]] = replacement[path: ["metadata", "ownerReferences"]]
            rewritten[path: ["metadata", "annotations"]] = nil
            updates.append(rewritten)
            creates.removeLast()
            deletes.remove(at: index)
        }

        // No new slices for a Service being deleted: they would race the garbage collector.
        if let stamp = service[path: ["metadata", "deletionTimestamp"]], !stamp.isNull { creates = [] }
        self.creates = creates.map { slice in
            var named = slice
            named[path: ["metadata", "name"]] = .string(Compute.name(for: service, suffix: suffix()))
            return named
        }
        self.updates = updates
        self.deletes = deletes
    }

    /// `placeholderSliceCompare`: same namespace, labels, owners, address type, and nothing in it.
    private static func isEquivalentPlaceholder(_ slice: JSONValue, _ placeholder: JSONValue) -> Bool {
        slice[path: ["metadata", "namespace"]] == placeholder[path: ["metadata", "namespace"]]
            && (slice[path: ["metadata", "labels"]]?.objectValue ?? [:]) == (placeholder[path: ["metadata", "labels"]]?.objectValue ?? [:])
            && slice[path: ["metadata", "ownerReferences"]] == placeholder[path: ["metadata", "ownerReferences"]]
            && slice["addressType"] == placeholder["addressType"]
            && list(slice["endpoints"]).isEmpty && list(slice["ports"]).isEmpty
    }

    /// A list field read the way Go reads it: missing and null are empty.
    private static func list(_ value: JSONValue?) -> [JSONValue] { value?.arrayValue ?? [] }

    private static func name(of slice: JSONValue) -> String { slice[path: ["metadata", "name"]]?.stringValue ?? "" }
}
