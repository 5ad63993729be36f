import KubeAPI

/// Decides which informer events enqueue a reconcile.
public struct EventPredicate: Sendable {
    /// True to enqueue.
    public let accepts: @Sendable (InformerEvent) -> Bool

    /// A predicate from a closure.
    public init(_ accepts: @escaping @Sendable (InformerEvent) -> Bool) { self.accepts = accepts }

    /// Every event.
    public static let always = EventPredicate { _ in true }

    /// Adds and deletes, and updates that change `metadata.generation` (spec changes; status-only
    /// writes are skipped), the UID (a recreated object, kube-rs#1830) or set `deletionTimestamp`.
    /// Objects without a generation always pass.
    public static let generationChanged = EventPredicate { event in
        guard case .updated(let old, let new) = event else { return true }
        let oldGeneration = old[path: ["metadata", "generation"]]?.intValue
        let newGeneration = new[path: ["metadata", "generation"]]?.intValue
        guard let oldGeneration, let newGeneration else { return true }
        if oldGeneration != newGeneration { return true }
        if old[path: ["metadata", "uid"]] != new[path: ["metadata", "uid"]] { return true }
        return old[path: ["metadata", "deletionTimestamp"]] == nil && new[path: ["metadata", "deletionTimestamp"]] != nil
    }
}

/// Where an owned object's change sends its owner's key.
public enum OwnerMapping: Sendable {
    /// The owner in the owned object's cluster.
    case sameCluster
    /// The owner's namespace and name in every cluster of the set (a fleet-wide owner, whose
    /// copies in all clusters form one object).
    case fleet
    /// Custom: from the owner's key in the owned object's cluster to the keys to enqueue.
    case custom(@Sendable (ObjectKey) -> [ObjectKey])
}

enum OwnerReferences {
    /// The keys of `object`'s owners of `kind` in `group` (controller references only when
    /// `controllerOnly`), in `cluster`.
    static func ownerKeys(of object: JSONValue, cluster: String, kind: String, group: String, controllerOnly: Bool) -> [ObjectKey] {
        let references = object[path: ["metadata", "ownerReferences"]]?.arrayValue ?? []
        return references.compactMap { reference in
            guard reference["kind"]?.stringValue == kind, let name = reference["name"]?.stringValue else { return nil }
            let apiVersion = reference["apiVersion"]?.stringValue ?? ""
            let referenceGroup = apiVersion.contains("/") ? String(apiVersion.split(separator: "/")[0]) : ""
            guard referenceGroup == group else { return nil }
            if controllerOnly, reference["controller"]?.boolValue != true { return nil }
            return ObjectKey(cluster: cluster, namespace: object.namespace ?? "", name: name)
        }
    }
}
