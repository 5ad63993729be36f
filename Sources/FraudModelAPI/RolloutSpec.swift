/// How a new model version moves across the member clusters (`spec.rollout`).
public struct RolloutSpec: Codable, Sendable, Hashable {
    /// `Sequential` (default) or `Parallel`.
    public var strategy: RolloutStrategy
    /// The order clusters move in with `Sequential`. Defaults to the operator configuration's
    /// order; clusters not listed follow, in configuration order.
    public var order: [String]?
    /// Seconds a cluster must serve the new version with every replica ready before the next
    /// cluster moves (≥ 0). Defaults to 30.
    public var bakeSeconds: Int
    /// Seconds a cluster has to serve a new version ready before the rollout fails (≥ 1).
    /// Defaults to 300.
    public var progressDeadlineSeconds: Int
    /// What a failed rollout does. Defaults to `RollbackAll`.
    public var onFailure: FailurePolicy
    /// When true no cluster changes version, and the status says so. Defaults to false.
    public var paused: Bool

    /// A rollout spec; every field defaults as documented on `FraudModelDefaults`.
    public init(
        strategy: RolloutStrategy = FraudModelDefaults.strategy, order: [String]? = nil,
        bakeSeconds: Int = FraudModelDefaults.bakeSeconds,
        progressDeadlineSeconds: Int = FraudModelDefaults.progressDeadlineSeconds,
        onFailure: FailurePolicy = FraudModelDefaults.onFailure, paused: Bool = FraudModelDefaults.paused
    ) {
        self.strategy = strategy
        self.order = order
        self.bakeSeconds = bakeSeconds
        self.progressDeadlineSeconds = progressDeadlineSeconds
        self.onFailure = onFailure
        self.paused = paused
    }

    private enum CodingKeys: String, CodingKey { case strategy, order, bakeSeconds, progressDeadlineSeconds, onFailure, paused }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        strategy = try c.decodeIfPresent(RolloutStrategy.self, forKey: .strategy) ?? FraudModelDefaults.strategy
        order = try c.decodeIfPresent([String].self, forKey: .order)
        bakeSeconds = try c.decodeIfPresent(Int.self, forKey: .bakeSeconds) ?? FraudModelDefaults.bakeSeconds
        progressDeadlineSeconds =
            try c.decodeIfPresent(Int.self, forKey: .progressDeadlineSeconds) ?? FraudModelDefaults.progressDeadlineSeconds
        onFailure = try c.decodeIfPresent(FailurePolicy.self, forKey: .onFailure) ?? FraudModelDefaults.onFailure
        paused = try c.decodeIfPresent(Bool.self, forKey: .paused) ?? FraudModelDefaults.paused
    }
}

/// How clusters move to a new version.
public enum RolloutStrategy: String, Codable, Sendable, Hashable, CaseIterable {
    /// One cluster at a time, in `rollout.order`; each waits until every earlier cluster has
    /// served the version with all replicas ready for `bakeSeconds`.
    case sequential = "Sequential"
    /// Every cluster at once.
    case parallel = "Parallel"
}

/// What happens when a cluster does not serve a new version ready within the progress deadline.
public enum FailurePolicy: String, Codable, Sendable, Hashable, CaseIterable {
    /// Every cluster goes back to `status.lastGoodVersion`.
    case rollbackAll = "RollbackAll"
    /// Only the clusters that are not serving the failed version ready go back.
    case rollbackFailed = "RollbackFailed"
    /// No cluster changes version until the spec or the retry annotation changes.
    case pause = "Pause"
}
