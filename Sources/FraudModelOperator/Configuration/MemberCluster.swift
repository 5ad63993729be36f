import FraudModelPlanning

/// One member cluster of the fleet, as the operator configuration (`clusters.yaml`) lists it.
///
/// Values come out of `OperatorConfiguration.parse(yaml:file:)` already validated: `name` is
/// a unique DNS label, `registry` has no scheme and no trailing `/`, and a kubeconfig path
/// is absolute or relative to the working directory (never to the configuration file).
public struct MemberCluster: Sendable, Hashable {
    /// The cluster's name: an RFC 1123 DNS label, unique in the configuration. It is the
    /// `cluster` of logs and metrics and the name FraudModels use in `spec.clusters` and
    /// `spec.rollout.order`.
    public var name: String
    /// The cloud it runs on. Defaults to `.other`.
    public var provider: CloudProvider
    /// The cloud region, e.g. `us-east-1`; nil when not configured (an empty string counts as not configured).
    public var region: String?
    /// How the operator reaches the cluster's API server.
    public var access: ClusterAccess
    /// The image registry prefixed to `spec.image.repository`, e.g.
    /// `123456789012.dkr.ecr.us-east-1.amazonaws.com`; nil when not configured.
    public var registry: String?
    /// Whether this operator instance manages the cluster or only observes it. Defaults to `.manage`.
    public var mode: ClusterMode
    /// How the serving pods run in this cluster (`serving:`): their cloud identity and extra
    /// environment variables. Defaults to none.
    public var serving: MemberServing

    /// The provider of a member that names none: `.other`.
    public static let defaultProvider = CloudProvider.other
    /// The mode of a member that names none: `.manage`.
    public static let defaultMode = ClusterMode.manage

    /// A member cluster; `provider` defaults to `.other`, `mode` to `.manage`, `serving` to none.
    public init(name: String, provider: CloudProvider = defaultProvider, region: String? = nil, access: ClusterAccess,
                registry: String? = nil, mode: ClusterMode = defaultMode, serving: MemberServing = MemberServing()) {
        self.name = name
        self.provider = provider
        self.region = region
        self.access = access
        self.registry = registry
        self.mode = mode
        self.serving = serving
    }
}

/// The cloud a member cluster runs on (`provider:` in the configuration).
public enum CloudProvider: String, Sendable, Hashable, CaseIterable {
    /// Amazon Web Services (EKS).
    case aws
    /// Google Cloud (GKE).
    case gcp
    /// Anything else: a local kube-emulator, kind, on-premises. The default.
    case other
}

/// How the operator reaches a member cluster's API server.
public enum ClusterAccess: Sendable, Hashable {
    /// Through a kubeconfig file: `path` after `~/` expansion and resolution against the
    /// configuration file's folder; `context` nil means the file's `current-context`.
    case kubeconfig(path: String, context: String?)
    /// Through the pod's service account (`inCluster: true`): the cluster the operator runs in.
    case inCluster
}
