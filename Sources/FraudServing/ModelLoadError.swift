/// Why a model file could not be loaded. The message names the file and what to fix.
public struct ModelLoadError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The kinds of load failure.
    public enum Kind: String, Sendable, Equatable {
        /// The file could not be read (missing, permissions, empty).
        case unreadable
        /// The file is not a well-formed model of its format.
        case malformed
        /// The model is well formed but uses something fraud-server does not implement.
        case unsupported
    }

    /// The model file's path (or a label such as `<memory>`).
    public var file: String
    /// The kind of failure.
    public var kind: Kind
    /// What is wrong, naming the field, tree or node and what was expected.
    public var reason: String

    /// Creates an error for `file`.
    public init(file: String, kind: Kind, reason: String) {
        self.file = file
        self.kind = kind
        self.reason = reason
    }

    public var description: String {
        switch kind {
        case .unreadable: return "cannot read model file '\(file)': \(reason)"
        case .malformed: return "model file '\(file)' is not a valid model: \(reason)"
        case .unsupported: return "model file '\(file)' uses an unsupported feature: \(reason)"
        }
    }
}
