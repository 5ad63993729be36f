/// One step of a path into a Kubernetes object, as structured-merge-diff names it.
///
/// - `field`: a member of an object (`f:name` in FieldsV1, `.name` in a conflict message);
/// - `key`: an element of an associative list, by its key fields (`k:{"name":"app"}`, `[name="app"]`);
/// - `value`: an element of a set list, by its value (`v:"x"`, `[="x"]`);
/// - `index`: an element of a list by position (`i:0`, `[0]`), only used when an element has no key.
public enum PathElement: Sendable, Hashable, Comparable, CustomStringConvertible {
    case field(String)
    case key([String: JSONValue])
    case value(JSONValue)
    case index(Int)

    /// A key element with its values normalized, so `80` and `80.0` name the same element.
    static func keyed(_ fields: [String: JSONValue]) -> PathElement {
        .key(fields.mapValues(\.normalizedForKey))
    }

    /// A value element with its value normalized, so `80` and `80.0` name the same element.
    static func valued(_ value: JSONValue) -> PathElement {
        .value(value.normalizedForKey)
    }

    /// The FieldsV1 member name of this element (`f:spec`, `k:{"name":"app"}`, `v:"x"`, `i:0`).
    public var fieldsV1Key: String {
        switch self {
        case .field(let name): return "f:" + name
        case .key(let fields): return "k:" + JSONValue.object(fields).jsonString
        case .value(let value): return "v:" + value.jsonString
        case .index(let index): return "i:\(index)"
        }
    }

    /// Parses a FieldsV1 member name (`f:…`, `k:{…}`, `v:…`, `i:…`).
    ///
    /// - Throws: `FieldsV1Error` naming the member when its prefix is unknown or its JSON is invalid.
    public init(fieldsV1Key key: String) throws(FieldsV1Error) {
        let body = String(key.dropFirst(2))
        switch key.prefix(2) {
        case "f:":
            self = .field(body)
        case "k:":
            guard case .object(let fields)? = try? JSONValue(parsing: body), !fields.isEmpty else {
                throw FieldsV1Error("the key \(key) must hold a non-empty JSON object after \"k:\"")
            }
            self = .keyed(fields)
        case "v:":
            guard let value = try? JSONValue(parsing: body) else {
                throw FieldsV1Error("the value \(key) must hold a JSON value after \"v:\"")
            }
            self = .valued(value)
        case "i:":
            guard let index = Int(body), index >= 0 else {
                throw FieldsV1Error("the index \(key) must be a non-negative integer after \"i:\"")
            }
            self = .index(index)
        default:
            throw FieldsV1Error("the member \(key) must start with \"f:\", \"k:\", \"v:\" or \"i:\", or be \".\"")
        }
    }

    /// The element as kube-apiserver prints it in conflict messages: `.spec`, `[name="app"]`, `[="x"]`, `[0]`.
    public var description: String {
        switch self {
        case .field(let name): return "." + name
        case .key(let fields):
            let parts = fields.keys.sorted().map { "\($0)=\(fields[$0]!.goDescription)" }
            return "[" + parts.joined(separator: ",") + "]"
        case .value(let value): return "[=\(value.goDescription)]"
        case .index(let index): return "[\(index)]"
        }
    }

    /// structured-merge-diff's order: fields, then keys, then values, then indexes.
    public static func < (lhs: PathElement, rhs: PathElement) -> Bool {
        switch (lhs, rhs) {
        case (.field(let a), .field(let b)): return a < b
        case (.key(let a), .key(let b)): return JSONValue.object(a).jsonString < JSONValue.object(b).jsonString
        case (.value(let a), .value(let b)): return JSONValue.orders(a, before: b)
        case (.index(let a), .index(let b)): return a < b
        default: return lhs.rank < rhs.rank
        }
    }

    private var rank: Int {
        switch self {
        case .field: return 0
        case .key: return 1
        case .value: return 2
        case .index: return 3
        }
    }
}

/// A path into an object: the steps from its root to one field.
public struct FieldPath: Sendable, Hashable, Comparable, CustomStringConvertible {
    /// The steps, outermost first.
    public var elements: [PathElement]

    /// The path through `elements`, outermost first.
    public init(_ elements: [PathElement]) {
        self.elements = elements
    }

    /// A path of object members only (`FieldPath(fields: "spec", "replicas")`).
    public init(fields: String...) {
        self.elements = fields.map(PathElement.field)
    }

    /// The path as kube-apiserver prints it: `.spec.template.spec.containers[name="app"].image`.
    public var description: String {
        elements.map(\.description).joined()
    }

    /// Element by element, in structured-merge-diff's element order.
    public static func < (lhs: FieldPath, rhs: FieldPath) -> Bool {
        lhs.elements.lexicographicallyPrecedes(rhs.elements)
    }
}

/// A FieldsV1 document that cannot be read.
public struct FieldsV1Error: Error, Sendable, Equatable, CustomStringConvertible {
    /// What is wrong and where.
    public let description: String

    init(_ description: String) {
        self.description = description
    }
}

extension JSONValue {
    /// Integral doubles become integers, so that keys and set values compare equal across encodings.
    var normalizedForKey: JSONValue {
        if case .double(let d) = self, let i = intValue, Double(i) == d { return .int(i) }
        return self
    }

    /// The value as Go's `value.ToString` prints it: strings quoted, numbers and booleans bare.
    var goDescription: String {
        switch self {
        case .null: return "null"
        case .bool(let b): return b ? "true" : "false"
        case .int(let i): return String(i)
        case .double: return jsonString
        case .string: return jsonString
        case .array(let elements): return "[" + elements.map(\.goDescription).joined(separator: ",") + "]"
        case .object(let members):
            return "{" + members.keys.sorted().map { "\($0)=\(members[$0]!.goDescription)" }.joined(separator: ",") + "}"
        }
    }

    /// A total order on scalars used to sort set-list values: numbers numerically, then everything by its JSON text.
    static func orders(_ a: JSONValue, before b: JSONValue) -> Bool {
        if let x = a.doubleValue, let y = b.doubleValue { return x < y }
        return a.jsonString < b.jsonString
    }
}
