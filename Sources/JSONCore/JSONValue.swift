/// A JSON document that keeps every field it is given: Tandem's one JSON type, shared by
/// KubeAPI (which re-exports it) and fraud-server.
///
/// Kubernetes objects are read, changed and written back whole: a typed model would
/// drop fields it does not know, so every write in Tandem goes through `JSONValue`.
/// Parse with ``init(parsing:options:)`` (see ``JSONParsingOptions``) and write with
/// ``serialized()``.
///
/// # Guarantees
/// - Integers stay integers: `3` round-trips as `3`, never `3.0`; an integer outside
///   the `Int64` range becomes a `.double`.
/// - Objects are serialized with sorted keys, as Go's `encoding/json` does for maps,
///   so equal values always serialize to the same bytes.
public enum JSONValue: Sendable, Hashable {
    case null
    case bool(Bool)
    case int(Int64)
    case double(Double)
    case string(String)
    case array([JSONValue])
    case object([String: JSONValue])

    /// An empty JSON object.
    public static let emptyObject = JSONValue.object([:])
}

// MARK: - Typed access

extension JSONValue {
    /// The string, or nil when this is not a string.
    public var stringValue: String? {
        if case .string(let s) = self { return s }
        return nil
    }

    /// The boolean, or nil when this is not a boolean.
    public var boolValue: Bool? {
        if case .bool(let b) = self { return b }
        return nil
    }

    /// The integer, or nil when this is not a number with an integral value.
    public var intValue: Int64? {
        switch self {
        case .int(let i): return i
        case .double(let d) where d.rounded() == d && abs(d) < 9.2e18: return Int64(d)
        default: return nil
        }
    }

    /// The number as a `Double`, or nil when this is not a number.
    public var doubleValue: Double? {
        switch self {
        case .int(let i): return Double(i)
        case .double(let d): return d
        default: return nil
        }
    }

    /// The elements, or nil when this is not an array.
    public var arrayValue: [JSONValue]? {
        if case .array(let a) = self { return a }
        return nil
    }

    /// The members, or nil when this is not an object.
    public var objectValue: [String: JSONValue]? {
        if case .object(let o) = self { return o }
        return nil
    }

    /// True for `.null`.
    public var isNull: Bool {
        if case .null = self { return true }
        return false
    }

    /// True for `.int` and `.double`.
    public var isNumber: Bool {
        switch self {
        case .int, .double: return true
        default: return false
        }
    }

    /// The JSON type name used in error messages (`object`, `array`, `string`, `integer`, `number`, `boolean`, `null`).
    public var typeName: String {
        switch self {
        case .null: return "null"
        case .bool: return "boolean"
        case .int: return "integer"
        case .double: return "number"
        case .string: return "string"
        case .array: return "array"
        case .object: return "object"
        }
    }

    /// The member `key` of an object; nil for a missing key or a non-object.
    /// Setting a member on a non-object turns this value into an object; setting nil removes the key.
    public subscript(key: String) -> JSONValue? {
        get {
            if case .object(let o) = self { return o[key] }
            return nil
        }
        set {
            var members: [String: JSONValue]
            if case .object(let o) = self { members = o } else { members = [:] }
            members[key] = newValue
            self = .object(members)
        }
    }

    /// The element at `index` of an array; nil when out of range or not an array.
    public subscript(index: Int) -> JSONValue? {
        if case .array(let a) = self, a.indices.contains(index) { return a[index] }
        return nil
    }

    /// The value at a path of object keys (`["metadata", "name"]`); nil if any step is missing.
    /// Setting creates intermediate objects; setting nil removes the last key.
    public subscript(path path: [String]) -> JSONValue? {
        get {
            var current: JSONValue? = self
            for key in path {
                current = current?[key]
                if current == nil { return nil }
            }
            return current
        }
        set {
            guard let first = path.first else {
                self = newValue ?? .null
                return
            }
            if path.count == 1 {
                self[first] = newValue
                return
            }
            var child = self[first] ?? .emptyObject
            if child.objectValue == nil { child = .emptyObject }
            child[path: Array(path.dropFirst())] = newValue
            self[first] = child
        }
    }
}

// MARK: - Literals

extension JSONValue: ExpressibleByStringLiteral, ExpressibleByIntegerLiteral, ExpressibleByFloatLiteral,
    ExpressibleByBooleanLiteral, ExpressibleByArrayLiteral, ExpressibleByDictionaryLiteral, ExpressibleByNilLiteral
{
    public init(stringLiteral value: String) { self = .string(value) }
    public init(integerLiteral value: Int64) { self = .int(value) }
    public init(floatLiteral value: Double) { self = .double(value) }
    public init(booleanLiteral value: Bool) { self = .bool(value) }
    public init(arrayLiteral elements: JSONValue...) { self = .array(elements) }
    public init(dictionaryLiteral elements: (String, JSONValue)...) {
        self = .object(Dictionary(elements, uniquingKeysWith: { _, last in last }))
    }
    public init(nilLiteral: ()) { self = .null }
}

// MARK: - Equality of numbers

extension JSONValue {
    /// Semantic equality: like `==`, but `1` equals `1.0` (JSON has one number type).
    public func isSemanticallyEqual(to other: JSONValue) -> Bool {
        switch (self, other) {
        case (.int(let a), .double(let b)), (.double(let b), .int(let a)):
            return Double(a) == b
        case (.array(let a), .array(let b)):
            return a.count == b.count && zip(a, b).allSatisfy { $0.isSemanticallyEqual(to: $1) }
        case (.object(let a), .object(let b)):
            guard a.count == b.count else { return false }
            for (key, value) in a {
                guard let otherValue = b[key], value.isSemanticallyEqual(to: otherValue) else { return false }
            }
            return true
        default:
            return self == other
        }
    }
}
