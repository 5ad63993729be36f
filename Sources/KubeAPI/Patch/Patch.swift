/// A patch request body: one of the four patch types the API server accepts.
public enum Patch: Sendable, Hashable {
    /// JSON merge patch (RFC 7386): objects merge, `null` deletes, lists replace.
    case merge(JSONValue)
    /// JSON patch (RFC 6902): a list of operations, including `test` preconditions.
    case json([JSONPatchOperation])
    /// Strategic merge patch: like merge, but lists with merge keys merge by key (built-in kinds only).
    case strategic(JSONValue)
    /// Server-side apply: the fields this manager wants to own, as a complete partial object
    /// (`apiVersion`, `kind`, `metadata.name` required). Needs a `fieldManager`; see `ApplyBody`.
    case apply(JSONValue)

    /// The `Content-Type` naming the patch type.
    public var contentType: String {
        switch self {
        case .merge: return "application/merge-patch+json"
        case .json: return "application/json-patch+json"
        case .strategic: return "application/strategic-merge-patch+json"
        case .apply: return "application/apply-patch+yaml"
        }
    }

    /// The body bytes (JSON; apply bodies are JSON too, which is valid YAML).
    public var body: [UInt8] {
        switch self {
        case .merge(let value), .strategic(let value), .apply(let value): return value.serialized()
        case .json(let operations): return JSONValue.array(operations.map(\.json)).serialized()
        }
    }

    /// True for server-side apply.
    public var isApply: Bool {
        if case .apply = self { return true }
        return false
    }

    /// The merge patch that turns `original` into `modified`: what changed, and `null` for removed
    /// fields; unknown fields are untouched because they are in neither side's diff.
    public static func mergeDiff(from original: JSONValue, to modified: JSONValue) -> Patch {
        .merge(MergePatch.diff(from: original, to: modified))
    }
}

/// One RFC 6902 operation, built safely (paths are escaped JSON pointers).
public struct JSONPatchOperation: Sendable, Hashable {
    /// The operation name (`add`, `remove`, `replace`, `move`, `copy`, `test`).
    public let op: String
    /// The target JSON pointer.
    public let path: String
    /// The value (add, replace, test).
    public let value: JSONValue?
    /// The source pointer (move, copy).
    public let from: String?

    init(op: String, path: String, value: JSONValue? = nil, from: String? = nil) {
        self.op = op
        self.path = path
        self.value = value
        self.from = from
    }

    /// Adds `value` at `path` (`-` as the last token appends to an array).
    public static func add(_ path: String, _ value: JSONValue) -> Self { Self(op: "add", path: path, value: value) }
    /// Removes the member or element at `path`.
    public static func remove(_ path: String) -> Self { Self(op: "remove", path: path) }
    /// Replaces the existing value at `path`.
    public static func replace(_ path: String, _ value: JSONValue) -> Self { Self(op: "replace", path: path, value: value) }
    /// Moves the value at `from` to `path`.
    public static func move(from: String, to path: String) -> Self { Self(op: "move", path: path, from: from) }
    /// Copies the value at `from` to `path`.
    public static func copy(from: String, to path: String) -> Self { Self(op: "copy", path: path, from: from) }
    /// Fails the whole patch (422) unless the value at `path` equals `value`: an optimistic precondition.
    public static func test(_ path: String, _ value: JSONValue) -> Self { Self(op: "test", path: path, value: value) }

    /// The JSON pointer for a list of keys, escaping `~` and `/` (`["metadata", "labels", "a/b"]` → `/metadata/labels/a~1b`).
    public static func pointer(_ tokens: [String]) -> String {
        tokens.map { "/" + $0.replacingAll("~", with: "~0").replacingAll("/", with: "~1") }.joined()
    }

    /// The operation as JSON.
    public var json: JSONValue {
        var object: JSONValue = ["op": .string(op), "path": .string(path)]
        if let value { object["value"] = value }
        if let from { object["from"] = .string(from) }
        return object
    }
}

/// Builds the bodies clients send as server-side apply patches.
public enum ApplyBody {
    /// An apply body for `descriptor`'s object `name`: `fields` (spec, labels, …) with the
    /// identifying fields set, and the fields an apply body must not carry removed
    /// (`resourceVersion`, `uid`, `managedFields`, `creationTimestamp`, `generation`, `status` unless asked).
    public static func build(_ descriptor: ResourceDescriptor, name: String, namespace: String? = nil, fields: JSONValue, keepStatus: Bool = false) -> JSONValue {
        var body = fields.objectValue == nil ? JSONValue.emptyObject : fields
        body["apiVersion"] = .string(descriptor.apiVersion)
        body["kind"] = .string(descriptor.kind)
        body[path: ["metadata", "name"]] = .string(name)
        if descriptor.namespaced, let namespace { body[path: ["metadata", "namespace"]] = .string(namespace) }
        for server in ["resourceVersion", "uid", "managedFields", "creationTimestamp", "generation", "selfLink", "deletionTimestamp"] {
            body[path: ["metadata", server]] = nil
        }
        if !keepStatus { body["status"] = nil }
        return body
    }
}

extension String {
    func replacingAll(_ target: Character, with replacement: String) -> String {
        var result = ""
        for character in self {
            if character == target { result += replacement } else { result.append(character) }
        }
        return result
    }
}
