import Foundation
import KubeAPI

/// The JSONPath subset CRD printer columns use: `.a.b`, `.a[0].b`, `.a[*].b`,
/// `.a[?(@.type=="Ready")].status`, with or without the `{}` wrapper.
struct PrinterJSONPath: Sendable {
    enum Step: Sendable, Equatable {
        case field(String)
        case index(Int)
        case all
        case filter(path: [String], value: String, equal: Bool)
    }

    let steps: [Step]

    /// Parses a path; nil when it uses syntax outside the subset.
    init?(_ text: String) {
        var source = text.trimmingCharacters(in: .whitespaces)
        if source.hasPrefix("{"), source.hasSuffix("}") { source = String(source.dropFirst().dropLast()) }
        if source.hasPrefix("$") { source.removeFirst() }
        var steps: [Step] = []
        var rest = Substring(source)
        while !rest.isEmpty {
            if rest.hasPrefix(".") {
                rest.removeFirst()
                let end = rest.firstIndex(where: { $0 == "." || $0 == "[" }) ?? rest.endIndex
                let name = String(rest[..<end])
                guard !name.isEmpty else { return nil }
                steps.append(.field(name))
                rest = rest[end...]
            } else if rest.hasPrefix("[") {
                guard let close = Self.closingBracket(in: rest) else { return nil }
                let inner = rest[rest.index(after: rest.startIndex)..<close].trimmingCharacters(in: .whitespaces)
                rest = rest[rest.index(after: close)...]
                if inner == "*" {
                    steps.append(.all)
                } else if let index = Int(inner) {
                    steps.append(.index(index))
                } else if inner.hasPrefix("?("), inner.hasSuffix(")") {
                    guard let filter = Self.parseFilter(String(inner.dropFirst(2).dropLast())) else { return nil }
                    steps.append(filter)
                } else if inner.hasPrefix("'"), inner.hasSuffix("'"), inner.count >= 2 {
                    steps.append(.field(String(inner.dropFirst().dropLast())))
                } else {
                    return nil
                }
            } else {
                return nil
            }
        }
        self.steps = steps
    }

    private static func closingBracket(in text: Substring) -> Substring.Index? {
        var quote: Character?
        for index in text.indices {
            let character = text[index]
            if let open = quote {
                if character == open { quote = nil }
            } else if character == "\"" || character == "'" {
                quote = character
            } else if character == "]" {
                return index
            }
        }
        return nil
    }

    private static func parseFilter(_ expression: String) -> Step? {
        for (token, equal) in [("==", true), ("!=", false)] {
            guard let range = expression.range(of: token) else { continue }
            let lhs = expression[..<range.lowerBound].trimmingCharacters(in: .whitespaces)
            var rhs = expression[range.upperBound...].trimmingCharacters(in: .whitespaces)
            guard lhs.hasPrefix("@.") else { return nil }
            if (rhs.hasPrefix("\"") && rhs.hasSuffix("\"")) || (rhs.hasPrefix("'") && rhs.hasSuffix("'")), rhs.count >= 2 {
                rhs = String(rhs.dropFirst().dropLast())
            }
            return .filter(path: lhs.dropFirst(2).split(separator: ".").map(String.init), value: rhs, equal: equal)
        }
        return nil
    }

    /// Every value the path selects.
    func evaluate(_ object: JSONValue) -> [JSONValue] {
        var current = [object]
        for step in steps {
            var next: [JSONValue] = []
            for value in current {
                switch step {
                case .field(let name):
                    if let child = value[name] { next.append(child) }
                case .index(let index):
                    if let elements = value.arrayValue {
                        let resolved = index < 0 ? elements.count + index : index
                        if elements.indices.contains(resolved) { next.append(elements[resolved]) }
                    }
                case .all:
                    if let elements = value.arrayValue { next.append(contentsOf: elements) } else if let members = value.objectValue {
                        next.append(contentsOf: members.keys.sorted().map { members[$0]! })
                    }
                case .filter(let path, let expected, let equal):
                    for element in value.arrayValue ?? [] {
                        let actual = element[path: path].map(Self.text) ?? ""
                        if (actual == expected) == equal { next.append(element) }
                    }
                }
            }
            current = next
        }
        return current
    }

    static func text(_ value: JSONValue) -> String {
        switch value {
        case .string(let s): return s
        case .null: return ""
        default: return value.jsonString
        }
    }
}
