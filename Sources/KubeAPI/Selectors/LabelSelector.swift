/// A Kubernetes label selector: a conjunction of requirements on an object's labels.
///
/// Parses and prints the string form used in `?labelSelector=` and `kubectl -l`
/// (`a=b`, `a==b`, `a!=b`, `a in (x,y)`, `a notin (x)`, `a`, `!a`) and matches label maps.
/// The empty selector matches everything.
public struct LabelSelector: Sendable, Hashable, CustomStringConvertible {
    /// One requirement on one label key.
    public struct Requirement: Sendable, Hashable {
        /// How a requirement compares the label's value.
        public enum Operator: String, Sendable, Hashable {
            case equals = "="
            case notEquals = "!="
            case `in` = "in"
            case notIn = "notin"
            case exists = "exists"
            case doesNotExist = "!"
        }

        public let key: String
        public let op: Operator
        public let values: [String]

        public init(key: String, op: Operator, values: [String] = []) {
            self.key = key
            self.op = op
            self.values = values
        }

        /// Whether `labels` satisfy this requirement.
        public func matches(_ labels: [String: String]) -> Bool {
            switch op {
            case .equals: return labels[key] == values.first
            case .notEquals: return labels[key] != values.first
            case .in: return labels[key].map(values.contains) ?? false
            case .notIn: return !(labels[key].map(values.contains) ?? false)
            case .exists: return labels[key] != nil
            case .doesNotExist: return labels[key] == nil
            }
        }

        var text: String {
            switch op {
            case .equals: return "\(key)=\(values.first ?? "")"
            case .notEquals: return "\(key)!=\(values.first ?? "")"
            case .in: return "\(key) in (\(values.joined(separator: ",")))"
            case .notIn: return "\(key) notin (\(values.joined(separator: ",")))"
            case .exists: return key
            case .doesNotExist: return "!\(key)"
            }
        }
    }

    /// The requirements, all of which must hold.
    public var requirements: [Requirement]

    /// A selector from requirements.
    public init(_ requirements: [Requirement] = []) {
        self.requirements = requirements
    }

    /// A selector requiring each label to equal the given value (`matchLabels`).
    public init(matchLabels: [String: String]) {
        self.requirements = matchLabels.keys.sorted().map { Requirement(key: $0, op: .equals, values: [matchLabels[$0]!]) }
    }

    /// True when the selector has no requirement and so matches everything.
    public var isEmpty: Bool { requirements.isEmpty }

    /// Whether `labels` satisfy every requirement.
    public func matches(_ labels: [String: String]) -> Bool {
        requirements.allSatisfy { $0.matches(labels) }
    }

    public var description: String {
        requirements.map(\.text).joined(separator: ",")
    }

    /// Adds `key=value`.
    public func equals(_ key: String, _ value: String) -> LabelSelector {
        LabelSelector(requirements + [Requirement(key: key, op: .equals, values: [value])])
    }

    /// Adds `key!=value`.
    public func notEquals(_ key: String, _ value: String) -> LabelSelector {
        LabelSelector(requirements + [Requirement(key: key, op: .notEquals, values: [value])])
    }

    /// Adds `key in (values)`.
    public func `in`(_ key: String, _ values: [String]) -> LabelSelector {
        LabelSelector(requirements + [Requirement(key: key, op: .in, values: values)])
    }

    /// Adds `key notin (values)`.
    public func notIn(_ key: String, _ values: [String]) -> LabelSelector {
        LabelSelector(requirements + [Requirement(key: key, op: .notIn, values: values)])
    }

    /// Adds `key` (the label exists).
    public func exists(_ key: String) -> LabelSelector {
        LabelSelector(requirements + [Requirement(key: key, op: .exists)])
    }

    /// Adds `!key` (the label does not exist).
    public func doesNotExist(_ key: String) -> LabelSelector {
        LabelSelector(requirements + [Requirement(key: key, op: .doesNotExist)])
    }
}

/// A selector string that could not be parsed.
public struct SelectorParseError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The selector as given.
    public let selector: String
    /// What is wrong with it.
    public let reason: String

    public var description: String { "unable to parse requirement: \(reason) in selector \"\(selector)\"" }
}

extension LabelSelector {
    /// Parses the string form. Whitespace around tokens is ignored.
    public init(parsing text: String) throws(SelectorParseError) {
        var requirements: [Requirement] = []
        for clause in try Self.splitClauses(text) {
            requirements.append(try Self.parseClause(clause, in: text))
        }
        self.init(requirements)
    }

    /// Splits on commas that are not inside parentheses.
    static func splitClauses(_ text: String) throws(SelectorParseError) -> [String] {
        var clauses: [String] = []
        var current = ""
        var depth = 0
        for character in text {
            switch character {
            case "(":
                depth += 1
                current.append(character)
            case ")":
                depth -= 1
                if depth < 0 { throw SelectorParseError(selector: text, reason: "unmatched ')'") }
                current.append(character)
            case "," where depth == 0:
                clauses.append(current)
                current = ""
            default:
                current.append(character)
            }
        }
        if depth != 0 { throw SelectorParseError(selector: text, reason: "unclosed '('") }
        clauses.append(current)
        let trimmed = clauses.map { $0.trimmingSpaces }
        if trimmed == [""] { return [] }
        if trimmed.contains("") { throw SelectorParseError(selector: text, reason: "empty requirement") }
        return trimmed
    }

    static func parseClause(_ clause: String, in text: String) throws(SelectorParseError) -> Requirement {
        if clause.hasPrefix("!") {
            let key = String(clause.dropFirst()).trimmingSpaces
            try validateKey(key, in: text)
            return Requirement(key: key, op: .doesNotExist)
        }
        for (token, op) in [("!=", Requirement.Operator.notEquals), ("==", .equals), ("=", .equals)] {
            if let range = clause.range(of: token) {
                let key = String(clause[..<range.lowerBound]).trimmingSpaces
                let value = String(clause[range.upperBound...]).trimmingSpaces
                try validateKey(key, in: text)
                try validateValue(value, in: text)
                return Requirement(key: key, op: op, values: [value])
            }
        }
        let words = clause.split(separator: " ", maxSplits: 1, omittingEmptySubsequences: true)
        if words.count == 2 {
            let key = String(words[0])
            let rest = words[1].trimmingSpaces
            for (keyword, op) in [("notin", Requirement.Operator.notIn), ("in", .in)] where rest.hasPrefix(keyword) {
                let list = rest.dropFirst(keyword.count).trimmingSpaces
                guard list.hasPrefix("("), list.hasSuffix(")") else {
                    throw SelectorParseError(selector: text, reason: "found '\(list)', expected: '('")
                }
                let values = list.dropFirst().dropLast().split(separator: ",", omittingEmptySubsequences: false)
                    .map { String($0).trimmingSpaces }
                try validateKey(key, in: text)
                for value in values { try validateValue(value, in: text) }
                return Requirement(key: key, op: op, values: values.filter { !$0.isEmpty })
            }
            throw SelectorParseError(selector: text, reason: "found '\(rest)', expected: in, notin, =, ==, !=")
        }
        try validateKey(clause, in: text)
        return Requirement(key: clause, op: .exists)
    }

    static func validateKey(_ key: String, in text: String) throws(SelectorParseError) {
        guard LabelSyntax.isValidKey(key) else {
            throw SelectorParseError(selector: text, reason: "invalid label key \"\(key)\"")
        }
    }

    static func validateValue(_ value: String, in text: String) throws(SelectorParseError) {
        guard LabelSyntax.isValidValue(value) else {
            throw SelectorParseError(selector: text, reason: "invalid label value: \"\(value)\"")
        }
    }
}

extension StringProtocol {
    /// The string without leading and trailing spaces and tabs.
    var trimmingSpaces: String {
        var scalars = Substring(self)
        while let first = scalars.first, first == " " || first == "\t" { scalars.removeFirst() }
        while let last = scalars.last, last == " " || last == "\t" { scalars.removeLast() }
        return String(scalars)
    }
}
