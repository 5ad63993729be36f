import Foundation
import KubeAPI
import KubeNodeAgent

/// The node agent's view of the API server: reads, watches and writes on the emulator's store,
/// with the checks an HTTP client would meet (409 on a stale resourceVersion, 404, 409 on an
/// existing name), and service-account tokens from the emulator's TokenRequest issuer.
struct StoreClusterAccess: ClusterAccess {
    let store: ObjectStore
    let tokens: ServiceAccountTokens
    let endpoint: InClusterEndpoint?

    var inClusterEndpoint: InClusterEndpoint? { endpoint }

    static func storageKey(_ resource: ResourceDescriptor) -> StorageKey {
        StorageKey(group: resource.group, resource: resource.plural)
    }

    func changes(of resources: Set<ResourceDescriptor>) -> AsyncStream<Void> {
        let interest = Set(resources.map(Self.storageKey))
        let (id, signals) = store.modify { $0.addInternalWatcher(interest: interest) }
        return AsyncStream(bufferingPolicy: .bufferingNewest(1)) { continuation in
            let task = Task {
                for await _ in signals { continuation.yield() }
                continuation.finish()
            }
            continuation.onTermination = { _ in
                task.cancel()
                store.modify { $0.removeWatcher(id) }
            }
        }
    }

    func list(_ resource: ResourceDescriptor, namespace: String?) -> [JSONValue] {
        store.read { $0.objects(Self.storageKey(resource), namespace: namespace).map(\.object) }
    }

    func get(_ resource: ResourceDescriptor, namespace: String, name: String) -> JSONValue? {
        store.read { $0.object(Self.storageKey(resource), ObjectKey(namespace: resource.namespaced ? namespace : "", name: name)) }
    }

    func create(_ resource: ResourceDescriptor, _ object: JSONValue) throws(KubeStatus) -> JSONValue {
        var created = object
        let namespace = resource.namespaced ? (object[path: ["metadata", "namespace"]]?.stringValue ?? "default") : ""
        var name = object[path: ["metadata", "name"]]?.stringValue ?? ""
        if name.isEmpty, let prefix = object[path: ["metadata", "generateName"]]?.stringValue {
            name = prefix + UUIDText.nameSuffix()
        }
        created[path: ["metadata", "name"]] = .string(name)
        if resource.namespaced { created[path: ["metadata", "namespace"]] = .string(namespace) }
        created["apiVersion"] = .string(resource.apiVersion)
        created["kind"] = .string(resource.kind)
        let key = ObjectKey(namespace: namespace, name: name)
        return try store.withState { (state: inout StoreState) throws(KubeStatus) -> JSONValue in
            guard state.object(Self.storageKey(resource), key) == nil else {
                throw KubeStatus.alreadyExists(resource: resource.plural, group: resource.group, name: name)
            }
            return state.insertNew(Self.storageKey(resource), created, generation: false, now: Date())
        }
    }

    func update(_ resource: ResourceDescriptor, _ object: JSONValue) throws(KubeStatus) -> JSONValue {
        try replace(resource, object) { _, proposed in proposed }
    }

    func updateStatus(_ resource: ResourceDescriptor, _ object: JSONValue) throws(KubeStatus) -> JSONValue {
        try replace(resource, object) { current, proposed in
            var updated = current
            updated["status"] = proposed["status"]
            return updated
        }
    }

    private func replace(_ resource: ResourceDescriptor, _ object: JSONValue,
                         merge: (JSONValue, JSONValue) -> JSONValue) throws(KubeStatus) -> JSONValue {
        let namespace = resource.namespaced ? (object[path: ["metadata", "namespace"]]?.stringValue ?? "default") : ""
        let name = object[path: ["metadata", "name"]]?.stringValue ?? ""
        let key = ObjectKey(namespace: namespace, name: name)
        return try store.withState { (state: inout StoreState) throws(KubeStatus) -> JSONValue in
            let storage = Self.storageKey(resource)
            guard let current = state.object(storage, key) else {
                throw KubeStatus.notFound(resource: resource.plural, group: resource.group, name: name)
            }
            if let expected = object[path: ["metadata", "resourceVersion"]]?.stringValue,
               expected != current[path: ["metadata", "resourceVersion"]]?.stringValue {
                throw KubeStatus.conflict(resource: resource.plural, group: resource.group, name: name, reason: KubeStatus.modifiedDetail)
            }
            var updated = merge(current, object)
            for field in ["uid", "creationTimestamp", "deletionTimestamp", "deletionGracePeriodSeconds", "namespace", "name"] {
                updated[path: ["metadata", field]] = current[path: ["metadata", field]]
            }
            guard updated != current else { return current }
            return state.put(storage, key, updated)
        }
    }

    func delete(_ resource: ResourceDescriptor, namespace: String, name: String, uid: String) throws(KubeStatus) {
        let key = ObjectKey(namespace: resource.namespaced ? namespace : "", name: name)
        try store.withState { (state: inout StoreState) throws(KubeStatus) in
            let storage = Self.storageKey(resource)
            guard let current = state.object(storage, key) else { return }
            guard current[path: ["metadata", "uid"]]?.stringValue == uid else {
                throw KubeStatus.conflict(resource: resource.plural, group: resource.group, name: name,
                                          reason: "Precondition failed: UID in precondition: \(uid), UID in object meta: \(current[path: ["metadata", "uid"]]?.stringValue ?? "")")
            }
            _ = state.finishDeletion(storage, key, now: Date())
        }
    }

    func serviceAccountToken(namespace: String, serviceAccount: String, audiences: [String], expirationSeconds: Int,
                             boundPod: (name: String, uid: String)) throws(KubeStatus) -> (token: String, expiration: Date) {
        let account = store.read { $0.object(StorageKey(group: "", resource: "serviceaccounts"), ObjectKey(namespace: namespace, name: serviceAccount)) }
        guard account != nil || serviceAccount == "default" else {
            throw KubeStatus.notFound(resource: "serviceaccounts", group: "", name: serviceAccount)
        }
        return tokens.issue(namespace: namespace, name: serviceAccount, serviceAccountUID: account.flatMap(StoreState.uid(of:)),
                            boundPod: .init(name: boundPod.name, uid: boundPod.uid), audiences: audiences,
                            expirationSeconds: Int64(expirationSeconds))
    }
}
