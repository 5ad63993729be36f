/// JSON merge patch (RFC 7386), the `application/merge-patch+json` patch type.
public enum MergePatch {
    /// Applies `patch` to `target`: objects merge recursively, `null` removes a member,
    /// anything else (arrays included) replaces.
    public static func apply(_ patch: JSONValue, to target: JSONValue) -> JSONValue {
        guard case .object(let patchMembers) = patch else { return patch }
        var result: [String: JSONValue]
        if case .object(let targetMembers) = target { result = targetMembers } else { result = [:] }
        for (key, value) in patchMembers {
            if value.isNull {
                result.removeValue(forKey: key)
            } else {
                result[key] = apply(value, to: result[key] ?? .null)
            }
        }
        return .object(result)
    }

    /// The merge patch that turns `original` into `modified` (`{}` when they are equal).
    ///
    /// # Caveats
    /// A member whose value in `modified` is itself `null` cannot be expressed by a merge patch;
    /// it is treated as removed.
    public static func diff(from original: JSONValue, to modified: JSONValue) -> JSONValue {
        guard case .object(let originalMembers) = original, case .object(let modifiedMembers) = modified else {
            return modified
        }
        var patch: [String: JSONValue] = [:]
        for (key, oldValue) in originalMembers where modifiedMembers[key] == nil {
            _ = oldValue
            patch[key] = .null
        }
        for (key, newValue) in modifiedMembers {
            guard let oldValue = originalMembers[key] else {
                patch[key] = newValue
                continue
            }
            if oldValue == newValue { continue }
            if case .object = oldValue, case .object = newValue {
                patch[key] = diff(from: oldValue, to: newValue)
            } else {
                patch[key] = newValue
            }
        }
        return .object(patch)
    }
}
