import KubeAPI

extension ResourceHandler {
    /// The `scale` subresource: an `autoscaling/v1` Scale view of the replicas fields.
    func scale() throws(KubeStatus) -> EmulatorResponse {
        guard let name = path.name, let scale = definition.scale else { throw KubeStatus.methodNotAllowed() }
        let specPath = Self.fieldPath(scale.specReplicasPath)
        switch request.method {
        case "GET":
            guard let object = store.read({ $0.object(definition.storageKey, key(name)) }) else { throw notFound(name) }
            return .json(scaleView(of: object, scale: scale))
        case "PUT", "PATCH":
            let updated = try store.withState { state throws(KubeStatus) -> JSONValue in
                guard let old = state.object(definition.storageKey, key(name)) else { throw notFound(name) }
                let current = scaleView(of: old, scale: scale)
                let proposed: JSONValue
                if request.method == "PUT" {
                    do { proposed = try JSONValue(parsing: request.body) } catch {
                        throw KubeStatus.badRequest("error decoding Scale: \(error)")
                    }
                } else {
                    // Any other media type is read as a merge patch, as before.
                    let type = PatchApplier.PatchType(contentType: request.contentType ?? "") ?? .merge
                    proposed = try PatchApplier.apply(type, body: request.body, to: current)
                }
                let proposedRV = proposed[path: ["metadata", "resourceVersion"]]?.stringValue ?? ""
                if !proposedRV.isEmpty, proposedRV != old[path: ["metadata", "resourceVersion"]]?.stringValue {
                    throw KubeStatus.conflict(resource: definition.plural, group: definition.group, name: name, reason: KubeStatus.modifiedDetail)
                }
                guard let replicas = proposed[path: ["spec", "replicas"]]?.intValue, replicas >= 0 else {
                    throw KubeStatus.invalid(kind: "Scale", group: "autoscaling", name: name, causes: [
                        .init(reason: "FieldValueInvalid", message: "Invalid value: \(proposed[path: ["spec", "replicas"]]?.jsonString ?? "null"): must be greater than or equal to 0", field: "spec.replicas")
                    ])
                }
                var changed = old
                changed[path: specPath] = .int(replicas)
                let (stored, _) = try admitUpdate(old: old, proposed: present(changed), subresource: nil, state: &state)
                return stored
            }
            return .json(scaleView(of: updated, scale: scale))
        default:
            throw KubeStatus.methodNotAllowed()
        }
    }

    func scaleView(of object: JSONValue, scale: ResourceDefinition.ScaleSubresource) -> JSONValue {
        var metadata: JSONValue = .emptyObject
        for field in ["name", "namespace", "uid", "resourceVersion", "creationTimestamp"] {
            metadata[field] = object[path: ["metadata", field]]
        }
        var status: JSONValue = ["replicas": object[path: Self.fieldPath(scale.statusReplicasPath)] ?? .int(0)]
        if let selectorPath = scale.labelSelectorPath, let selector = object[path: Self.fieldPath(selectorPath)] {
            status["selector"] = selector
        } else if !definition.isCustom, let selector = object[path: ["spec", "selector"]] {
            status["selector"] = .string(SelectorText.of(selector))
        }
        return [
            "kind": "Scale", "apiVersion": "autoscaling/v1", "metadata": metadata,
            "spec": ["replicas": object[path: Self.fieldPath(scale.specReplicasPath)] ?? .int(0)],
            "status": status,
        ]
    }

    /// `.spec.replicas` → `["spec", "replicas"]`.
    static func fieldPath(_ jsonPath: String) -> [String] {
        jsonPath.split(separator: ".").map(String.init)
    }
}
