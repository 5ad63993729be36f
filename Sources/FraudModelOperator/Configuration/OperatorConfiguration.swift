import Foundation
import KubeAPI

/// The operator's configuration file, `tandem-operator run --config clusters.yaml`: the
/// member clusters of the fleet.
///
/// ```yaml
/// clusters:
/// - name: eks                  # DNS label, unique
///   provider: aws              # aws | gcp | other (default other)
///   region: us-east-1          # optional
///   kubeconfig: ./kubeconfig   # relative to this file's folder; ~/ is $HOME
///   context: eks               # optional: the kubeconfig's current-context otherwise
///   registry: 123456789012.dkr.ecr.us-east-1.amazonaws.com   # optional; no scheme, no trailing /
///   mode: manage               # manage | observe (default manage)
///   serving:                   # optional: the serving pods' cloud identity (MemberServing)
///     awsRoleArn: arn:aws:iam::123456789012:role/fraud-models-read
///     env: {AWS_REGION: us-east-1}
/// - name: gke
///   provider: gcp
///   inCluster: true            # instead of kubeconfig/context: the pod's service account
///   serving: {gcpServiceAccount: fraud-models@my-project.iam.gserviceaccount.com}
/// ```
///
/// # Guarantees
/// - A configuration that loads is valid: at least one member, unique DNS-label names,
///   exactly one way of access per member, at most one `inCluster: true` member, no unknown field.
/// - Otherwise every problem of the file is reported at once, each naming the file, the
///   field and what was expected (`OperatorConfigurationError`).
///
/// # Caveats
/// - Kubeconfig files are not opened here: a missing one fails `clientConfiguration(for:)`.
public struct OperatorConfiguration: Sendable, Hashable {
    /// The member clusters, in the file's order (the default rollout order).
    public var clusters: [MemberCluster]
    /// The path the configuration was read from, as given; it prefixes every error message.
    public var file: String

    /// A configuration of `clusters`, said to come from `file`.
    public init(clusters: [MemberCluster], file: String) {
        self.clusters = clusters
        self.file = file
    }

    /// The member named `name`, if any.
    public func member(named name: String) -> MemberCluster? {
        clusters.first { $0.name == name }
    }

    /// Reads and validates the configuration file at `path`.
    ///
    /// - Parameter environment: supplies `HOME` for `~/` paths. Defaults to the process environment.
    /// - Throws: the file's problems; a missing or unreadable file is one problem naming `path`.
    public static func load(path: String, environment: [String: String] = ProcessInfo.processInfo.environment)
        throws(OperatorConfigurationError) -> OperatorConfiguration
    {
        let text: String
        do { text = try ConfigurationFile.read(path) } catch {
            throw OperatorConfigurationError(file: path, location: "", message: "cannot read the configuration: \(error.reason)")
        }
        return try parse(yaml: text, file: path, environment: environment)
    }

    /// Validates the configuration `yaml`, read from `file`: relative kubeconfig paths resolve
    /// against the folder of `file` (the working directory for a bare file name), and
    /// a `~/` prefix expands to `HOME`.
    ///
    /// - Parameter environment: supplies `HOME`. Defaults to the process environment.
    /// - Throws: every problem found, YAML syntax errors with their line and column.
    public static func parse(yaml: String, file: String, environment: [String: String] = ProcessInfo.processInfo.environment)
        throws(OperatorConfigurationError) -> OperatorConfiguration
    {
        let document: JSONValue
        do { document = try ConfigurationFile.parseYAML(yaml) } catch {
            throw OperatorConfigurationError(file: file, location: error.location, message: error.message)
        }
        var decoder = OperatorConfigurationDecoder(directory: ConfigurationPath.directory(of: file), home: environment["HOME"])
        let clusters = decoder.decode(document)
        guard decoder.problems.isEmpty else { throw OperatorConfigurationError(file: file, problems: decoder.problems) }
        return OperatorConfiguration(clusters: clusters, file: file)
    }
}
