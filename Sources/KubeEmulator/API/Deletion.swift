import KubeAPI

/// DELETE and deletecollection: DeleteOptions, preconditions, namespaces that empty themselves
/// before they go; the mechanics (finalizers, propagation, garbage collection) are the store's.
struct Deletion {
    let handler: ResourceHandler

    var definition: ResourceDefinition { handler.definition }

    /// DeleteOptions from the body (JSON) and the query.
    struct Options {
        var uid: String?
        var resourceVersion: String?
        var propagationPolicy: String?
        /// DeleteOptions.gracePeriodSeconds (body or query).
        var gracePeriodSeconds: Int64?

        init(request: EmulatorRequest) throws(KubeStatus) {
            var body: JSONValue = .emptyObject
            if !request.body.isEmpty {
                if request.contentType == KubernetesProtobuf.mediaType {
                    do { body = try KubernetesProtobuf.decode(request.body) } catch {
                        throw KubeStatus.badRequest("error decoding DeleteOptions: \(error)")
                    }
                } else {
                    do { body = try JSONValue(parsing: request.body) } catch {
                        throw KubeStatus.badRequest("error decoding DeleteOptions: \(error)")
                    }
                }
            }
            uid = body[path: ["preconditions", "uid"]]?.stringValue
            resourceVersion = body[path: ["preconditions", "resourceVersion"]]?.stringValue
            propagationPolicy = body["propagationPolicy"]?.stringValue ?? request.query["propagationPolicy"]
            gracePeriodSeconds = body["gracePeriodSeconds"]?.intValue ?? request.query["gracePeriodSeconds"].flatMap { Int64($0) }
            if body["orphanDependents"]?.boolValue == true || request.flag("orphanDependents") { propagationPolicy = "Orphan" }
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
        if definition.kind == "Namespace" {
            return deleteNamespace(key, object: object, state: &state)
        }
        return state.beginDeletion(definition.storageKey, key, propagation: options.propagationPolicy, now: handler.now,
                                   gracePeriodSeconds: options.gracePeriodSeconds) ?? object
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
        let storages = Set(state.registry.definitions.values.filter(\.namespaced).map(\.storageKey))
        for storage in storages {
            for (childKey, _) in state.objects(storage, namespace: key.name) {
                _ = state.beginDeletion(storage, childKey, propagation: nil, now: handler.now)
            }
        }
        state.finalizeNamespaceIfEmpty(key.name)
        return state.object(definition.storageKey, key) ?? marked
    }
}

extension ResourceHandler {
    func delete() throws(KubeStatus) -> EmulatorResponse {
        guard let name = path.name else { throw KubeStatus.methodNotAllowed() }
        let options = try Deletion.Options(request: request)
        let result = try store.withState { state throws(KubeStatus) -> (object: JSONValue, gone: Bool) in
            let object = try Deletion(handler: self).delete(key(name), options: options, state: &state)
            return (object, state.object(definition.storageKey, key(name)) == nil)
        }
        // kube-apiserver returns the deleted object for custom resources and pods (and any object
        // still waiting on finalizers); other built-in kinds answer with a Success Status.
        if result.gone, !definition.isCustom, definition.kind != "Pod" {
            return .json([
                "kind": "Status", "apiVersion": "v1", "metadata": .emptyObject, "status": "Success",
                "details": ["name": .string(name), "group": .string(definition.group), "kind": .string(definition.plural),
                            "uid": result.object[path: ["metadata", "uid"]] ?? ""],
            ])
        }
        return .json(present(result.object))
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
