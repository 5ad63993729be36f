import KubeRuntime

/// One fleet: the FraudModels with this namespace and name in every member cluster.
public struct FleetID: Sendable, Hashable, CustomStringConvertible {
    /// The namespace.
    public var namespace: String
    /// The name.
    public var name: String

    /// A fleet.
    public init(namespace: String, name: String) {
        self.namespace = namespace
        self.name = name
    }

    /// The fleet a key of any member cluster belongs to.
    public init(_ key: ObjectKey) {
        self.init(namespace: key.namespace, name: key.name)
    }

    /// `namespace/name`.
    public var description: String { "\(namespace)/\(name)" }
}
