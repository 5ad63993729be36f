/// `metav1.ObjectMeta`: the metadata every persisted object has.
///
/// Timestamps are kept as the RFC 3339 strings the API server sends. Decoding ignores fields
/// it does not know (`managedFields`, …): read-modify-write through `JSONValue`, not this type.
public struct ObjectMeta: Codable, Sendable, Hashable {
    /// The object's name, unique within its namespace.
    public var name: String?
    /// A prefix the server completes into a unique name on create.
    public var generateName: String?
    /// The namespace (nil for cluster-scoped objects).
    public var namespace: String?
    /// The server-assigned unique ID.
    public var uid: String?
    /// The opaque version used for optimistic concurrency and watches.
    public var resourceVersion: String?
    /// Incremented by the server when the object's desired state (spec) changes.
    public var generation: Int64?
    /// When the object was created.
    public var creationTimestamp: String?
    /// When deletion was requested (set while finalizers remain).
    public var deletionTimestamp: String?
    /// Seconds the object has to terminate gracefully.
    public var deletionGracePeriodSeconds: Int64?
    /// Labels: identifying key/value pairs for selection.
    public var labels: [String: String]?
    /// Annotations: non-identifying metadata.
    public var annotations: [String: String]?
    /// The objects this one depends on (garbage collection).
    public var ownerReferences: [OwnerReference]?
    /// Finalizers that must be removed before the object is deleted.
    public var finalizers: [String]?

    /// Metadata with the given fields; everything else is nil.
    public init(
        name: String? = nil, namespace: String? = nil, labels: [String: String]? = nil,
        annotations: [String: String]? = nil, ownerReferences: [OwnerReference]? = nil, finalizers: [String]? = nil
    ) {
        self.name = name
        self.namespace = namespace
        self.labels = labels
        self.annotations = annotations
        self.ownerReferences = ownerReferences
        self.finalizers = finalizers
    }

    /// True once deletion was requested.
    public var isBeingDeleted: Bool { deletionTimestamp != nil }
}

/// `metav1.ListMeta`: the metadata of a list response.
public struct ListMeta: Codable, Sendable, Hashable {
    /// The resourceVersion the list was read at; watch from here.
    public var resourceVersion: String?
    /// The token that reads the next page; nil or empty on the last page.
    public var `continue`: String?
    /// An estimate of the items not yet returned (only with `limit`).
    public var remainingItemCount: Int64?

    /// Empty list metadata.
    public init(resourceVersion: String? = nil, continue: String? = nil) {
        self.resourceVersion = resourceVersion
        self.continue = `continue`
    }
}
