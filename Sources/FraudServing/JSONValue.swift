/// A parsed JSON document that keeps every number's original text.
///
/// Model files store `float32` values as shortest decimal strings; keeping the text
/// lets a loader round each one straight to `Float` (as XGBoost does) instead of
/// rounding twice through `Double`.
public indirect enum JSONValue: Sendable, Equatable {
    case null
    case bool(Bool)
    /// A number, as written in the document (validated against the JSON grammar).
    case number(String)
    case string(String)
    case array([JSONValue])
    /// An object's members in document order (duplicate keys are kept; lookups see the first).
    case object([(String, JSONValue)])

    /// The member named `key`, or `nil` if this is not an object or has no such member.
    public subscript(key: String) -> JSONValue? {
        guard case .object(let members) = self else { return nil }
        return members.first(where: { $0.0 == key })?.1
    }

    /// The value as a `Double`, for numbers (and numeric strings, as XGBoost writes them).
    public var doubleValue: Double? {
        switch self {
        case .number(let text), .string(let text): return DecimalParser.parseDouble(Substring(text))
        default: return nil
        }
    }

    /// The value as a `Float` rounded once from its decimal text.
    public var floatValue: Float? {
        switch self {
        case .number(let text), .string(let text):
            guard DecimalParser.parseDouble(Substring(text)) != nil else { return nil }
            return Float(text)
        default: return nil
        }
    }

    /// The value as an `Int`, for integral numbers and numeric strings.
    public var intValue: Int? {
        switch self {
        case .number(let text), .string(let text): return Int(text)
        case .bool(let flag): return flag ? 1 : 0
        default: return nil
        }
    }

    /// The string, for string values.
    public var stringValue: String? {
        if case .string(let text) = self { return text }
        return nil
    }

    /// The elements, for arrays.
    public var arrayValue: [JSONValue]? {
        if case .array(let elements) = self { return elements }
        return nil
    }

    public static func == (lhs: JSONValue, rhs: JSONValue) -> Bool {
        switch (lhs, rhs) {
        case (.null, .null): return true
        case (.bool(let a), .bool(let b)): return a == b
        case (.number(let a), .number(let b)): return a == b
        case (.string(let a), .string(let b)): return a == b
        case (.array(let a), .array(let b)): return a == b
        case (.object(let a), .object(let b)):
            return a.count == b.count && zip(a, b).allSatisfy { $0.0 == $1.0 && $0.1 == $1.1 }
        default: return false
        }
    }
}
