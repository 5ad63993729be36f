import Foundation
import KubeAPI
import KubeNodeAgent
import Synchronization

/// A ``ClusterAccess`` over a dictionary, for testing the node agent's controllers without an
/// API server: uids, resourceVersions and `generateName` as kube-apiserver assigns them, 409 on
/// a stale resourceVersion or an existing name, a log of every write made through the protocol,
/// and change signals to every `changes(of:)` stream.
final class InMemoryCluster: ClusterAccess {
    private struct Key: Hashable {
        var resource: ResourceDescriptor
        var namespace: String
        var name: String
    }

    private struct State {
        var objects: [Key: JSONValue] = [:]
        var resourceVersion = 0
        var writes: [String] = []
        var watchers: [UUID: (resources: Set<ResourceDescriptor>, continuation: AsyncStream<Void>.Continuation)] = [:]
        var interfering: Set<ResourceDescriptor> = []
    }

    private let state = Mutex(State())

    var inClusterEndpoint: InClusterEndpoint? { nil }

    /// The writes made through the protocol (`create endpoints default/web`), oldest first.
    var writes: [String] { state.withLock { $0.writes } }

    /// Forgets the write log.
    func clearWrites() { state.withLock { $0.writes = [] } }

    /// Makes the next update of an object of `resource` race another writer: the object changes
    /// just before, so the update meets a stale resourceVersion (409).
    func interfereWithNextUpdate(of resource: ResourceDescriptor) { state.withLock { _ = $0.interfering.insert(resource) } }

    /// Stores an object as another writer would (not logged), assigning uid and resourceVersion
    /// when missing, and signals the change. Returns the stored object.
    @discardableResult
    func put(_ resource: ResourceDescriptor, _ object: JSONValue) -> JSONValue {
        state.withLock { state in
            var stored = object
            if stored[path: ["metadata", "uid"]] == nil { stored[path: ["metadata", "uid"]] = .string(UUID().uuidString.lowercased()) }
            return Self.store(&state, resource, stored)
        }
    }

    /// Removes an object as another writer would (not logged).
    func remove(_ resource: ResourceDescriptor, namespace: String, name: String) {
        state.withLock { state in
            state.objects[Key(resource: resource, namespace: namespace, name: name)] = nil
            Self.signal(&state, resource)
        }
    }

    func changes(of resources: Set<ResourceDescriptor>) -> AsyncStream<Void> {
        let (stream, continuation) = AsyncStream.makeStream(of: Void.self, bufferingPolicy: .bufferingNewest(1))
        let id = UUID()
        state.withLock { $0.watchers[id] = (resources, continuation) }
        continuation.onTermination = { [weak self] _ in
            _ = self?.state.withLock { $0.watchers.removeValue(forKey: id) }
        }
        return stream
    }

    func list(_ resource: ResourceDescriptor, namespace: String?) -> [JSONValue] {
        state.withLock { state in
            state.objects.filter { $0.key.resource == resource && (namespace == nil || $0.key.namespace == namespace) }
                .sorted { ($0.key.namespace, $0.key.name) < ($1.key.namespace, $1.key.name) }.map(\.value)
        }
    }

    func get(_ resource: ResourceDescriptor, namespace: String, name: String) -> JSONValue? {
        state.withLock { $0.objects[Key(resource: resource, namespace: namespace, name: name)] }
    }

    func create(_ resource: ResourceDescriptor, _ object: JSONValue) throws(KubeStatus) -> JSONValue {
        var created = object
        var name = object[path: ["metadata", "name"]]?.stringValue ?? ""
        if name.isEmpty { name = (object[path: ["metadata", "generateName"]]?.stringValue ?? "") + "abcde" }
        created[path: ["metadata", "name"]] = .string(name)
        created[path: ["metadata", "uid"]] = .string(UUID().uuidString.lowercased())
        let key = Self.key(resource, created)
        return try state.withLock { (state: inout State) throws(KubeStatus) -> JSONValue in
            guard state.objects[key] == nil else {
                throw KubeStatus(code: 409, reason: "AlreadyExists", message: "\(resource.plural) \"\(name)\" already exists")
            }
            state.writes.append("create \(resource.plural) \(key.namespace)/\(name)")
            return Self.store(&state, resource, created)
        }
    }

    func update(_ resource: ResourceDescriptor, _ object: JSONValue) throws(KubeStatus) -> JSONValue {
        try replace(resource, object, verb: "update") { _, proposed in proposed }
    }

    func updateStatus(_ resource: ResourceDescriptor, _ object: JSONValue) throws(KubeStatus) -> JSONValue {
        try replace(resource, object, verb: "updateStatus") { current, proposed in
            var updated = current
            updated["status"] = proposed["status"]
            return updated
        }
    }

    func delete(_ resource: ResourceDescriptor, namespace: String, name: String, uid: String) throws(KubeStatus) {
        try state.withLock { (state: inout State) throws(KubeStatus) in
            let key = Key(resource: resource, namespace: namespace, name: name)
            guard let current = state.objects[key] else { return }
            guard current[path: ["metadata", "uid"]]?.stringValue == uid else {
                throw KubeStatus(code: 409, reason: "Conflict", message: "Precondition failed: UID in precondition: \(uid)")
            }
            state.objects[key] = nil
            state.writes.append("delete \(resource.plural) \(namespace)/\(name)")
            Self.signal(&state, resource)
        }
    }

    func serviceAccountToken(namespace: String, serviceAccount: String, audiences: [String], expirationSeconds: Int,
                             boundPod: (name: String, uid: String)) throws(KubeStatus) -> (token: String, expiration: Date) {
        throw KubeStatus(code: 501, reason: "NotImplemented", message: "InMemoryCluster issues no tokens")
    }

    private func replace(_ resource: ResourceDescriptor, _ object: JSONValue, verb: String,
                         merge: (JSONValue, JSONValue) -> JSONValue) throws(KubeStatus) -> JSONValue {
        let key = Self.key(resource, object)
        return try state.withLock { (state: inout State) throws(KubeStatus) -> JSONValue in
            guard var current = state.objects[key] else {
                throw KubeStatus(code: 404, reason: "NotFound", message: "\(resource.plural) \"\(key.name)\" not found")
            }
            if state.interfering.remove(resource) != nil { current = Self.store(&state, resource, current) }
            if let expected = object[path: ["metadata", "resourceVersion"]], expected != current[path: ["metadata", "resourceVersion"]] {
                throw KubeStatus(code: 409, reason: "Conflict", message: "the object has been modified; please apply your changes to the latest version and try again")
            }
            var updated = merge(current, object)
            updated[path: ["metadata", "uid"]] = current[path: ["metadata", "uid"]]
            state.writes.append("\(verb) \(resource.plural) \(key.namespace)/\(key.name)")
            return Self.store(&state, resource, updated)
        }
    }

    private static func key(_ resource: ResourceDescriptor, _ object: JSONValue) -> Key {
        Key(resource: resource, namespace: object[path: ["metadata", "namespace"]]?.stringValue ?? "",
            name: object[path: ["metadata", "name"]]?.stringValue ?? "")
    }

    private static func store(_ state: inout State, _ resource: ResourceDescriptor, _ object: JSONValue) -> JSONValue {
        state.resourceVersion += 1
        var stored = object
        stored[path: ["metadata", "resourceVersion"]] = .string(String(state.resourceVersion))
        state.objects[key(resource, stored)] = stored
        signal(&state, resource)
        return stored
    }

    private static func signal(_ state: inout State, _ resource: ResourceDescriptor) {
        for watcher in state.watchers.values where watcher.resources.contains(resource) {
            watcher.continuation.yield()
        }
    }
}
