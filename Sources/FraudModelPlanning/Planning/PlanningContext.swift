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
    /// The revision a rollback restores: the newest that served ready in every target cluster.
    var lastGood: ModelRevision?
    /// The revision whose rollout failed, if any.
    var failed: FailedRevision?
    var failedRetry: String?
    var lastGoodVersion: String? { lastGood?.version }
    var failedVersion: String? { failed?.version }

    var spec: FraudModelSpec { reference.spec }
    var rollout: RolloutSpec { reference.spec.rollout }
    var now: Date { fleet.now }

    init?(_ fleet: FleetObservation) {
        guard let reference = fleet.clusters.first(where: { $0.reachable && $0.model != nil })?.model else { return nil }
        self.fleet = fleet
        self.reference = reference
        let previous = fleet.previousStatus ?? FraudModelStatus()
        self.previous = previous
        let spec = reference.spec
        lastGood = previous.lastGoodVersion.map { version in Self.revision(of: version, previous: previous, fleet: fleet, spec: spec) }
        failed = previous.failedVersion.map { version in FailedRevision(version: version, digest: previous.failedRevision) }
        failedRetry = previous.failedRetry
        if let failed, failed.matches(lastGood) {
            // Every cluster served it ready since it failed (the planner itself clears it
            // then); a status saying both is stale, and the revision is good.
            self.failed = nil
            failedRetry = nil
        }
        if failed != nil, reference.retry != failedRetry {
            // The retry annotation changed value: the failed version may be tried again.
            failed = nil
            failedRetry = nil
        }
        var problems: [String] = []
        let members = fleet.clusters.map(\.name)
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
            if cluster.registry(under: spec)?.isEmpty != false {
                problems.append("cluster \(cluster.name) has no image registry: set registry in the operator configuration or spec.clusters[].registry")
            }
        }
        let ordered = (spec.rollout.order ?? []).filter(targetNames.contains) + targetNames.filter { !(spec.rollout.order ?? []).contains($0) }
        order = ordered.compactMap { name in fleet.clusters.first { $0.name == name } }
        self.problems = problems
    }

    /// What `version` ran with when it last served: from `status.revisions`; for a status
    /// written before revisions were recorded, from a Deployment serving it ready, else the
    /// spec's settings at that version.
    static func revision(of version: String, previous: FraudModelStatus, fleet: FleetObservation, spec: FraudModelSpec) -> ModelRevision {
        if let served = previous.servedRevision(of: version) { return served }
        let serving = fleet.clusters.lazy.filter(\.reachable).compactMap(\.deployment).first { $0.revision?.version == version && $0.isFullyReady }
        if let revision = serving?.revision { return revision }
        var revision = ModelRevision(spec: spec)
        revision.version = version
        return revision
    }

    /// Whether `revision` is the one recorded as failed.
    func isFailed(_ revision: ModelRevision?) -> Bool { failed?.matches(revision) ?? false }

    /// The previous row of `cluster`.
    func previousRow(_ cluster: String) -> ClusterStatus? {
        previous.cluster(cluster)
    }

    /// Whether `onFailure: Pause` is holding the fleet: a failed version is recorded and some
    /// reachable target still asks for it.
    var failurePauseActive: Bool {
        guard let failed, rollout.onFailure == .pause else { return false }
        return order.contains { $0.reachable && failed.matches($0.ownRevision) }
    }

    /// Seconds since `cluster` started serving `revision` with every replica ready, from its
    /// previous row (0 when it just became ready).
    func secondsReady(_ cluster: ClusterObservation, at revision: ModelRevision) -> Int {
        guard let row = previousRow(cluster.name), row.phase == .ready, row.servingVersion == revision.version,
            row.desires(digestOf: revision),
            let since = Timestamps.parse(row.lastTransitionTime)
        else { return 0 }
        return Timestamps.seconds(from: since, to: now)
    }

    /// Seconds since `cluster` was told to move to `revision`, from its previous row (0 when
    /// it was told just now).
    func secondsMoving(_ cluster: ClusterObservation, to revision: ModelRevision) -> Int {
        guard let row = previousRow(cluster.name), row.asks(for: revision),
            row.phase == .progressing || row.phase == .degraded,
            let since = Timestamps.parse(row.lastTransitionTime)
        else { return 0 }
        return Timestamps.seconds(from: since, to: now)
    }
}

/// The revision recorded as failed: its version, and its digest when the status has one.
struct FailedRevision: Equatable {
    var version: String
    var digest: String?

    init(version: String, digest: String?) {
        self.version = version
        self.digest = digest
    }

    init(_ revision: ModelRevision) {
        self.init(version: revision.version, digest: revision.digest)
    }

    /// Whether `revision` is this one (by version alone for a status without a digest).
    func matches(_ revision: ModelRevision?) -> Bool {
        guard let revision, revision.version == version else { return false }
        return digest.map { $0 == revision.digest } ?? true
    }
}

extension ClusterObservation {
    /// The revision its own FraudModel asks for; nil without a copy.
    var ownRevision: ModelRevision? { model.map { ModelRevision(spec: $0.spec) } }
}

extension ClusterStatus {
    /// Whether the row's `desiredRevision` is `revision`'s digest; a row written before rows
    /// named revisions matches any.
    func desires(digestOf revision: ModelRevision) -> Bool {
        desiredRevision.map { $0 == revision.digest } ?? true
    }

    /// Whether the row asks for `revision`: its version and, when the row names one, its digest.
    func asks(for revision: ModelRevision) -> Bool {
        desiredVersion == revision.version && desires(digestOf: revision)
    }
}
