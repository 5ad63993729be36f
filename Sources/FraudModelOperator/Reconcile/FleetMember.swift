import FraudModelPlanning

/// A member cluster as the reconciler sees it: what the operator configuration says about it.
public struct FleetMember: Sendable, Hashable {
    /// The cluster's name (the `cluster` of its keys).
    public var name: String
    /// `aws`, `gcp` or `other`.
    public var provider: String
    /// The cloud region, if configured.
    public var region: String?
    /// The image registry its Deployments pull from, if configured.
    public var registry: String?
    /// Whether this operator writes to the cluster or only reads it.
    public var mode: ClusterMode
    /// How its serving pods run: their cloud identity and extra environment. Defaults to none.
    public var serving: MemberServing

    /// A member.
    public init(
        name: String, provider: String = "other", region: String? = nil, registry: String? = nil, mode: ClusterMode = .manage,
        serving: MemberServing = MemberServing()
    ) {
        self.name = name
        self.provider = provider
        self.region = region
        self.registry = registry
        self.mode = mode
        self.serving = serving
    }

    /// Whether the operator applies ServiceAccounts in this cluster (and so watches them):
    /// it manages the cluster and the member has a serving identity.
    var appliesServiceAccounts: Bool { mode == .manage && serving.hasIdentity }
}
