import KubeAPI

/// Converts between `events.k8s.io/v1` and `v1` Events, which kube-apiserver stores once and
/// serves in both shapes.
enum EventConversion {
    /// Pairs of (events.k8s.io/v1 field, v1 field) that only differ in name.
    static let renamed: [(String, String)] = [
        ("regarding", "involvedObject"), ("note", "message"), ("reportingController", "reportingComponent"),
        ("deprecatedSource", "source"), ("deprecatedFirstTimestamp", "firstTimestamp"),
        ("deprecatedLastTimestamp", "lastTimestamp"), ("deprecatedCount", "count"),
    ]

    /// v1 → events.k8s.io/v1.
    static func toEventsV1(_ stored: JSONValue) -> JSONValue {
        var served = stored
        for (newName, oldName) in renamed {
            served[newName] = stored[oldName]
            served[oldName] = nil
        }
        return served
    }

    /// events.k8s.io/v1 → v1.
    static func toCoreV1(_ served: JSONValue) -> JSONValue {
        var stored = served
        for (newName, oldName) in renamed {
            stored[oldName] = served[newName]
            stored[newName] = nil
        }
        if stored[path: ["source", "component"]] == nil, let controller = stored["reportingComponent"] {
            stored[path: ["source", "component"]] = controller
        }
        return stored
    }

    /// A field selector path of the served form, in the stored form.
    static func storedField(_ field: String) -> String {
        for (newName, oldName) in renamed where field == newName || field.hasPrefix(newName + ".") {
            return oldName + field.dropFirst(newName.count)
        }
        return field
    }
}
