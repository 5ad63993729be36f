import Foundation
import KubeAPI
import Synchronization

/// The emulator's in-memory state: every object, the resource registry, the global
/// resourceVersion counter, the event history and the open watches, behind one lock.
///
/// # Guarantees
/// - One global, strictly increasing resourceVersion; every committed change gets the next one.
/// - A change and its watch events are published atomically: a watch registered before the change
///   sees it exactly once, a watch registered after sees it only through replay.
/// - A CRD write updates the registry in the same critical section.
final class ObjectStore: Sendable {
    private let state: Mutex<StoreState>

    init(historyCapacity: Int) {
        state = Mutex(StoreState(history: EventHistory(capacity: historyCapacity)))
    }

    /// Runs `body` with exclusive access to the state.
    func withState<Result: Sendable>(_ body: (inout StoreState) throws(KubeStatus) -> Result) throws(KubeStatus) -> Result {
        try state.withLock { (state: inout StoreState) throws(KubeStatus) -> Result in try body(&state) }
    }

    /// Runs a non-throwing `body` that changes the state, with exclusive access.
    func modify<Result: Sendable>(_ body: (inout StoreState) -> Result) -> Result {
        state.withLock { body(&$0) }
    }

    /// Reads the state under the lock; `body` cannot change it.
    func read<Result: Sendable>(_ body: (StoreState) -> Result) -> Result {
        state.withLock { body($0) }
    }
}

/// The state guarded by `ObjectStore`'s lock. Its methods are the only way objects change.
struct StoreState: Sendable {
    /// One open watch.
    struct Watcher: Sendable {
        /// nil: every resource (the emulator's own controllers).
        var storage: StorageKey?
        /// nil: every namespace.
        var namespace: String?
        var continuation: AsyncStream<WatchSignal>.Continuation
        /// For an internal watcher: the resources whose changes wake it (nil: all).
        var interest: Set<StorageKey>? = nil
    }

    private(set) var resourceVersion: Int64 = 0
    private(set) var objects: [StorageKey: [ObjectKey: JSONValue]] = [:]
    /// Every stored object by uid.
    private(set) var objectsByUID: [String: ObjectRef] = [:]
    /// The objects naming each uid in their ownerReferences (the garbage collector's graph).
    private(set) var dependentsByOwner: [String: Set<ObjectRef>] = [:]
    /// Owner uids whose dependents the garbage collector must look at.
    var garbageCandidates: Set<String> = []
    private(set) var history: EventHistory
    private var watchers: [Int: Watcher] = [:]
    private var nextWatcherID = 0
    var registry = ResourceRegistry()
    /// Pods on a node are deleted as kube-apiserver does with a kubelet running them: marked with
    /// `deletionTimestamp` and kept until the kubelet has stopped them (`--run-pods`).
    var gracefulPodDeletion = false
    /// Bumped on every change of an RBAC object, so the authorizer knows when to re-read them.
    private(set) var rbacGeneration = 0
    /// True while aggregated ClusterRoles are being rewritten (their own writes do not recurse).
    var aggregatingClusterRoles = false

    /// Events a watch may fall behind by before it is closed (the client then resumes from its last resourceVersion).
    static let watchBufferLimit = 10_000

    init(history: EventHistory) {
        self.history = history
    }

    // MARK: Reading

    func object(_ storage: StorageKey, _ key: ObjectKey) -> JSONValue? {
        objects[storage]?[key]
    }

    /// Objects of a resource, optionally in one namespace, sorted by namespace and name.
    func objects(_ storage: StorageKey, namespace: String?) -> [(key: ObjectKey, object: JSONValue)] {
        let all = objects[storage] ?? [:]
        let selected = namespace.map { ns in all.filter { $0.key.namespace == ns } } ?? all
        return selected.sorted { $0.key < $1.key }.map { ($0.key, $0.value) }
    }

    /// Whether any object lives in the namespace (any resource).
    func namespaceHasObjects(_ namespace: String) -> Bool {
        objects.values.contains { $0.keys.contains { $0.namespace == namespace } }
    }

    var openWatchCount: Int { watchers.values.filter { $0.storage != nil }.count }

    // MARK: Writing

    /// Stores `object` with the next resourceVersion and publishes ADDED or MODIFIED.
    @discardableResult
    mutating func put(_ storage: StorageKey, _ key: ObjectKey, _ object: JSONValue) -> JSONValue {
        resourceVersion += 1
        var stored = object
        stored[path: ["metadata", "resourceVersion"]] = .string(String(resourceVersion))
        let previous = objects[storage]?[key]
        objects[storage, default: [:]][key] = stored
        reindex(ObjectRef(storage: storage, key: key), from: previous, to: stored)
        publish(StoredEvent(resourceVersion: resourceVersion, storage: storage, type: previous == nil ? .added : .modified, object: stored, previous: previous))
        noteRBACChange(storage)
        return objects[storage]?[key] ?? stored
    }

    /// Stores a new object made by the emulator's own controllers, with the metadata the server
    /// sets on create (uid, creationTimestamp, generation 1 when asked), under its namespace and name.
    @discardableResult
    mutating func insertNew(_ storage: StorageKey, _ object: JSONValue, generation: Bool, now: Date) -> JSONValue {
        var created = object
        created[path: ["metadata", "uid"]] = .string(UUIDText.random())
        created[path: ["metadata", "creationTimestamp"]] = .string(Timestamp.rfc3339(now))
        if generation { created[path: ["metadata", "generation"]] = 1 }
        let key = ObjectKey(namespace: created[path: ["metadata", "namespace"]]?.stringValue ?? "",
                            name: created[path: ["metadata", "name"]]?.stringValue ?? "")
        return put(storage, key, created)
    }

    /// Removes an object, publishing DELETED with a new resourceVersion; returns its last state.
    @discardableResult
    mutating func remove(_ storage: StorageKey, _ key: ObjectKey) -> JSONValue? {
        guard let previous = objects[storage]?[key] else { return nil }
        resourceVersion += 1
        var last = previous
        last[path: ["metadata", "resourceVersion"]] = .string(String(resourceVersion))
        objects[storage]?[key] = nil
        reindex(ObjectRef(storage: storage, key: key), from: previous, to: nil)
        publish(StoredEvent(resourceVersion: resourceVersion, storage: storage, type: .deleted, object: last, previous: previous))
        noteRBACChange(storage)
        return last
    }

    /// Deletes every object of a resource, publishing DELETED for each (a CRD's instances when the CRD goes).
    mutating func dropAll(_ storage: StorageKey) {
        for key in (objects[storage] ?? [:]).keys { remove(storage, key) }
        objects[storage] = nil
    }

    /// The objects whose ownerReferences name `uid`.
    func dependents(of uid: String) -> Set<ObjectRef> {
        dependentsByOwner[uid] ?? []
    }

    /// Keeps the uid and owner indexes in step with a change, and tells the garbage collector
    /// which owners to look at: a vanished owner, a missing owner, an owner whose dependent left.
    private mutating func reindex(_ ref: ObjectRef, from previous: JSONValue?, to current: JSONValue?) {
        if let previous {
            if let uid = Self.uid(of: previous) { objectsByUID[uid] = nil }
            for owner in Self.ownerUIDs(of: previous) {
                dependentsByOwner[owner]?.remove(ref)
                if dependentsByOwner[owner]?.isEmpty == true { dependentsByOwner[owner] = nil }
                if current == nil { garbageCandidates.insert(owner) }
            }
        }
        if let current {
            if let uid = Self.uid(of: current) {
                objectsByUID[uid] = ref
                let finalizers = current[path: ["metadata", "finalizers"]]?.arrayValue ?? []
                if current[path: ["metadata", "deletionTimestamp"]] != nil,
                    finalizers.contains(.string(Self.orphanFinalizer)) || finalizers.contains(.string(Self.foregroundFinalizer))
                {
                    garbageCandidates.insert(uid)
                }
            }
            for owner in Self.ownerUIDs(of: current) {
                dependentsByOwner[owner, default: []].insert(ref)
                if objectsByUID[owner] == nil { garbageCandidates.insert(owner) }
            }
        } else if let previous, let uid = Self.uid(of: previous), dependentsByOwner[uid] != nil {
            garbageCandidates.insert(uid)
        }
    }

    /// Counts an RBAC change and, for a ClusterRole, re-aggregates the ClusterRoles that select others.
    private mutating func noteRBACChange(_ storage: StorageKey) {
        guard storage.group == RBACPolicy.group else { return }
        rbacGeneration += 1
        if storage.resource == "clusterroles" { aggregateClusterRoles() }
    }

    static func uid(of object: JSONValue) -> String? {
        object[path: ["metadata", "uid"]]?.stringValue
    }

    private mutating func publish(_ event: StoredEvent) {
        history.append(event)
        var closed: [Int] = []
        for (id, watcher) in watchers where watcher.storage == nil || watcher.storage == event.storage {
            if let namespace = watcher.namespace, namespace != event.namespace { continue }
            if let interest = watcher.interest, !interest.contains(event.storage) { continue }
            // The internal watcher keeps only the newest signal: it is a wake-up, not a feed.
            if case .dropped = watcher.continuation.yield(.event(event)), watcher.storage != nil {
                watcher.continuation.finish()
                closed.append(id)
            }
        }
        for id in closed { watchers[id] = nil }
    }

    // MARK: Watches

    /// Registers a watch and returns the events to replay after `resourceVersion`
    /// (nil: start from now), or nil replay when the history no longer reaches back that far.
    mutating func addWatcher(_ storage: StorageKey, namespace: String?, after start: Int64?) -> (id: Int, stream: AsyncStream<WatchSignal>, replay: [StoredEvent])? {
        var replay: [StoredEvent] = []
        if let start {
            guard let events = history.events(after: start) else { return nil }
            replay = events.filter { $0.storage == storage && (namespace == nil || $0.namespace == namespace) }
        }
        let (stream, continuation) = AsyncStream<WatchSignal>.makeStream(bufferingPolicy: .bufferingOldest(Self.watchBufferLimit))
        nextWatcherID += 1
        watchers[nextWatcherID] = Watcher(storage: storage, namespace: namespace, continuation: continuation)
        return (nextWatcherID, stream, replay)
    }

    mutating func removeWatcher(_ id: Int) {
        watchers.removeValue(forKey: id)?.continuation.finish()
    }

    /// Registers a watch of every resource, for the emulator's own controllers.
    /// Registers one of the emulator's own controllers, woken by changes of `interest` (nil:
    /// every resource) and by `sendBookmark(toInternal:)`.
    mutating func addInternalWatcher(interest: Set<StorageKey>? = nil) -> (id: Int, stream: AsyncStream<WatchSignal>) {
        let (stream, continuation) = AsyncStream<WatchSignal>.makeStream(bufferingPolicy: .bufferingNewest(1))
        nextWatcherID += 1
        watchers[nextWatcherID] = Watcher(storage: nil, namespace: nil, continuation: continuation, interest: interest)
        return (nextWatcherID, stream)
    }

    /// Wakes the emulator's own controllers.
    func sendBookmark(toInternal: Void) {
        for watcher in watchers.values where watcher.storage == nil { _ = watcher.continuation.yield(.bookmark(resourceVersion)) }
    }

    /// Sends a bookmark at the current resourceVersion to one watch.
    func sendBookmark(to id: Int) {
        _ = watchers[id]?.continuation.yield(.bookmark(resourceVersion))
    }

    /// Closes every open watch (clients resume from their last resourceVersion).
    mutating func closeAllWatches() -> Int {
        let clients = watchers.filter { $0.value.storage != nil }
        for (id, watcher) in clients {
            watcher.continuation.finish()
            watchers[id] = nil
        }
        return clients.count
    }

    /// Forgets the event history: resuming a watch from any earlier resourceVersion gets 410.
    mutating func compactHistory() {
        history.compact(through: resourceVersion)
    }
}
