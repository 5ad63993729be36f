import FraudModelAPI

/// What the rollout planner decided for one fleet: what each cluster's Deployment runs, the
/// status to write into every copy, the events to record, and when to look again.
public struct RolloutPlan: Sendable, Hashable {
    /// One decision per member cluster, in configuration order.
    public var decisions: [ClusterDecision]
    /// The fleet status; write it to each managed copy through
    /// `status.forCopy(generation:cluster:)`, and only when it differs from that copy's.
    public var status: FraudModelStatus
    /// Events to record on the FraudModel (on every managed copy).
    public var events: [RolloutEvent]
    /// Seconds until something may change without any watch event (bake time or a progress
    /// deadline running out); nil when nothing is waiting on time.
    public var requeueAfterSeconds: Int?

    /// The decision for `cluster`, if it is a member.
    public func decision(for cluster: String) -> ClusterDecision? {
        decisions.first { $0.cluster == cluster }
    }
}

/// What one cluster's Deployment should be.
public struct ClusterDecision: Sendable, Hashable {
    /// The member cluster.
    public var cluster: String
    /// What to do with its Deployment.
    public var action: Action

    /// What to do with a cluster's Deployment.
    public enum Action: Sendable, Hashable {
        /// Apply the Deployment (and Service) at this version; when it equals the version
        /// running, only the other fields are brought up to date.
        case run(DeploymentTarget)
        /// Do not touch its Deployment (unreachable, observe mode, invalid spec, nothing to
        /// run yet); the reason says which.
        case leaveAlone(reason: String)
    }

    /// The target, when the action is `run`.
    public var target: DeploymentTarget? {
        if case .run(let target) = action { return target }
        return nil
    }
}

/// The Deployment a cluster should run: a whole revision (the image, the model file or its
/// storage URI, its checksum and format, the threshold), never the live spec's settings for
/// another version.
public struct DeploymentTarget: Sendable, Hashable {
    /// What runs.
    public var revision: ModelRevision
    /// `<registry>/<repository>:<tag>`.
    public var image: String
    /// Pods: `spec.clusters[].replicas`, else `spec.replicas`.
    public var replicas: Int
    /// Where the cluster's pods download the model (`MODEL_URI`): the revision's template for
    /// this cluster with `{version}` resolved; nil when the model comes from the image. A
    /// rollback's target carries the URI of the revision it restores.
    public var modelURI: String?

    /// The model version (`MODEL_VERSION`).
    public var version: String { revision.version }

    /// A target.
    public init(revision: ModelRevision, image: String, replicas: Int, modelURI: String? = nil) {
        self.revision = revision
        self.image = image
        self.replicas = replicas
        self.modelURI = modelURI
    }

    /// The target of `revision` in `cluster`: its image in `registry`, its URI for `cluster`.
    public init(revision: ModelRevision, cluster: String, registry: String, replicas: Int) {
        self.init(revision: revision, image: revision.image(registry: registry), replicas: replicas, modelURI: revision.modelURI(for: cluster))
    }
}

/// An event to record on the FraudModel.
public struct RolloutEvent: Sendable, Hashable {
    /// `Normal` or `Warning`.
    public enum Kind: String, Sendable, Hashable {
        case normal = "Normal"
        case warning = "Warning"
    }

    /// The reasons the planner emits.
    public enum Reason: String, Sendable, Hashable, CaseIterable {
        /// A version started moving across the fleet.
        case rolloutStarted = "RolloutStarted"
        /// A cluster was moved to a new version.
        case clusterPromoted = "ClusterPromoted"
        /// Every target cluster serves the version ready.
        case rolloutSucceeded = "RolloutSucceeded"
        /// A cluster missed the progress deadline; the version is recorded as failed.
        case rolloutFailed = "RolloutFailed"
        /// The clusters sent back to `lastGoodVersion` serve it ready.
        case rolledBack = "RolledBack"
    }

    /// `Normal` or `Warning`.
    public var kind: Kind
    /// The reason.
    public var reason: Reason
    /// A message naming the clusters and versions.
    public var message: String
}
