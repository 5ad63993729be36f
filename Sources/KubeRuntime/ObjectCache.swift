import KubeAPI
import Synchronization

/// A change the informer delivered to its handlers.
public enum InformerEvent: Sendable {
    /// An object appeared (first list, or created later).
    case added(JSONValue)
    /// An object changed; `old` is the cached version it replaced.
    case updated(old: JSONValue, new: JSONValue)
    /// An object disappeared (its last cached state).
    case deleted(JSONValue)

    /// The object the event is about (the new one for updates).
    public var object: JSONValue {
        switch self {
        case .added(let object), .deleted(let object), .updated(_, let object): return object
        }
    }
}

/// Transforms applied to objects before they are cached.
public enum ObjectTransforms {
    /// Drops `metadata.managedFields`, which is 20–25% of a typical object's bytes and never
    /// needed by controllers (controller-runtime's `TransformStripManagedFields`).
    public static let stripManagedFields: @Sendable (JSONValue) -> JSONValue = { object in
        guard object[path: ["metadata", "managedFields"]] != nil else { return object }
        var stripped = object
        stripped[path: ["metadata", "managedFields"]] = nil
        return stripped
    }
}

/// The cached objects of one resource in one cluster, with secondary indexes.
///
/// # Guarantees
/// - Reads are consistent snapshots (one lock); writes come only from the owning informer.
/// - Indexes by namespace, by owner UID (every owner reference) and by label `key=value` always
///   match the objects.
/// - `hasSynced` turns true after the first complete list and stays true (as client-go's).
public final class ObjectCache: Sendable {
    private struct State {
        var objects: [ObjectKey: JSONValue] = [:]
        var byNamespace: [String: Set<ObjectKey>] = [:]
        var byOwner: [String: Set<ObjectKey>] = [:]
        var byLabel: [String: Set<ObjectKey>] = [:]
        var synced = false
        var syncWaiters: [(id: UInt64, continuation: CheckedContinuation<Void, Never>)] = []
        var cancelledWaiters: Set<UInt64> = []
        var nextWaiterID: UInt64 = 0

        mutating func index(_ key: ObjectKey, _ object: JSONValue, insert: Bool) {
            func update(_ index: inout [String: Set<ObjectKey>], _ value: String) {
                if insert {
                    index[value, default: []].insert(key)
                } else {
                    index[value]?.remove(key)
                    if index[value]?.isEmpty == true { index[value] = nil }
                }
            }
            update(&byNamespace, key.namespace)
            for uid in ObjectCache.ownerUIDs(object) { update(&byOwner, uid) }
            for (label, value) in ObjectCache.labels(object) { update(&byLabel, "\(label)=\(value)") }
        }
    }

    /// The cluster the objects come from.
    public let cluster: String
    /// The resource cached.
    public let resource: ResourceDescriptor
    private let state = Mutex(State())

    /// An empty cache.
    public init(cluster: String, resource: ResourceDescriptor) {
        self.cluster = cluster
        self.resource = resource
    }

    // MARK: Reads

    /// The key of `object` in this cache's cluster.
    public func key(of object: JSONValue) -> ObjectKey {
        ObjectKey(cluster: cluster, namespace: object.namespace ?? "", name: object.name ?? "")
    }

    /// The object `name` in `namespace` (empty for cluster-scoped).
    public func get(namespace: String, name: String) -> JSONValue? {
        state.withLock { $0.objects[ObjectKey(cluster: cluster, namespace: namespace, name: name)] }
    }

    /// The object with `key` (its cluster must be this cache's).
    public func get(_ key: ObjectKey) -> JSONValue? {
        guard key.cluster == cluster else { return nil }
        return state.withLock { $0.objects[key] }
    }

    /// Every object, or those in `namespace`.
    public func list(namespace: String? = nil) -> [JSONValue] {
        state.withLock { state in
            guard let namespace else { return Array(state.objects.values) }
            return (state.byNamespace[namespace] ?? []).compactMap { state.objects[$0] }
        }
    }

    /// The objects with an owner reference to `uid`.
    public func list(ownerUID uid: String) -> [JSONValue] {
        state.withLock { state in (state.byOwner[uid] ?? []).compactMap { state.objects[$0] } }
    }

    /// The objects labelled `key=value`.
    public func list(label key: String, value: String) -> [JSONValue] {
        state.withLock { state in (state.byLabel["\(key)=\(value)"] ?? []).compactMap { state.objects[$0] } }
    }

    /// The objects whose labels match `selector` (equality requirements use the label index).
    public func list(matching selector: LabelSelector) -> [JSONValue] {
        state.withLock { state in
            var candidates: Set<ObjectKey>?
            for requirement in selector.requirements where requirement.op == .equals || requirement.op == .in {
                var keys: Set<ObjectKey> = []
                for value in requirement.values { keys.formUnion(state.byLabel["\(requirement.key)=\(value)"] ?? []) }
                candidates = candidates.map { $0.intersection(keys) } ?? keys
            }
            let keys = candidates.map(Array.init) ?? Array(state.objects.keys)
            return keys.compactMap { state.objects[$0] }.filter { selector.matches(Self.labels($0)) }
        }
    }

    /// Every cached key.
    public var keys: [ObjectKey] { state.withLock { Array($0.objects.keys) } }

    /// Number of cached objects.
    public var count: Int { state.withLock { $0.objects.count } }

    /// True once the first complete list was cached.
    public var hasSynced: Bool { state.withLock { $0.synced } }

    /// Returns once `hasSynced` is true, or the task is cancelled.
    public func waitForSync() async {
        let id = state.withLock { state in
            state.nextWaiterID += 1
            return state.nextWaiterID
        }
        await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                let ready = state.withLock { state in
                    if state.synced || state.cancelledWaiters.remove(id) != nil { return true }
                    state.syncWaiters.append((id, continuation))
                    return false
                }
                if ready { continuation.resume() }
            }
        } onCancel: {
            let waiter: CheckedContinuation<Void, Never>? = state.withLock { state in
                if let index = state.syncWaiters.firstIndex(where: { $0.id == id }) { return state.syncWaiters.remove(at: index).continuation }
                state.cancelledWaiters.insert(id)
                return nil
            }
            waiter?.resume()
        }
    }

    // MARK: Writes (the informer's)

    /// Stores `object`; returns the event to deliver, nil when the same resourceVersion is cached already.
    func upsert(_ object: JSONValue) -> InformerEvent? {
        let key = key(of: object)
        return state.withLock { state in
            let old = state.objects[key]
            if let old, let version = object.resourceVersion, old.resourceVersion == version { return nil }
            if let old { state.index(key, old, insert: false) }
            state.objects[key] = object
            state.index(key, object, insert: true)
            return old.map { .updated(old: $0, new: object) } ?? .added(object)
        }
    }

    /// Removes the object; returns the event to deliver, nil when it was not cached.
    func remove(_ object: JSONValue) -> InformerEvent? {
        let key = key(of: object)
        return state.withLock { state in
            guard let old = state.objects.removeValue(forKey: key) else { return nil }
            state.index(key, old, insert: false)
            return .deleted(object)
        }
    }

    /// Replaces everything with a fresh list; returns the differences as events (deletions of
    /// objects missing from the list, additions, and updates of changed resourceVersions) and
    /// marks the cache synced.
    func replaceAll(_ objects: [JSONValue]) -> [InformerEvent] {
        let (events, waiters): ([InformerEvent], [CheckedContinuation<Void, Never>]) = state.withLock { state in
            var events: [InformerEvent] = []
            var fresh: [ObjectKey: JSONValue] = [:]
            fresh.reserveCapacity(objects.count)
            for object in objects { fresh[key(of: object)] = object }
            for (key, old) in state.objects where fresh[key] == nil {
                state.objects[key] = nil
                state.index(key, old, insert: false)
                events.append(.deleted(old))
            }
            for (key, object) in fresh {
                if let old = state.objects[key] {
                    guard old.resourceVersion != object.resourceVersion || object.resourceVersion == nil else { continue }
                    state.index(key, old, insert: false)
                    events.append(.updated(old: old, new: object))
                } else {
                    events.append(.added(object))
                }
                state.objects[key] = object
                state.index(key, object, insert: true)
            }
            state.synced = true
            defer { state.syncWaiters = [] }
            return (events, state.syncWaiters.map(\.continuation))
        }
        for waiter in waiters { waiter.resume() }
        return events
    }

    // MARK: Object fields

    static func ownerUIDs(_ object: JSONValue) -> [String] {
        (object[path: ["metadata", "ownerReferences"]]?.arrayValue ?? []).compactMap { $0["uid"]?.stringValue }
    }

    static func labels(_ object: JSONValue) -> [String: String] {
        (object[path: ["metadata", "labels"]]?.objectValue ?? [:]).compactMapValues(\.stringValue)
    }
}
