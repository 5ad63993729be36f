extension ApplySchema {
    /// The apply schema of a custom resource, from its CRD version's `schema.openAPIV3Schema`.
    ///
    /// Reads `x-kubernetes-list-type` (`atomic`, `set`, `map` with `x-kubernetes-list-map-keys`,
    /// key defaults from the item schema's `default`), `x-kubernetes-map-type`, `additionalProperties`
    /// (granular maps) and `x-kubernetes-preserve-unknown-fields` objects without properties
    /// (granular, as kube-apiserver deduces them). `metadata` always follows `base`.
    ///
    /// - Parameter base: the rules kept for fields the schema does not describe. Defaults to `.objectMeta`:
    ///   a custom resource gets no built-in list keys, as on a real cluster.
    public init(openAPIV3Schema: JSONValue, base: ApplySchema = .objectMeta) {
        var extracted = ApplySchema()
        for (name, property) in openAPIV3Schema["properties"]?.objectValue ?? [:] where name != "metadata" {
            extracted.collect(property, at: name)
        }
        self = base.merging(extracted)
    }

    private mutating func collect(_ node: JSONValue, at path: String) {
        if let listType = node["x-kubernetes-list-type"]?.stringValue {
            switch listType {
            case "set":
                listTypesByPath[path] = .set
            case "map":
                let keys = node["x-kubernetes-list-map-keys"]?.arrayValue?.compactMap(\.stringValue) ?? []
                var defaults: [String: JSONValue] = [:]
                for key in keys {
                    if let value = node[path: ["items", "properties", key, "default"]] { defaults[key] = value }
                }
                listTypesByPath[path] = keys.isEmpty ? .atomic : .map(keys: keys, defaults: defaults)
            default:
                listTypesByPath[path] = .atomic
            }
        }
        if let items = node["items"], items.objectValue != nil {
            collect(items, at: path + "[]")
        }
        let properties = node["properties"]?.objectValue ?? [:]
        let additional = node["additionalProperties"].flatMap { $0.objectValue == nil ? nil : $0 }
        switch node["x-kubernetes-map-type"]?.stringValue {
        case "atomic":
            mapTypesByPath[path] = .atomic
        case "granular" where properties.isEmpty:
            mapTypesByPath[path] = .granular
        default:
            let preservesUnknown = node["x-kubernetes-preserve-unknown-fields"]?.boolValue == true
            if additional != nil || (preservesUnknown && properties.isEmpty) { mapTypesByPath[path] = .granular }
        }
        for (name, property) in properties {
            collect(property, at: path + "." + name)
        }
        if let additional {
            collect(additional, at: path + ".*")
        }
    }
}
