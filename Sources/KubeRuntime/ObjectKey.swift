/// What a controller reconciles: one object, named by its cluster, namespace and name.
///
/// The same namespace and name in two clusters are two keys: each cluster's copy is reconciled
/// on its own, and a key's cluster is never lost on the way from event to reconciler.
public struct ObjectKey: Sendable, Hashable, Comparable, CustomStringConvertible {
    /// The cluster's name in the `ClusterSet`.
    public var cluster: String
    /// The namespace; empty for cluster-scoped objects.
    public var namespace: String
    /// The object's name.
    public var name: String

    /// A key; `namespace` is empty for cluster-scoped objects.
    public init(cluster: String, namespace: String, name: String) {
        self.cluster = cluster
        self.namespace = namespace
        self.name = name
    }

    /// `cluster/namespace/name` (`cluster/name` when cluster-scoped).
    public var description: String { namespace.isEmpty ? "\(cluster)/\(name)" : "\(cluster)/\(namespace)/\(name)" }

    public static func < (lhs: ObjectKey, rhs: ObjectKey) -> Bool {
        (lhs.cluster, lhs.namespace, lhs.name) < (rhs.cluster, rhs.namespace, rhs.name)
    }
}
