/// A Kubernetes field selector: `metadata.name=x,metadata.namespace!=y`.
///
/// Only `=`, `==` and `!=` exist for fields. Which field paths a resource supports is the
/// server's business; `matches` reads any dotted path from the object.
public struct FieldSelector: Sendable, Hashable, CustomStringConvertible {
    /// One comparison of a field with a value.
    public struct Requirement: Sendable, Hashable {
        public let field: String
        public let value: String
        /// False for `!=`.
        public let equal: Bool

        public init(field: String, value: String, equal: Bool = true) {
            self.field = field
            self.value = value
            self.equal = equal
        }
    }

    /// The requirements, all of which must hold.
    public var requirements: [Requirement]

    public init(_ requirements: [Requirement] = []) {
        self.requirements = requirements
    }

    /// True when the selector matches everything.
    public var isEmpty: Bool { requirements.isEmpty }

    /// The fields the selector names.
    public var fields: [String] { requirements.map(\.field) }

    /// Adds `field=value`.
    public func equals(_ field: String, _ value: String) -> FieldSelector {
        FieldSelector(requirements + [Requirement(field: field, value: value)])
    }

    /// Adds `field!=value`.
    public func notEquals(_ field: String, _ value: String) -> FieldSelector {
        FieldSelector(requirements + [Requirement(field: field, value: value, equal: false)])
    }

    /// Parses the string form; backslash escapes `\,` `\=` `\\` are honoured as in apimachinery.
    public init(parsing text: String) throws(SelectorParseError) {
        var requirements: [Requirement] = []
        for clause in Self.split(text, on: ",") where !clause.isEmpty {
            if let (field, value) = Self.cut(clause, "!=") {
                requirements.append(Requirement(field: field, value: value, equal: false))
            } else if let (field, value) = Self.cut(clause, "==") {
                requirements.append(Requirement(field: field, value: value))
            } else if let (field, value) = Self.cut(clause, "=") {
                requirements.append(Requirement(field: field, value: value))
            } else {
                throw SelectorParseError(selector: text, reason: "invalid field selector: '\(clause)'")
            }
        }
        self.init(requirements)
    }

    /// Whether the object's fields satisfy every requirement. A missing field reads as "".
    public func matches(_ object: JSONValue) -> Bool {
        requirements.allSatisfy { requirement in
            let path = requirement.field.split(separator: ".").map(String.init)
            let actual: String
            switch object[path: path] {
            case .string(let s): actual = s
            case .int(let i): actual = String(i)
            case .bool(let b): actual = String(b)
            case .double(let d): actual = String(d)
            default: actual = ""
            }
            return (actual == requirement.value) == requirement.equal
        }
    }

    public var description: String {
        requirements.map { "\($0.field)\($0.equal ? "=" : "!=")\($0.value)" }.joined(separator: ",")
    }

    static func split(_ text: String, on separator: Character) -> [String] {
        var parts: [String] = []
        var current = ""
        var escaped = false
        for character in text {
            if escaped {
                current.append(character)
                escaped = false
            } else if character == "\\" {
                escaped = true
            } else if character == separator {
                parts.append(current)
                current = ""
            } else {
                current.append(character)
            }
        }
        parts.append(current)
        return parts.map { $0.trimmingSpaces }
    }

    static func cut(_ clause: String, _ token: String) -> (String, String)? {
        guard let range = clause.range(of: token) else { return nil }
        return (String(clause[..<range.lowerBound]).trimmingSpaces, String(clause[range.upperBound...]).trimmingSpaces)
    }
}
