import FraudModelAPI
import KubeAPI

/// The rollout planner: a pure function from a fleet's observed state to decisions.
///
/// # Guarantees
/// - Pure and deterministic: the result depends only on the `FleetObservation` (time comes
///   from `now`); it never traps, whatever the input.
/// - A cluster's Deployment is only ever moved to the revision its own FraudModel asks for
///   (`modelVersion` with its checksum, model file and threshold) or to the revision recorded
///   for `status.lastGoodVersion` in `status.revisions`, and never to the recorded failed
///   revision. A cluster held by a gate or a pause keeps exactly the revision it runs.
/// - With `Sequential`, a cluster moves to version V only when every earlier cluster in
///   `rollout.order` serves V with every replica ready for `bakeSeconds` (measured from the
///   previous status rows, so the reconciler must write `plan.status` back).
/// - Unreachable and observe-mode clusters are never acted on; a paused fleet moves no cluster.
///
/// # Caveats
/// - Fleet-wide settings (`rollout`, the retry annotation) come from the first reachable
///   cluster, in configuration order, that has a copy; other copies' settings are ignored.
/// - Rolling back to `lastGoodVersion` is not gated: every cluster concerned moves at once.
/// - A cluster without a Deployment whose gate is closed is created at `lastGoodVersion`
///   when there is one.
public enum RolloutPlanner {
    /// Plans one reconcile of `fleet`.
    public static func plan(_ fleet: FleetObservation) -> RolloutPlan {
        guard var context = PlanningContext(fleet) else { return planWithoutModel(fleet) }
        guard context.problems.isEmpty else { return planInvalidSpec(context) }
        let planner = ClusterPlanner(context: context)
        let failures = planner.detectFailures()
        if let failure = failures.first {
            context.failed = FailedRevision(failure.revision)
            context.failedRetry = context.reference.retry
        }
        let outcomes = ClusterPlanner(context: context).outcomes(failures: failures)
        return FleetStatusBuilder(context: context, outcomes: outcomes, failures: failures).plan()
    }

    /// No reachable cluster has a copy: nothing to decide, nothing to write.
    static func planWithoutModel(_ fleet: FleetObservation) -> RolloutPlan {
        let decisions = fleet.clusters.map { cluster in
            ClusterDecision(
                cluster: cluster.name,
                action: .leaveAlone(reason: cluster.reachable ? "no FraudModel in this cluster" : "unreachable"))
        }
        var status = fleet.previousStatus ?? FraudModelStatus()
        if status.phase == nil { status.phase = .pending }
        return RolloutPlan(decisions: decisions, status: status, events: [], requeueAfterSeconds: nil)
    }

    /// The spec names unknown clusters or lacks a registry: move nothing and say why.
    static func planInvalidSpec(_ context: PlanningContext) -> RolloutPlan {
        let message = context.problems.joined(separator: "; ")
        let decisions = context.fleet.clusters.map {
            ClusterDecision(cluster: $0.name, action: .leaveAlone(reason: "invalid spec: \(message)"))
        }
        let outcomes = context.order.map { cluster in
            ClusterOutcome(
                cluster: cluster, own: cluster.ownRevision, target: cluster.deployment?.revision,
                phase: cluster.reachable ? .degraded : .unreachable, message: "invalid spec: \(message)")
        }
        var plan = FleetStatusBuilder(context: context, outcomes: outcomes, failures: []).plan()
        plan.decisions = decisions
        plan.events = []
        plan.requeueAfterSeconds = nil
        plan.status.phase = .degraded
        var conditions = context.previous.conditions ?? []
        let time = Timestamps.format(context.now)
        InvalidSpec.mark(&conditions, message: message, time: time)
        if let inSync = plan.status.conditions?[type: FraudModelConditions.inSync] { conditions.set(inSync) }
        plan.status.conditions = FraudModelConditions.all.compactMap { conditions[type: $0] }
        return plan
    }
}
