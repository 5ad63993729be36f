import FraudModelAPI

/// The planner's verdict on one target cluster, before it becomes a status row and a decision.
struct ClusterOutcome {
    /// Why a wanted move was not made.
    enum Hold: Equatable {
        /// `spec.rollout.paused`.
        case paused
        /// `onFailure: Pause` after a failure.
        case failurePause
        /// A Sequential gate: an earlier cluster has not served the version ready long enough.
        case gate(String)
    }

    let cluster: ClusterObservation
    /// The revision its own FraudModel asks for; nil without a copy or when unreachable.
    let own: ModelRevision?
    /// The revision its Deployment should run; nil: nothing to run (leave it alone).
    var target: ModelRevision?
    /// The revision it would move to if nothing held it.
    var wanted: ModelRevision?
    var hold: Hold?
    var phase: ClusterPhase
    var message: String
    /// Seconds until a bake gate or progress deadline concerning it runs out.
    var wakeAfterSeconds: Int?

    var current: ModelRevision? { cluster.deployment?.revision }
    /// True when the Deployment changes revision.
    var moves: Bool { target != nil && target != current }
}

/// One cluster that missed the progress deadline in this reconcile.
struct RolloutFailure {
    let cluster: String
    let revision: ModelRevision
    let message: String

    var version: String { revision.version }
}
