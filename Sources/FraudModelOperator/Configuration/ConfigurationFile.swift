import Foundation
import KubeAPI
import Yams

/// Reading the operator's input files (`clusters.yaml` and the kubeconfigs it names) with
/// problems a user can act on.
///
/// # Guarantees
/// - A YAML problem carries the line and column Yams reports, never the text of the line:
///   the same reader serves kubeconfigs, whose lines may hold tokens.
enum ConfigurationFile {
    /// Why a file could not be read: a short phrase such as `no such file`.
    struct ReadFailure: Error {
        var reason: String
    }

    /// Why a text is not one valid YAML document.
    struct SyntaxFailure: Error {
        /// `line L, column C`, or empty when Yams gives no position.
        var location: String
        /// `invalid YAML: …`.
        var message: String
    }

    /// The UTF-8 text of the file at `path`.
    static func read(_ path: String) throws(ReadFailure) -> String {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            throw ReadFailure(reason: "no such file")
        }
        guard !isDirectory.boolValue else { throw ReadFailure(reason: "is a folder, not a file") }
        guard let data = FileManager.default.contents(atPath: path) else {
            throw ReadFailure(reason: "cannot read the file (permission denied?)")
        }
        guard let text = String(data: data, encoding: .utf8) else { throw ReadFailure(reason: "not UTF-8 text") }
        return text
    }

    /// `text` as one YAML document (`.null` when it is empty or only comments).
    static func parseYAML(_ text: String) throws(SyntaxFailure) -> JSONValue {
        do {
            return try JSONValue(yaml: text)
        } catch let error as YamlError {
            throw failure(error)
        } catch {
            throw SyntaxFailure(location: "", message: "invalid YAML: \(error)")
        }
    }

    private static func failure(_ error: YamlError) -> SyntaxFailure {
        switch error {
        case .scanner(let context, let problem, let mark, _), .parser(let context, let problem, let mark, _),
             .composer(let context, let problem, let mark, _):
            // Yams' own description appends the offending line: left out on purpose.
            // libyaml's context reads before its problem: "while scanning a quoted scalar (…), found …".
            let during = context.map { "\($0.text) (\(position($0.mark))), " } ?? ""
            return SyntaxFailure(location: position(mark), message: "invalid YAML: \(during)\(problem)")
        case .duplicatedKeysInMapping(let duplicates, let context):
            // `context.text` is the whole document: never shown.
            let keys = duplicates.map { "\"\($0)\"" }.joined(separator: ", ")
            return SyntaxFailure(location: position(context.mark), message: "invalid YAML: duplicate key \(keys) in a mapping")
        case .reader(let problem, _, _, _):
            return SyntaxFailure(location: "", message: "invalid YAML: \(problem)")
        default:
            return SyntaxFailure(location: "", message: "invalid YAML: \(error)")
        }
    }

    private static func position(_ mark: Mark) -> String {
        "line \(mark.line), column \(mark.column)"
    }
}
