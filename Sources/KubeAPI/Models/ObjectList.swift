/// A list response (`ConfigMapList`, `WidgetList`, …) with typed items.
public struct ObjectList<Item: KubeObjectConvertible>: Sendable {
    /// The list's metadata: its resourceVersion and the continue token.
    public var metadata: ListMeta
    /// The items.
    public var items: [Item]

    /// A list from its parts.
    public init(metadata: ListMeta, items: [Item]) {
        self.metadata = metadata
        self.items = items
    }

    /// Decodes a list response.
    public init(json: JSONValue) throws(JSONConversionError) {
        let meta = json["metadata"] ?? .emptyObject
        self.metadata = ListMeta(
            resourceVersion: meta["resourceVersion"]?.stringValue, continue: meta["continue"]?.stringValue)
        self.metadata.remainingItemCount = meta["remainingItemCount"]?.intValue
        var items: [Item] = []
        for item in json["items"]?.arrayValue ?? [] { items.append(try Item(kubeJSON: item)) }
        self.items = items
    }

    /// The continue token of the next page; nil on the last page.
    public var continueToken: String? {
        guard let token = metadata.continue, !token.isEmpty else { return nil }
        return token
    }
}

/// `autoscaling/v1` Scale: the scale subresource's body.
public struct Scale: Codable, Sendable, Hashable, KubeObjectConvertible {
    /// The desired replica count.
    public struct Spec: Codable, Sendable, Hashable {
        /// The replica count.
        public var replicas: Int32?
        /// A spec asking for `replicas`.
        public init(replicas: Int32? = nil) { self.replicas = replicas }
    }

    /// The observed replica count and selector.
    public struct Status: Codable, Sendable, Hashable {
        /// The replica count.
        public var replicas: Int32
        /// The label selector of the pods.
        public var selector: String?
    }

    /// The API version (`group/version`).
    public var apiVersion: String? = "autoscaling/v1"
    /// The kind.
    public var kind: String? = "Scale"
    /// Standard object metadata.
    public var metadata: ObjectMeta
    /// The desired state.
    public var spec: Spec
    /// The observed state, written by controllers.
    public var status: Status?

    /// A Scale asking for `replicas` (metadata as read, with its resourceVersion, for a conditional replace).
    public init(metadata: ObjectMeta, replicas: Int32) {
        self.metadata = metadata
        self.spec = Spec(replicas: replicas)
    }
}
