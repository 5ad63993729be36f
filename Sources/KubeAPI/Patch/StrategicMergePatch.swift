/// Strategic merge patch for built-in kinds: a merge patch whose lists of known element
/// types merge by their key (containers by `name`, ports by `containerPort`, …), with the
/// `$patch: delete|replace|merge` directives and `$setElementOrder`/`$retainKeys` tolerated.
public enum StrategicMergePatch {
    /// The merge key of the lists that merge by key, by field name, as Kubernetes declares them.
    public static let mergeKeys: [String: String] = [
        "containers": "name", "initContainers": "name", "ephemeralContainers": "name", "volumes": "name",
        "env": "name", "volumeMounts": "mountPath", "volumeDevices": "devicePath", "imagePullSecrets": "name",
        "ownerReferences": "uid", "conditions": "type", "hostAliases": "ip", "topologySpreadConstraints": "topologyKey",
        "resourceClaims": "name", "subsets": "", "readinessGates": "conditionType",
    ]

    /// Lists merged as sets of scalars.
    public static let setLists: Set<String> = ["finalizers"]

    /// Applies `patch` to `target`. `ports` merge by `containerPort` inside containers and by `port` elsewhere.
    public static func apply(_ patch: JSONValue, to target: JSONValue, field: String? = nil, parentField: String? = nil) -> JSONValue {
        guard case .object(var patchMembers) = patch else { return patch }
        if patchMembers["$patch"]?.stringValue == "replace" {
            patchMembers["$patch"] = nil
            return .object(stripDirectives(patchMembers))
        }
        if patchMembers["$patch"]?.stringValue == "delete" { return .null }
        patchMembers["$patch"] = nil
        var result = target.objectValue ?? [:]
        if let retain = patchMembers["$retainKeys"]?.arrayValue?.compactMap(\.stringValue) {
            result = result.filter { retain.contains($0.key) }
        }
        for (key, value) in patchMembers {
            if key.hasPrefix("$setElementOrder/") || key == "$retainKeys" { continue }
            if key.hasPrefix("$deleteFromPrimitiveList/") {
                let list = String(key.dropFirst("$deleteFromPrimitiveList/".count))
                let removals = value.arrayValue ?? []
                if let current = result[list]?.arrayValue { result[list] = .array(current.filter { !removals.contains($0) }) }
                continue
            }
            if value.isNull {
                result[key] = nil
                continue
            }
            switch (value, result[key]) {
            case (.object, let existing):
                let merged = apply(value, to: existing ?? .emptyObject, field: key, parentField: field)
                result[key] = merged.isNull ? nil : merged
            case (.array(let patchList), .array(let currentList)?):
                result[key] = .array(mergeList(patchList, into: currentList, field: key, parentField: field))
            default:
                result[key] = stripDirectivesValue(value)
            }
        }
        return .object(result)
    }

    static func mergeKey(for field: String, parentField: String?) -> String? {
        if field == "ports" { return parentField == "spec" ? "port" : "containerPort" }
        if let key = mergeKeys[field], !key.isEmpty { return key }
        return nil
    }

    static func mergeList(_ patch: [JSONValue], into current: [JSONValue], field: String, parentField: String?) -> [JSONValue] {
        if setLists.contains(field) {
            var result = current
            for element in patch where !result.contains(element) { result.append(element) }
            return result
        }
        guard let key = mergeKey(for: field, parentField: parentField) else { return patch.map(stripDirectivesValue) }
        if patch.contains(where: { $0["$patch"]?.stringValue == "replace" }) {
            return patch.filter { $0["$patch"] == nil }.map(stripDirectivesValue)
        }
        var result = current
        for element in patch {
            guard let identity = element[key] else { continue }
            let position = result.firstIndex { $0[key] == identity }
            if element["$patch"]?.stringValue == "delete" {
                if let position { result.remove(at: position) }
            } else if let position {
                result[position] = apply(element, to: result[position], field: field, parentField: parentField)
            } else {
                result.append(stripDirectivesValue(element))
            }
        }
        return result
    }

    static func stripDirectives(_ members: [String: JSONValue]) -> [String: JSONValue] {
        members.filter { !$0.key.hasPrefix("$") }.mapValues(stripDirectivesValue)
    }

    static func stripDirectivesValue(_ value: JSONValue) -> JSONValue {
        switch value {
        case .object(let members): return .object(stripDirectives(members))
        case .array(let elements): return .array(elements.map(stripDirectivesValue))
        default: return value
        }
    }
}
