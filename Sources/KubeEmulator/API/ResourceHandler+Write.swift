import Foundation
import KubeAPI

extension ResourceHandler {
    /// The request body as an object (JSON, YAML for `application/yaml`, or protobuf).
    func decodedBody() throws(KubeStatus) -> JSONValue {
        try request.decodedObject()
    }

    /// Checks the body's apiVersion and kind against the endpoint, as the decoder does. Built-in
    /// kinds default a missing apiVersion and kind from the URL; custom resources must carry them.
    func checkTypeMeta(_ object: inout JSONValue) throws(KubeStatus) {
        if !definition.isCustom {
            if (object["kind"]?.stringValue ?? "").isEmpty { object["kind"] = .string(definition.kind) }
            if (object["apiVersion"]?.stringValue ?? "").isEmpty { object["apiVersion"] = .string(definition.apiVersion) }
        }
        guard let kind = object["kind"]?.stringValue, !kind.isEmpty else { throw KubeStatus.badRequest("Object 'Kind' is missing in '\(object.jsonString.prefix(200))'") }
        guard let apiVersion = object["apiVersion"]?.stringValue, !apiVersion.isEmpty else {
            throw KubeStatus.badRequest("Object 'apiVersion' is missing in '\(object.jsonString.prefix(200))'")
        }
        let gvk = GroupVersionKind(apiVersion: apiVersion, kind: kind)
        guard gvk.group == definition.group, kind == definition.kind else {
            throw KubeStatus.badRequest("the API version in the data (\(apiVersion)) does not match the expected API version (\(definition.apiVersion))")
        }
    }

    /// `fieldValidation`: Strict, Warn (the default) or Ignore.
    var fieldValidation: String { request.query["fieldValidation"] ?? "Warn" }

    /// Prunes, defaults and validates a custom resource; returns the object and the warnings to send.
    func applySchema(_ object: JSONValue, name: String) throws(KubeStatus) -> (JSONValue, [String]) {
        guard let schema = definition.schema else { return (object, []) }
        let outcome = StructuralSchema(schema).process(object)
        var warnings: [String] = []
        if !outcome.unknownFields.isEmpty {
            switch fieldValidation {
            case "Strict":
                let fields = outcome.unknownFields.sorted().map { "unknown field \"\($0)\"" }.joined(separator: ", ")
                throw KubeStatus.badRequest("strict decoding error: \(fields)")
            case "Ignore": break
            default: warnings = outcome.unknownFields.sorted().map { "unknown field \"\($0)\"" }
            }
        }
        if !outcome.causes.isEmpty {
            throw KubeStatus.invalid(kind: definition.kind, group: definition.group, name: name, causes: outcome.causes)
        }
        return (outcome.object, warnings)
    }

    func respond(_ object: JSONValue, status: Int, warnings: [String]) -> EmulatorResponse {
        var response = EmulatorResponse.json(present(object), status: status)
        for warning in warnings {
            let escaped = warning.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"")
            response = response.adding(header: "Warning", "299 - \"\(escaped)\"")
        }
        return response
    }

    // MARK: Create

    func create() throws(KubeStatus) -> EmulatorResponse {
        guard !definition.namespaced || path.namespace != nil else { throw KubeStatus.methodNotAllowed() }
        var object = try decodedBody()
        try checkTypeMeta(&object)
        let (created, warnings) = try store.withState { state throws(KubeStatus) -> (JSONValue, [String]) in
            try admitCreate(&object, state: &state)
        }
        return respond(created, status: isDryRun ? 200 : 201, warnings: warnings)
    }

    /// Validates and stores a new object (the body of a POST, or of an apply that creates).
    func admitCreate(_ object: inout JSONValue, state: inout StoreState, ownershipRecorded: Bool = false) throws(KubeStatus) -> (JSONValue, [String]) {
        if definition.namespaced {
            let bodyNamespace = object[path: ["metadata", "namespace"]]?.stringValue ?? ""
            if !bodyNamespace.isEmpty, bodyNamespace != namespace {
                throw KubeStatus.badRequest("the namespace of the provided object does not match the namespace sent on the request")
            }
            object[path: ["metadata", "namespace"]] = .string(namespace)
        } else {
            object[path: ["metadata", "namespace"]] = nil
        }
        var name = object[path: ["metadata", "name"]]?.stringValue ?? ""
        if name.isEmpty, let prefix = object[path: ["metadata", "generateName"]]?.stringValue, !prefix.isEmpty {
            name = prefix + UUIDText.nameSuffix()
            object[path: ["metadata", "name"]] = .string(name)
        }
        var (admitted, warnings) = try applySchema(storageForm(object), name: name)
        try MetadataValidation.validate(admitted, definition: definition, isCreate: true)
        if definition.namespaced {
            guard let ns = state.object(StorageKey(group: "", resource: "namespaces"), ObjectKey(namespace: "", name: namespace)) else {
                throw KubeStatus.notFound(resource: "namespaces", group: "", name: namespace)
            }
            if ns[path: ["metadata", "deletionTimestamp"]] != nil {
                throw KubeStatus.forbidden("\(definition.plural) \"\(name)\" is forbidden: unable to create new content in namespace \(namespace) because it is being terminated")
            }
        }
        if state.object(definition.storageKey, key(name)) != nil {
            throw KubeStatus.alreadyExists(resource: definition.plural, group: definition.group, name: name)
        }
        let timestamp = Timestamp.rfc3339(now)
        admitted[path: ["metadata", "uid"]] = .string(UUIDText.random())
        admitted[path: ["metadata", "creationTimestamp"]] = .string(timestamp)
        admitted[path: ["metadata", "resourceVersion"]] = nil
        admitted[path: ["metadata", "deletionTimestamp"]] = nil
        admitted[path: ["metadata", "deletionGracePeriodSeconds"]] = nil
        admitted[path: ["metadata", "selfLink"]] = nil
        admitted[path: ["metadata", "generation"]] = definition.tracksGeneration ? .int(1) : nil
        if definition.isCustom, definition.hasStatus { admitted["status"] = nil }
        try KindSemantics.prepareForCreate(&admitted, definition: definition, now: now)
        try RBACEscalation.check(definition, object: admitted, old: nil, user: request.user, namespace: namespace, state: state)
        if !ownershipRecorded { admitted = recordOwnership(from: nil, to: admitted, subresource: nil) }
        if isDryRun { return (admitted, warnings) }
        let stored = state.put(definition.storageKey, key(name), admitted)
        if definition.kind == "CustomResourceDefinition" { KindSemantics.refreshCustomResources(&state) }
        // An owner that does not exist makes the new object garbage at once, as the collector would.
        if admitted[path: ["metadata", "ownerReferences"]] != nil { state.collectGarbage(now: now) }
        return (state.object(definition.storageKey, key(name)) ?? stored, warnings)
    }

    // MARK: Update

    func update(subresource: String?) throws(KubeStatus) -> EmulatorResponse {
        guard let name = path.name else { throw KubeStatus.methodNotAllowed() }
        var body = try decodedBody()
        try checkTypeMeta(&body)
        let bodyName = body[path: ["metadata", "name"]]?.stringValue ?? ""
        if bodyName != name {
            throw KubeStatus.badRequest("the name of the object (\(bodyName)) does not match the name on the URL (\(name))")
        }
        let (updated, warnings) = try store.withState { state throws(KubeStatus) -> (JSONValue, [String]) in
            guard let old = state.object(definition.storageKey, key(name)) else { throw notFound(name) }
            let proposedRV = body[path: ["metadata", "resourceVersion"]]?.stringValue ?? ""
            if proposedRV.isEmpty, !definition.allowsUnconditionalUpdate {
                throw KubeStatus.invalid(kind: definition.kind, group: definition.group, name: name, causes: [
                    .init(reason: "FieldValueInvalid", message: "Invalid value: 0x0: must be specified for an update", field: "metadata.resourceVersion")
                ])
            }
            return try admitUpdate(old: old, proposed: body, subresource: subresource, state: &state)
        }
        return respond(updated, status: 200, warnings: warnings)
    }

    /// Validates and stores a changed object; a no-op change writes nothing and publishes no event.
    func admitUpdate(old: JSONValue, proposed: JSONValue, subresource: String?, state: inout StoreState, ownershipRecorded: Bool = false) throws(KubeStatus) -> (JSONValue, [String]) {
        let name = old[path: ["metadata", "name"]]?.stringValue ?? ""
        let oldRV = old[path: ["metadata", "resourceVersion"]]?.stringValue ?? ""
        let proposedRV = proposed[path: ["metadata", "resourceVersion"]]?.stringValue ?? ""
        if !proposedRV.isEmpty, proposedRV != oldRV {
            throw KubeStatus.conflict(resource: definition.plural, group: definition.group, name: name, reason: KubeStatus.modifiedDetail)
        }
        let proposedUID = proposed[path: ["metadata", "uid"]]?.stringValue ?? ""
        let oldUID = old[path: ["metadata", "uid"]]?.stringValue ?? ""
        if !proposedUID.isEmpty, proposedUID != oldUID {
            throw KubeStatus.conflict(resource: definition.plural, group: definition.group, name: name,
                reason: "Precondition failed: UID in precondition: \(proposedUID), UID in object meta: \(oldUID)")
        }
        let bodyNamespace = proposed[path: ["metadata", "namespace"]]?.stringValue ?? ""
        if definition.namespaced, !bodyNamespace.isEmpty, bodyNamespace != namespace {
            throw KubeStatus.badRequest("the namespace of the provided object does not match the namespace sent on the request")
        }
        var merged: JSONValue
        switch subresource {
        case "status":
            merged = old
            merged["status"] = proposed["status"]
        case "finalize":
            merged = old
            merged[path: ["spec", "finalizers"]] = proposed[path: ["spec", "finalizers"]]
        default:
            merged = storageForm(proposed)
            if definition.hasStatus { merged["status"] = old["status"] }
        }
        for field in ["uid", "creationTimestamp", "deletionTimestamp", "deletionGracePeriodSeconds", "generation", "namespace", "resourceVersion"] {
            merged[path: ["metadata", field]] = old[path: ["metadata", field]]
        }
        merged[path: ["metadata", "selfLink"]] = nil
        var (admitted, warnings) = try applySchema(merged, name: name)
        try MetadataValidation.validate(admitted, definition: definition, isCreate: false)
        if old[path: ["metadata", "deletionTimestamp"]] != nil {
            let before = Set(old[path: ["metadata", "finalizers"]]?.arrayValue ?? [])
            let added = (admitted[path: ["metadata", "finalizers"]]?.arrayValue ?? []).filter { !before.contains($0) }
            if !added.isEmpty {
                throw KubeStatus.invalid(kind: definition.kind, group: definition.group, name: name, causes: [
                    .init(reason: "FieldValueForbidden", message: "Forbidden: no new finalizers can be added if the object is being deleted, found new finalizers \(JSONValue.array(added).jsonString)", field: "metadata.finalizers")
                ])
            }
        }
        try KindSemantics.prepareForUpdate(&admitted, old: old, definition: definition)
        if definition.tracksGeneration, Self.generationRelevantChange(from: old, to: admitted, hasStatus: definition.hasStatus) {
            admitted[path: ["metadata", "generation"]] = .int((old[path: ["metadata", "generation"]]?.intValue ?? 0) + 1)
        }
        if !ownershipRecorded { admitted = recordOwnership(from: old, to: admitted, subresource: subresource) }
        if admitted == old { return (old, warnings) }
        try RBACEscalation.check(definition, object: admitted, old: old, user: request.user, namespace: namespace, state: state)
        if isDryRun { return (admitted, warnings) }
        if admitted[path: ["metadata", "deletionTimestamp"]] != nil, (admitted[path: ["metadata", "finalizers"]]?.arrayValue ?? []).isEmpty,
            !(definition.kind == "Namespace" && !(admitted[path: ["spec", "finalizers"]]?.arrayValue ?? []).isEmpty)
        {
            // The last finalizer is gone: the deletion completes.
            state.put(definition.storageKey, key(name), admitted)
            let last = state.removeWithSideEffects(definition.storageKey, key(name)) ?? admitted
            state.collectGarbage(now: now)
            return (last, warnings)
        }
        let stored = state.put(definition.storageKey, key(name), admitted)
        if definition.kind == "CustomResourceDefinition" { KindSemantics.refreshCustomResources(&state) }
        if admitted[path: ["metadata", "ownerReferences"]] != old[path: ["metadata", "ownerReferences"]] { state.collectGarbage(now: now) }
        return (stored, warnings)
    }

    /// Whether a change bumps `metadata.generation`: anything but metadata (and status, when it is a subresource).
    static func generationRelevantChange(from old: JSONValue, to new: JSONValue, hasStatus: Bool) -> Bool {
        func relevant(_ object: JSONValue) -> JSONValue {
            var copy = object
            copy["metadata"] = nil
            copy["apiVersion"] = nil
            copy["kind"] = nil
            if hasStatus { copy["status"] = nil }
            return copy
        }
        return !relevant(old).isSemanticallyEqual(to: relevant(new))
    }

    // MARK: Patch

    func patch(subresource: String?) throws(KubeStatus) -> EmulatorResponse {
        guard let name = path.name else { throw KubeStatus.methodNotAllowed() }
        let type = request.contentType ?? "application/json"
        let isApply = type == PatchApplier.applyContentType
        let patchType = PatchApplier.PatchType(contentType: type)
        guard isApply || patchType != nil else { throw KubeStatus.unsupportedMediaType(type) }
        if patchType == .strategic, definition.isCustom { throw KubeStatus.unsupportedMediaType(type) }
        if !isApply, request.query["force"] != nil {
            throw KubeStatus.badRequest("force flag is only applicable to apply patch")
        }
        var created = false
        let (patched, warnings) = try store.withState { state throws(KubeStatus) -> (JSONValue, [String]) in
            let old = state.object(definition.storageKey, key(name))
            guard let patchType else {
                created = old == nil
                return try applyPatch(to: old, name: name, subresource: subresource, state: &state)
            }
            guard let old else { throw notFound(name) }
            let proposed = try PatchApplier.apply(patchType, body: request.body, to: present(old))
            return try admitUpdate(old: old, proposed: proposed, subresource: subresource, state: &state)
        }
        return respond(patched, status: created && !isDryRun ? 201 : 200, warnings: warnings)
    }
}

// MARK: - Server-side apply and field ownership

extension ResourceHandler {
    /// The manager of a non-apply write: `fieldManager`, else the user agent's program name.
    var updateManager: String {
        ServerSideApply.manager(fieldManager: request.query["fieldManager"], userAgent: request.headers["user-agent"])
    }

    /// How field ownership is tracked for this resource and subresource.
    func ownershipOptions(subresource: String?) -> ServerSideApply.Options {
        let schema = definition.schema.map { ApplySchema(openAPIV3Schema: $0) } ?? .kubernetes
        if subresource == "status" { return .statusSubresource(schema: schema) }
        return .mainResource(schema: schema, hasStatusSubresource: definition.hasStatus)
    }

    /// Records a create, update or non-apply patch in `metadata.managedFields` (operation Update).
    func recordOwnership(from old: JSONValue?, to new: JSONValue, subresource: String?) -> JSONValue {
        ServerSideApply.recordUpdate(
            from: old, to: new, manager: updateManager, options: ownershipOptions(subresource: subresource),
            now: Timestamp.rfc3339(now))
    }

    /// `application/apply-patch+yaml`: merges the applied configuration with field ownership,
    /// conflicts (409 unless `force`) and removal of fields the manager stopped applying;
    /// creates the object when it does not exist.
    func applyPatch(to stored: JSONValue?, name: String, subresource: String?, state: inout StoreState) throws(KubeStatus) -> (JSONValue, [String]) {
        guard let manager = request.query["fieldManager"], !manager.isEmpty else {
            throw KubeStatus.invalid(kind: "PatchOptions", group: "meta.k8s.io", name: "", causes: [
                .init(reason: "FieldValueRequired", message: "Required value: is required for apply patch", field: "fieldManager")
            ])
        }
        guard manager.utf8.count <= 128 else {
            throw KubeStatus.invalid(kind: "PatchOptions", group: "meta.k8s.io", name: "", causes: [
                .init(reason: "FieldValueTooLong", message: "Too long: may not be more than 128 bytes", field: "fieldManager")
            ])
        }
        if stored == nil, subresource != nil { throw notFound(name) }
        var configuration = try decodedBody()
        try checkTypeMeta(&configuration)
        let bodyName = configuration[path: ["metadata", "name"]]?.stringValue ?? ""
        if bodyName != name {
            throw KubeStatus.badRequest("the name of the object (\(bodyName)) does not match the name on the URL (\(name))")
        }
        var merged: JSONValue
        do {
            merged = try ServerSideApply.apply(
                configuration, to: stored.map(present), manager: manager, force: request.flag("force"),
                options: ownershipOptions(subresource: subresource), now: Timestamp.rfc3339(now))
        } catch {
            throw error.status
        }
        guard let stored else { return try admitCreate(&merged, state: &state, ownershipRecorded: true) }
        return try admitUpdate(old: stored, proposed: merged, subresource: subresource, state: &state, ownershipRecorded: true)
    }
}
