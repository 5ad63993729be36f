import KubeAPI

/// Deletes objects as kube-apiserver does: preconditions, finalizers (mark with
/// `deletionTimestamp` and keep), namespaces that empty themselves before they go, and a CRD's
/// instances with their CRD.
struct Deletion {
    let handler: ResourceHandler

    var definition: ResourceDefinition { handler.definition }

    /// DeleteOptions from the body (JSON) and the query.
    struct Options {
        var uid: String?
        var resourceVersion: String?
        var propagationPolicy: String?

        init(request: EmulatorRequest) throws(KubeStatus) {
            var body: JSONValue = .emptyObject
            if !request.body.isEmpty {
                do { body = try JSONValue(parsing: request.body) } catch {
                    throw KubeStatus.badRequest("error decoding DeleteOptions: \(error)")
                }
            }
            uid = body[path: ["preconditions", "uid"]]?.stringValue
            resourceVersion = body[path: ["preconditions", "resourceVersion"]]?.stringValue
            propagationPolicy = body["propagationPolicy"]?.stringValue ?? request.query["propagationPolicy"]
            if let policy = propagationPolicy, !["Background", "Foreground", "Orphan"].contains(policy) {
                throw KubeStatus.badRequest("DeleteOptions.meta.k8s.io \"\" is invalid: propagationPolicy: Unsupported value: \"\(policy)\": supported values: \"Foreground\", \"Background\", \"Orphan\", \"nil\"")
            }
        }
    }

    /// Deletes one object; returns its state after the call (marked, or its last state).
    func delete(_ key: ObjectKey, options: Options, state: inout StoreState) throws(KubeStatus) -> JSONValue {
        guard let object = state.object(definition.storageKey, key) else { throw handler.notFound(key.name) }
        let uid = object[path: ["metadata", "uid"]]?.stringValue ?? ""
        let rv = object[path: ["metadata", "resourceVersion"]]?.stringValue ?? ""
        if let expected = options.uid, expected != uid {
            throw KubeStatus.conflict(resource: definition.plural, group: definition.group, name: key.name,
                reason: "Precondition failed: UID in precondition: \(expected), UID in object meta: \(uid)")
        }
        if let expected = options.resourceVersion, expected != rv {
            throw KubeStatus.conflict(resource: definition.plural, group: definition.group, name: key.name,
                reason: "Precondition failed: ResourceVersion in precondition: \(expected), ResourceVersion in object meta: \(rv)")
        }
        if handler.isDryRun { return object }
        let finalizers = object[path: ["metadata", "finalizers"]]?.arrayValue ?? []
        if definition.kind == "Namespace" {
            return deleteNamespace(key, object: object, state: &state)
        }
        if !finalizers.isEmpty {
            guard object[path: ["metadata", "deletionTimestamp"]] == nil else { return object }
            var marked = object
            marked[path: ["metadata", "deletionTimestamp"]] = .string(Timestamp.rfc3339(handler.now))
            marked[path: ["metadata", "deletionGracePeriodSeconds"]] = .int(0)
            return state.put(definition.storageKey, key, marked)
        }
        return finishDeletion(key, state: &state) ?? object
    }

    /// Removes the object for good, with what goes with it.
    @discardableResult
    func finishDeletion(_ key: ObjectKey, state: inout StoreState) -> JSONValue? {
        let last = state.remove(definition.storageKey, key)
        if definition.kind == "CustomResourceDefinition", let crd = last {
            for served in CustomResourceDefinitions.definitions(of: crd).prefix(1) { state.dropAll(served.storageKey) }
            KindSemantics.refreshCustomResources(&state)
        }
        if definition.namespaced { Self.finalizeNamespaceIfEmpty(key.namespace, state: &state) }
        return last
    }

    private func deleteNamespace(_ key: ObjectKey, object: JSONValue, state: inout StoreState) -> JSONValue {
        var marked = object
        if marked[path: ["metadata", "deletionTimestamp"]] == nil {
            marked[path: ["metadata", "deletionTimestamp"]] = .string(Timestamp.rfc3339(handler.now))
            marked[path: ["metadata", "deletionGracePeriodSeconds"]] = .int(0)
            marked[path: ["status", "phase"]] = "Terminating"
            marked = state.put(definition.storageKey, key, marked)
        }
        // The namespace controller's work: delete everything inside, honouring finalizers.
        for definition in state.registry.definitions.values where definition.namespaced && definition.version == definition.storageVersion {
            for (childKey, child) in state.objects(definition.storageKey, namespace: key.name) {
                if (child[path: ["metadata", "finalizers"]]?.arrayValue ?? []).isEmpty {
                    state.remove(definition.storageKey, childKey)
                } else if child[path: ["metadata", "deletionTimestamp"]] == nil {
                    var childMarked = child
                    childMarked[path: ["metadata", "deletionTimestamp"]] = .string(Timestamp.rfc3339(handler.now))
                    childMarked[path: ["metadata", "deletionGracePeriodSeconds"]] = .int(0)
                    state.put(definition.storageKey, childKey, childMarked)
                }
            }
        }
        Self.finalizeNamespaceIfEmpty(key.name, state: &state)
        return state.object(definition.storageKey, key) ?? marked
    }

    /// Removes a terminating namespace once nothing is left in it.
    static func finalizeNamespaceIfEmpty(_ namespace: String, state: inout StoreState) {
        let storage = StorageKey(group: "", resource: "namespaces")
        let key = ObjectKey(namespace: "", name: namespace)
        guard let ns = state.object(storage, key), ns[path: ["metadata", "deletionTimestamp"]] != nil,
            (ns[path: ["metadata", "finalizers"]]?.arrayValue ?? []).isEmpty, !state.namespaceHasObjects(namespace)
        else { return }
        state.remove(storage, key)
    }
}

extension ResourceHandler {
    func delete() throws(KubeStatus) -> EmulatorResponse {
        guard let name = path.name else { throw KubeStatus.methodNotAllowed() }
        let options = try Deletion.Options(request: request)
        let result = try store.withState { state throws(KubeStatus) -> JSONValue in
            try Deletion(handler: self).delete(key(name), options: options, state: &state)
        }
        return .json(present(result))
    }

    func deleteCollection() throws(KubeStatus) -> EmulatorResponse {
        let (labels, fields) = try selectors()
        let options = try Deletion.Options(request: request)
        let scope = definition.namespaced ? path.namespace : nil
        let deleted = try store.withState { state throws(KubeStatus) -> [JSONValue] in
            var results: [JSONValue] = []
            for (key, object) in state.objects(definition.storageKey, namespace: scope) where matches(object, labels, fields) {
                results.append(try Deletion(handler: self).delete(key, options: options, state: &state))
            }
            return results
        }
        let rv = store.read { String($0.resourceVersion) }
        return .json(["kind": .string(definition.listKind), "apiVersion": .string(definition.apiVersion),
                      "metadata": ["resourceVersion": .string(rv)], "items": .array(deleted.map(present))])
    }
}
