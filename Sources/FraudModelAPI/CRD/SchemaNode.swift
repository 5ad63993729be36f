import KubeAPI

/// Builders for OpenAPI v3 schema nodes as CRDs publish them (`type`, `description`,
/// validation keywords, `default`), so each type's schema reads as one declaration.
/// Every builder requires a description: a structural schema here documents every field.
enum SchemaNode {
    static func object(
        _ description: String, required: [String] = [], properties: [String: JSONValue], default defaultValue: JSONValue? = nil
    ) -> JSONValue {
        var node: JSONValue = ["type": "object", "description": .string(description), "properties": .object(properties)]
        if !required.isEmpty { node["required"] = .array(required.sorted().map { .string($0) }) }
        if let defaultValue { node["default"] = defaultValue }
        return node
    }

    static func string(
        _ description: String, pattern: String? = nil, enum values: [String]? = nil, minLength: Int? = nil,
        maxLength: Int? = nil, default defaultValue: String? = nil, format: String? = nil
    ) -> JSONValue {
        var node: JSONValue = ["type": "string", "description": .string(description)]
        if let pattern { node["pattern"] = .string(pattern) }
        if let values { node["enum"] = .array(values.map { .string($0) }) }
        if let minLength { node["minLength"] = .int(Int64(minLength)) }
        if let maxLength { node["maxLength"] = .int(Int64(maxLength)) }
        if let defaultValue { node["default"] = .string(defaultValue) }
        if let format { node["format"] = .string(format) }
        return node
    }

    static func integer(
        _ description: String, minimum: Int? = nil, maximum: Int? = nil, default defaultValue: Int? = nil, format: String = "int32"
    ) -> JSONValue {
        var node: JSONValue = ["type": "integer", "format": .string(format), "description": .string(description)]
        if let minimum { node["minimum"] = .int(Int64(minimum)) }
        if let maximum { node["maximum"] = .int(Int64(maximum)) }
        if let defaultValue { node["default"] = .int(Int64(defaultValue)) }
        return node
    }

    static func number(_ description: String, minimum: Double? = nil, maximum: Double? = nil, default defaultValue: Double? = nil) -> JSONValue {
        var node: JSONValue = ["type": "number", "description": .string(description)]
        if let minimum { node["minimum"] = .double(minimum) }
        if let maximum { node["maximum"] = .double(maximum) }
        if let defaultValue { node["default"] = .double(defaultValue) }
        return node
    }

    static func boolean(_ description: String, default defaultValue: Bool? = nil) -> JSONValue {
        var node: JSONValue = ["type": "boolean", "description": .string(description)]
        if let defaultValue { node["default"] = .bool(defaultValue) }
        return node
    }

    /// An array; `mapKeys` makes it a `map` list keyed by those fields, `set` a set of scalars.
    static func array(_ description: String, items: JSONValue, mapKeys: [String]? = nil, set: Bool = false, maxItems: Int? = nil) -> JSONValue {
        var node: JSONValue = ["type": "array", "description": .string(description), "items": items]
        if let mapKeys {
            node["x-kubernetes-list-type"] = "map"
            node["x-kubernetes-list-map-keys"] = .array(mapKeys.map { .string($0) })
        } else if set {
            node["x-kubernetes-list-type"] = "set"
        }
        if let maxItems { node["maxItems"] = .int(Int64(maxItems)) }
        return node
    }

    /// A map from string keys to `values`.
    static func map(_ description: String, values: JSONValue) -> JSONValue {
        ["type": "object", "description": .string(description), "additionalProperties": values]
    }

    /// A Kubernetes quantity (`"500m"`, `"1Gi"`, or a bare integer).
    static func quantity(_ description: String) -> JSONValue {
        [
            "description": .string(description),
            "anyOf": [["type": "integer"], ["type": "string"]],
            "pattern": #"^(\+|-)?(([0-9]+(\.[0-9]*)?)|(\.[0-9]+))(([KMGTPE]i)|[numkMGTPE]|([eE](\+|-)?(([0-9]+(\.[0-9]*)?)|(\.[0-9]+))))?$"#,
            "x-kubernetes-int-or-string": true,
        ]
    }
}
