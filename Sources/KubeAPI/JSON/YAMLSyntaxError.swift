import Foundation
import Yams

/// Why a text is not valid YAML, told by position and never by quoting the text: files such as
/// kubeconfigs hold tokens and keys on the very lines that fail to parse (Yams' own description
/// of its errors appends the offending line).
public struct YAMLSyntaxError: Error, Sendable, CustomStringConvertible {
    /// The 1-based line of the problem; nil when the parser gives no position.
    public var line: Int?
    /// The 1-based column of the problem; nil when the parser gives no position.
    public var column: Int?
    /// What is wrong, as the parser words it: `invalid YAML: mapping values are not allowed in
    /// this context`, with the construct it was reading (`while scanning a quoted scalar (line 4, column 13), …`).
    public var message: String

    /// `line L, column C`, or empty without a position.
    public var location: String {
        guard let line, let column else { return "" }
        return "line \(line), column \(column)"
    }

    public var description: String { location.isEmpty ? message : "\(location): \(message)" }

    /// The problem `JSONValue(yaml:)` threw, without any text of the document.
    public init(_ error: any Error) {
        if let error = error as? YAMLSyntaxError {
            self = error
            return
        }
        guard let yaml = error as? YamlError else {
            // `YAMLConversionError` (aliases, non-scalar keys) says what, never where or with what text.
            self.init(line: nil, column: nil, message: "invalid YAML: \(error)")
            return
        }
        switch yaml {
        case .scanner(let context, let problem, let mark, _), .parser(let context, let problem, let mark, _),
             .composer(let context, let problem, let mark, _):
            // libyaml's context reads before its problem: "while scanning a quoted scalar (…), found …".
            let during = context.map { "\($0.text) (line \($0.mark.line), column \($0.mark.column)), " } ?? ""
            self.init(line: mark.line, column: mark.column, message: "invalid YAML: \(during)\(problem)")
        case .duplicatedKeysInMapping(let duplicates, let context):
            // `context.text` is the whole document: never shown. Keys are field names.
            let keys = duplicates.map { "\"\($0)\"" }.joined(separator: ", ")
            self.init(line: context.mark.line, column: context.mark.column, message: "invalid YAML: duplicate key \(keys) in a mapping")
        case .reader(let problem, _, _, _):
            self.init(line: nil, column: nil, message: "invalid YAML: \(problem)")
        default:
            self.init(line: nil, column: nil, message: "invalid YAML: \(yaml)")
        }
    }

    /// A problem at `line` and `column` (both 1-based, or both nil).
    public init(line: Int?, column: Int?, message: String) {
        self.line = line
        self.column = column
        self.message = message
    }

    /// The mapping keys and sequence indices that lead to `line` in `text` (`users[0].user.token`),
    /// read from its block-style indentation; nil without a line or when no key leads there.
    ///
    /// Only keys `shown` accepts are named, others read `*`: a line that failed to parse may be
    /// a secret that merely looks like a key.
    public func fieldPath(in text: String, showing shown: (String) -> Bool) -> String? {
        guard let line else { return nil }
        var path = YAMLFieldPath()
        for content in text.split(separator: "\n", omittingEmptySubsequences: false).prefix(line) {
            path.read(Substring(content))
        }
        return path.rendered(showing: shown)
    }
}

/// The path to the current line of a block-style YAML document, line by line: a stack of the
/// mapping keys and sequence items that enclose it, each with the column it starts at.
struct YAMLFieldPath {
    private struct Step {
        var column: Int
        /// The key, or nil for a sequence item.
        var key: String?
        var index = 0
        /// Whether a value follows the key on its own line (a scalar, or a flow collection).
        var inlineValue = false
    }

    private var steps: [Step] = []

    mutating func read(_ line: Substring) {
        var column = line.prefix { $0 == " " }.count
        var rest = line.dropFirst(column)
        guard let first = rest.first, first != "#" else { return }
        while rest == "-" || rest.hasPrefix("- ") {
            // A sequence item, at the column of its dash; a sibling item ends the one before it.
            var index = 0
            while let last = steps.last, last.column > column || last.column == column && (last.key == nil || last.inlineValue) {
                if last.column == column, last.key == nil { index = last.index + 1 }
                steps.removeLast()
            }
            steps.append(Step(column: column, key: nil, index: index))
            let afterDash = rest.dropFirst().prefix { $0 == " " }.count + 1
            column += afterDash
            rest = rest.dropFirst(afterDash)
        }
        // Whatever started at this column or deeper has ended (the items just read start left of it).
        steps.removeAll { $0.column >= column }
        guard !rest.hasPrefix("{"), !rest.hasPrefix("["), let colon = rest.firstIndex(of: ":"), rest[rest.index(after: colon)...].first.map({ $0 == " " }) ?? true else { return }
        let key = rest[..<colon].trimmingCharacters(in: CharacterSet(charactersIn: "\"' "))
        let value = rest[rest.index(after: colon)...].trimmingCharacters(in: .whitespaces)
        steps.append(Step(column: column, key: key, inlineValue: !value.isEmpty && !value.hasPrefix("#")))
    }

    func rendered(showing shown: (String) -> Bool) -> String? {
        guard !steps.isEmpty else { return nil }
        var text = ""
        for step in steps {
            if let key = step.key {
                text += (text.isEmpty ? "" : ".") + (shown(key) ? key : "*")
            } else {
                text += "[\(step.index)]"
            }
        }
        return text
    }
}
