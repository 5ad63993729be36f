/// One entry of `metadata.managedFields`: the fields one manager owns through one kind of write.
///
/// kube-apiserver keeps one entry per manager for `Apply`, and one per manager, API version
/// and subresource for `Update`; `identity` is that key.
public struct ManagedFieldsEntry: Sendable, Hashable {
    /// How the manager wrote its fields.
    public enum Operation: String, Sendable, Hashable {
        /// Server-side apply.
        case apply = "Apply"
        /// Create, update (PUT) or a non-apply patch.
        case update = "Update"
    }

    /// The field manager (`kubectl`, `kubectl-client-side-apply`, `kube-controller-manager`).
    public var manager: String
    public var operation: Operation
    /// The API version the fields are expressed in (`apps/v1`).
    public var apiVersion: String
    /// When the manager last changed the object (RFC 3339), if known.
    public var time: String?
    /// The subresource written (`status`, `scale`), or nil for the main resource.
    public var subresource: String?
    /// The owned fields.
    public var fields: FieldSet

    /// An entry with the given fields; `time` and `subresource` default to none.
    public init(manager: String, operation: Operation, apiVersion: String, time: String? = nil, subresource: String? = nil, fields: FieldSet) {
        self.manager = manager
        self.operation = operation
        self.apiVersion = apiVersion
        self.time = time
        self.subresource = subresource
        self.fields = fields
    }

    /// Reads one JSON entry, with kube-apiserver's checks.
    ///
    /// - Throws: `FieldsV1Error` when the operation is not Apply/Update, the apiVersion is
    ///   empty, the fieldsType is not FieldsV1, or the fieldsV1 document is invalid.
    public init(json: JSONValue, position: Int = 0) throws(FieldsV1Error) {
        guard let operation = json["operation"]?.stringValue.flatMap(Operation.init(rawValue:)) else {
            throw FieldsV1Error("managedFields[\(position)].operation must be `Apply` or `Update`")
        }
        guard let apiVersion = json["apiVersion"]?.stringValue, !apiVersion.isEmpty else {
            throw FieldsV1Error("managedFields[\(position)].apiVersion must not be empty")
        }
        switch json["fieldsType"]?.stringValue {
        case "FieldsV1": break
        case nil, "": throw FieldsV1Error("missing fieldsType in managed fields entry \(position)")
        case let other?: throw FieldsV1Error("invalid fieldsType \"\(other)\" in managed fields entry \(position)")
        }
        let fields: FieldSet
        do {
            fields = try FieldSet(fieldsV1: json["fieldsV1"] ?? .emptyObject)
        } catch {
            throw FieldsV1Error("managedFields[\(position)].fieldsV1: \(error.description)")
        }
        self.init(
            manager: json["manager"]?.stringValue ?? "", operation: operation, apiVersion: apiVersion,
            time: json["time"]?.stringValue, subresource: json["subresource"]?.stringValue.flatMap { $0.isEmpty ? nil : $0 },
            fields: fields)
    }

    /// The entry as JSON, members as kube-apiserver writes them.
    public var json: JSONValue {
        var entry: [String: JSONValue] = [
            "manager": .string(manager), "operation": .string(operation.rawValue), "apiVersion": .string(apiVersion),
            "fieldsType": "FieldsV1", "fieldsV1": fields.fieldsV1,
        ]
        if let time { entry["time"] = .string(time) }
        if let subresource { entry["subresource"] = .string(subresource) }
        return .object(entry)
    }

    /// The key under which kube-apiserver keeps entries apart: manager, operation, subresource,
    /// and for updates the API version.
    public var identity: Identity {
        Identity(manager: manager, operation: operation, apiVersion: operation == .update ? apiVersion : "", subresource: subresource)
    }

    /// The key of an entry (see `identity`).
    public struct Identity: Sendable, Hashable, Comparable {
        public var manager: String
        public var operation: Operation
        /// Empty for `Apply`.
        public var apiVersion: String
        public var subresource: String?

        /// The manager identifier kube-apiserver builds (JSON of manager, operation, apiVersion, subresource),
        /// by which conflict messages are sorted.
        public var encoded: String {
            var text = #"{"manager":"# + JSONValue.string(manager).jsonString + #","operation":""# + operation.rawValue + "\""
            if !apiVersion.isEmpty { text += #","apiVersion":"# + JSONValue.string(apiVersion).jsonString }
            if let subresource { text += #","subresource":"# + JSONValue.string(subresource).jsonString }
            return text + "}"
        }

        /// The manager as conflict messages print it: `"kubectl"`, `"m" using v1`, `"m" with subresource "status" using v1`.
        public var displayName: String {
            var text = JSONValue.string(manager).jsonString
            if let subresource { text += " with subresource " + JSONValue.string(subresource).jsonString }
            if operation == .update { text += " using " + apiVersion }
            return text
        }

        /// Orders identities as kube-apiserver sorts manager identifiers.
        public static func < (lhs: Identity, rhs: Identity) -> Bool { lhs.encoded < rhs.encoded }
    }
}

extension ManagedFieldsEntry {
    /// Reads `metadata.managedFields` (absent or null is no entry).
    ///
    /// - Throws: `FieldsV1Error` for the first entry that cannot be read.
    public static func entries(in managedFields: JSONValue?) throws(FieldsV1Error) -> [ManagedFieldsEntry] {
        guard let managedFields, !managedFields.isNull else { return [] }
        guard case .array(let list) = managedFields else {
            throw FieldsV1Error("metadata.managedFields must be a list, not \(managedFields.typeName)")
        }
        var result: [ManagedFieldsEntry] = []
        for (position, entry) in list.enumerated() {
            result.append(try ManagedFieldsEntry(json: entry, position: position))
        }
        return result
    }

    /// The entries of `object`'s `metadata.managedFields`.
    public static func entries(of object: JSONValue) throws(FieldsV1Error) -> [ManagedFieldsEntry] {
        try entries(in: object[path: ["metadata", "managedFields"]])
    }

    /// Entries in kube-apiserver's order: Apply before Update, then by time, manager, apiVersion, subresource.
    public static func sorted(_ entries: [ManagedFieldsEntry]) -> [ManagedFieldsEntry] {
        entries.sorted { p, q in
            if p.operation != q.operation { return p.operation == .apply }
            if (p.time ?? "") != (q.time ?? "") { return (p.time ?? "") < (q.time ?? "") }
            if p.manager != q.manager { return p.manager < q.manager }
            if p.apiVersion != q.apiVersion { return p.apiVersion < q.apiVersion }
            return (p.subresource ?? "") < (q.subresource ?? "")
        }
    }

    /// The managers that own `path` through an entry of `operation` (nil: any), like kubectl's `csaupgrade.FindFieldsOwners`.
    public static func owners(of path: FieldPath, in entries: [ManagedFieldsEntry], operation: Operation? = nil) -> [ManagedFieldsEntry] {
        entries.filter { (operation == nil || $0.operation == operation) && $0.fields.contains(path) }
    }
}
