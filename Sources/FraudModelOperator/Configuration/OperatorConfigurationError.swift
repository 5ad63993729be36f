/// Why the operator configuration could not be used: every problem found in the file (not
/// just the first), or the one reason a member's client could not be configured.
///
/// Its description has one line per problem, each prefixed by the file path, e.g.
/// `clusters.yaml: clusters[1].provider: unsupported value "azure": expected one of aws, gcp, other`.
/// No message contains a credential or a line of a kubeconfig.
public struct OperatorConfigurationError: Error, Sendable, Hashable, CustomStringConvertible {
    /// One problem.
    public struct Problem: Sendable, Hashable, CustomStringConvertible {
        /// Where: a field path such as `clusters[1].provider`, `line 3, column 7` for invalid
        /// YAML, `cluster "gke"` for a member's client, or empty for the file as a whole.
        public var location: String
        /// What is wrong and what was expected.
        public var message: String

        /// A problem at `location`.
        public init(location: String, message: String) {
            self.location = location
            self.message = message
        }

        /// `location: message`, or `message` when the location is empty.
        public var description: String { location.isEmpty ? message : "\(location): \(message)" }
    }

    /// The configuration file, as it was given to `load(path:)` or `parse(yaml:file:)`.
    public var file: String
    /// Every problem found, in the order of the file.
    public var problems: [Problem]

    /// An error in `file`.
    public init(file: String, problems: [Problem]) {
        self.file = file
        self.problems = problems
    }

    /// An error with one problem.
    init(file: String, location: String, message: String) {
        self.init(file: file, problems: [Problem(location: location, message: message)])
    }

    /// One line per problem, each `file: location: message`.
    public var description: String {
        problems.map { "\(file): \($0)" }.joined(separator: "\n")
    }
}
