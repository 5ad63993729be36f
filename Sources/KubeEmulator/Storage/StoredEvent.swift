import KubeAPI

/// One committed change, kept in the history for watch replay.
struct StoredEvent: Sendable {
    var resourceVersion: Int64
    var storage: StorageKey
    var type: WatchEventType
    /// The object after the change (for DELETED, the last state with the deletion's resourceVersion).
    var object: JSONValue
    /// The object before the change, so selector watches can tell entry from exit.
    var previous: JSONValue?

    var namespace: String { object[path: ["metadata", "namespace"]]?.stringValue ?? "" }
}

/// What a watcher's stream carries.
enum WatchSignal: Sendable {
    case event(StoredEvent)
    /// A bookmark at the given resourceVersion: every event up to it has been sent.
    case bookmark(Int64)
}

/// The identity of an object within its resource.
struct ObjectKey: Sendable, Hashable, Comparable {
    var namespace: String
    var name: String

    static func < (lhs: ObjectKey, rhs: ObjectKey) -> Bool {
        lhs.namespace != rhs.namespace ? lhs.namespace < rhs.namespace : lhs.name < rhs.name
    }

    /// The position used by list continue tokens.
    var token: String { namespace.isEmpty ? name : "\(namespace)/\(name)" }
}

/// Where an object is stored: its resource and key.
struct ObjectRef: Sendable, Hashable {
    var storage: StorageKey
    var key: ObjectKey
}
