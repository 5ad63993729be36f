#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import FraudModelAPI

/// What the planner derives from a `FleetObservation` before deciding per cluster: the
/// target clusters in rollout order, the fleet-wide spec, and the failure bookkeeping.
struct PlanningContext {
    let fleet: FleetObservation
    let previous: FraudModelStatus
    /// The copy whose `spec.rollout` and retry annotation govern the fleet: the first
    /// reachable member (configuration order) that has one.
    let reference: ObservedFraudModel
    /// Target clusters, in rollout order.
    let order: [ClusterObservation]
    /// Spec combinations the schema cannot reject; non-empty means InvalidSpec.
    let problems: [String]
    var lastGoodVersion: String?
    var failedVersion: String?
    var failedRetry: String?

    var spec: FraudModelSpec { reference.spec }
    var rollout: RolloutSpec { reference.spec.rollout }
    var now: Date { fleet.now }

    init?(_ fleet: FleetObservation) {
        guard let reference = fleet.clusters.first(where: { $0.reachable && $0.model != nil })?.model else { return nil }
        self.fleet = fleet
        self.reference = reference
        previous = fleet.previousStatus ?? FraudModelStatus()
        lastGoodVersion = previous.lastGoodVersion
        failedVersion = previous.failedVersion
        failedRetry = previous.failedRetry
        if failedVersion != nil, failedVersion == lastGoodVersion {
            // Every cluster served it ready since it failed (the planner itself clears it
            // then); a status saying both is stale, and the version is good.
            failedVersion = nil
            failedRetry = nil
        }
        if failedVersion != nil, reference.retry != failedRetry {
            // The retry annotation changed value: the failed version may be tried again.
            failedVersion = nil
            failedRetry = nil
        }
        var problems: [String] = []
        let members = fleet.clusters.map(\.name)
        let spec = reference.spec
        let targetNames: [String]
        if let listed = spec.clusters, !listed.isEmpty {
            for entry in listed where !members.contains(entry.name) {
                problems.append("spec.clusters names \(entry.name), which is not a member cluster (members: \(members.joined(separator: ", ")))")
            }
            targetNames = members.filter { name in listed.contains { $0.name == name } }
        } else {
            targetNames = members
        }
        for name in spec.rollout.order ?? [] where !targetNames.contains(name) {
            problems.append("spec.rollout.order names \(name), which is not a target cluster (targets: \(targetNames.joined(separator: ", ")))")
        }
        for cluster in fleet.clusters where targetNames.contains(cluster.name) {
            if spec.override(for: cluster.name)?.registry == nil, cluster.registry?.isEmpty != false {
                problems.append("cluster \(cluster.name) has no image registry: set registry in the operator configuration or spec.clusters[].registry")
            }
        }
        let ordered = (spec.rollout.order ?? []).filter(targetNames.contains) + targetNames.filter { !(spec.rollout.order ?? []).contains($0) }
        order = ordered.compactMap { name in fleet.clusters.first { $0.name == name } }
        self.problems = problems
    }

    /// The previous row of `cluster`.
    func previousRow(_ cluster: String) -> ClusterStatus? {
        previous.cluster(cluster)
    }

    /// The registry `cluster` pulls from.
    func registry(for cluster: ClusterObservation, spec: FraudModelSpec) -> String? {
        spec.override(for: cluster.name)?.registry ?? cluster.registry
    }

    /// Whether `onFailure: Pause` is holding the fleet: a failed version is recorded and some
    /// reachable target still asks for it.
    var failurePauseActive: Bool {
        guard let failedVersion, rollout.onFailure == .pause else { return false }
        return order.contains { $0.reachable && $0.model?.spec.modelVersion == failedVersion }
    }

    /// Seconds since `cluster` started serving `version` with every replica ready, from its
    /// previous row (0 when it just became ready).
    func secondsReady(_ cluster: ClusterObservation, at version: String) -> Int {
        guard let row = previousRow(cluster.name), row.phase == .ready, row.servingVersion == version,
            let since = Timestamps.parse(row.lastTransitionTime)
        else { return 0 }
        return Timestamps.seconds(from: since, to: now)
    }

    /// Seconds since `cluster` was told to move to `version`, from its previous row (0 when
    /// it was told just now).
    func secondsMoving(_ cluster: ClusterObservation, to version: String) -> Int {
        guard let row = previousRow(cluster.name), row.desiredVersion == version,
            row.phase == .progressing || row.phase == .degraded,
            let since = Timestamps.parse(row.lastTransitionTime)
        else { return 0 }
        return Timestamps.seconds(from: since, to: now)
    }
}
