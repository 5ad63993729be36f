import Foundation
import KubeAPI

/// Reading the operator's input files (`clusters.yaml` and the kubeconfigs it names) with
/// problems a user can act on.
///
/// # Guarantees
/// - A YAML problem carries the line and column Yams reports, never the text of the line
///   (`YAMLSyntaxError`).
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
        } catch {
            let syntax = YAMLSyntaxError(error)
            throw SyntaxFailure(location: syntax.location, message: syntax.message)
        }
    }
}
