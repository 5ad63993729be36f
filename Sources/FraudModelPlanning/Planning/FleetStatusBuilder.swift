import FraudModelAPI
import KubeAPI

/// Turns per-cluster outcomes into the plan: decisions, status rows, the fleet's phase,
/// `lastGoodVersion`/`failedVersion` bookkeeping, conditions, events and the requeue time.
struct FleetStatusBuilder {
    let context: PlanningContext
    let outcomes: [ClusterOutcome]
    let failures: [RolloutFailure]

    func plan() -> RolloutPlan {
        let rows = outcomes.map(row)
        var status = FraudModelStatus(clusters: rows)
        let ready = outcomes.filter { $0.phase == .ready }
        status.readyClusters = "\(ready.count)/\(outcomes.count)"
        let converged = !outcomes.isEmpty && ready.count == outcomes.count
        let serving = Set(outcomes.compactMap { outcome in outcome.target.flatMap { outcome.cluster.deployment?.serves($0) == true ? $0 : nil } })
        let allServing = !outcomes.isEmpty && outcomes.allSatisfy { outcome in
            outcome.cluster.reachable && outcome.target.map { outcome.cluster.deployment?.serves($0) == true } == true
        }
        let common = allServing && serving.count == 1 ? serving.first : nil
        status.servingVersion = common?.version

        var lastGood = context.lastGood
        var failed = context.failed
        var failedRetry = context.failedRetry
        status.revisions = context.previous.revisions
        if let common {
            lastGood = common
            if failed?.matches(common) == true { failed = nil }
            status.revisions = recordServed(common)
        }
        let stillAsksFailed = outcomes.contains { failed?.matches($0.own) == true }
        if failed != nil, converged, !stillAsksFailed { failed = nil }
        if failed == nil { failedRetry = nil }
        status.lastGoodVersion = lastGood?.version
        status.failedVersion = failed?.version
        status.failedRevision = failed?.digest
        status.failedRetry = failedRetry

        let phase = fleetPhase(converged: converged, failed: failed)
        status.phase = phase
        status.conditions = conditions(phase: phase, converged: converged, failed: failed?.version, servingVersion: status.servingVersion)
        let decisions = context.fleet.clusters.map(decision)
        let events = events(phase: phase, servingVersion: status.servingVersion, lastGood: lastGood?.version)
        let wake = outcomes.compactMap(\.wakeAfterSeconds).min()
        return RolloutPlan(decisions: decisions, status: status, events: events, requeueAfterSeconds: wake)
    }

    /// `status.revisions` with `revision` first: recorded when every target cluster first
    /// serves it ready, kept newest first, one entry per revision, at most the history limit.
    private func recordServed(_ revision: ModelRevision) -> [ServedRevision] {
        let history = context.previous.revisions ?? []
        if history.first?.revision == revision { return history }
        let older = history.filter { $0.revision != revision }
        let entry = ServedRevision(revision: revision, servedAt: Timestamps.format(context.now))
        return Array(([entry] + older).prefix(FraudModelStatus.revisionHistoryLimit))
    }

    // MARK: Rows and decisions

    private func row(_ outcome: ClusterOutcome) -> ClusterStatus {
        let cluster = outcome.cluster
        let previous = context.previousRow(cluster.name)
        var row = ClusterStatus(name: cluster.name, provider: cluster.provider, region: cluster.region, reachable: cluster.reachable)
        if cluster.reachable, let deployment = cluster.deployment {
            row.desiredVersion = outcome.target?.version
            row.desiredRevision = outcome.target?.digest
            row.servingVersion = deployment.isFullyReady ? deployment.version : previous?.servingVersion
            row.image = deployment.image
            row.replicas = deployment.replicas
            row.readyReplicas = deployment.readyReplicas
            row.updatedReplicas = deployment.updatedReplicas
        } else if cluster.reachable {
            row.desiredVersion = outcome.target?.version
            row.desiredRevision = outcome.target?.digest
        } else {
            row.desiredVersion = previous?.desiredVersion
            row.desiredRevision = previous?.desiredRevision
            row.servingVersion = previous?.servingVersion
            row.image = previous?.image
            row.replicas = previous?.replicas
            row.readyReplicas = previous?.readyReplicas
            row.updatedReplicas = previous?.updatedReplicas
        }
        row.phase = outcome.phase
        row.message = outcome.message
        if let previous, previous.phase == row.phase, previous.desiredVersion == row.desiredVersion,
            previous.desiredRevision == nil || previous.desiredRevision == row.desiredRevision, previous.lastTransitionTime != nil
        {
            row.lastTransitionTime = previous.lastTransitionTime
        } else {
            row.lastTransitionTime = Timestamps.format(context.now)
        }
        return row
    }

    private func decision(for cluster: ClusterObservation) -> ClusterDecision {
        guard let outcome = outcomes.first(where: { $0.cluster.name == cluster.name }) else {
            return ClusterDecision(cluster: cluster.name, action: .leaveAlone(reason: "not a target of spec.clusters"))
        }
        guard cluster.reachable else { return ClusterDecision(cluster: cluster.name, action: .leaveAlone(reason: "unreachable")) }
        guard let revision = outcome.target, let spec = cluster.model?.spec,
            let registry = cluster.registry(under: spec)
        else { return ClusterDecision(cluster: cluster.name, action: .leaveAlone(reason: outcome.message)) }
        guard cluster.mode == .manage else {
            return ClusterDecision(cluster: cluster.name, action: .leaveAlone(reason: "observe mode: another operator instance runs \(revision) here"))
        }
        let target = DeploymentTarget(revision: revision, cluster: cluster.name, registry: registry, replicas: spec.replicas(for: cluster.name))
        return ClusterDecision(cluster: cluster.name, action: .run(target))
    }

    // MARK: Phase and conditions

    private func fleetPhase(converged: Bool, failed: FailedRevision?) -> FleetPhase {
        if outcomes.contains(where: { $0.phase == .rollingBack }) { return .rollingBack }
        if let failed, outcomes.contains(where: { failed.matches($0.own) }) { return .degraded }
        if context.rollout.paused { return .paused }
        if converged { return .ready }
        if outcomes.contains(where: { $0.phase == .unreachable || $0.phase == .degraded }) { return .degraded }
        if outcomes.allSatisfy({ $0.target == nil && $0.cluster.deployment == nil }) { return .pending }
        return .progressing
    }

    private func conditions(phase: FleetPhase, converged: Bool, failed: String?, servingVersion: String?) -> [Condition] {
        var conditions = context.previous.conditions ?? []
        let time = Timestamps.format(context.now)
        func set(_ type: String, _ status: Condition.Status, _ reason: String, _ message: String) {
            conditions.set(Condition(type: type, status: status, reason: reason, message: message, lastTransitionTime: time))
        }
        let notReady = outcomes.filter { $0.phase != .ready }.map { "\($0.cluster.name): \($0.message)" }
        if converged {
            set(FraudModelConditions.ready, .true, "AllClustersReady", servingSummary(servingVersion))
        } else {
            set(FraudModelConditions.ready, .false, "ClustersNotReady", notReady.joined(separator: "; "))
        }

        let moving = outcomes.filter { $0.phase == .progressing || $0.wanted != nil && $0.wanted != $0.target && $0.phase == .pending }
        if phase == .rollingBack {
            let names = outcomes.filter { $0.phase == .rollingBack }.map(\.cluster.name).joined(separator: ", ")
            set(FraudModelConditions.progressing, .true, "RollingBack", "rolling back \(names) to \(context.lastGoodVersion ?? "the last good version") after \(failed ?? "a version") failed")
        } else if context.rollout.paused {
            set(FraudModelConditions.progressing, .false, "RolloutPaused", "spec.rollout.paused is true: no cluster changes version; " + versionsSummary())
        } else if context.failurePauseActive {
            set(FraudModelConditions.progressing, .false, "RolloutPaused", "onFailure is Pause: no cluster changes version after \(failed ?? "a version") failed; " + versionsSummary())
        } else if !moving.isEmpty {
            set(FraudModelConditions.progressing, .true, "RollingOut", moving.map { "\($0.cluster.name): \($0.message)" }.joined(separator: "; "))
        } else if converged {
            set(FraudModelConditions.progressing, .false, "RolloutComplete", servingSummary(servingVersion))
        } else {
            set(FraudModelConditions.progressing, .false, "NotProgressing", notReady.joined(separator: "; "))
        }

        let unreachable = outcomes.filter { $0.phase == .unreachable }.map(\.cluster.name)
        if let failed {
            let previous = context.previous.conditions?[type: FraudModelConditions.degraded]
            let message: String
            if !failures.isEmpty {
                message = "\(failed) failed: " + failures.map(\.message).joined(separator: "; ")
            } else if let previous, previous.reason == "RolloutFailed", previous.message.hasPrefix("\(failed) failed") {
                message = previous.message
            } else {
                message = "\(failed) failed"
            }
            set(FraudModelConditions.degraded, .true, "RolloutFailed", message)
        } else if !unreachable.isEmpty {
            set(FraudModelConditions.degraded, .true, "ClusterUnreachable", unreachable.map { "\($0): API server unreachable" }.joined(separator: "; "))
        } else if let stuck = outcomes.first(where: { $0.phase == .degraded }) {
            set(FraudModelConditions.degraded, .true, "ClusterDegraded", "\(stuck.cluster.name): \(stuck.message)")
        } else {
            set(FraudModelConditions.degraded, .false, "AsExpected", "no failed rollout; every target cluster is reachable")
        }

        let asks = outcomes.map { ($0.cluster.name, $0.own?.version) }
        let versions = Set(asks.compactMap(\.1))
        let askSummary = asks.map { "\($0.0) asks for \($0.1 ?? "unknown (unreachable or no FraudModel)")" }.joined(separator: ", ")
        if versions.count <= 1, asks.allSatisfy({ $0.1 != nil }) {
            set(FraudModelConditions.inSync, .true, "VersionsMatch", "every cluster asks for \(versions.first ?? "nothing")")
        } else if versions.count > 1 {
            set(FraudModelConditions.inSync, .false, "VersionSkew", askSummary)
        } else {
            set(FraudModelConditions.inSync, .unknown, "VersionsUnknown", askSummary)
        }
        return FraudModelConditions.all.compactMap { conditions[type: $0] }
    }

    private func servingSummary(_ servingVersion: String?) -> String {
        if let servingVersion { return "\(outcomes.count)/\(outcomes.count) clusters serve \(servingVersion) with every replica ready" }
        return outcomes.map { "\($0.cluster.name) serves \($0.target?.version ?? "nothing")" }.joined(separator: ", ")
    }

    private func versionsSummary() -> String {
        outcomes.map { "\($0.cluster.name) runs \($0.current?.version ?? "nothing")" }.joined(separator: ", ")
    }

    // MARK: Events

    private func events(phase: FleetPhase, servingVersion: String?, lastGood: String?) -> [RolloutEvent] {
        var events: [RolloutEvent] = []
        if let failure = failures.first {
            let action: String
            switch context.rollout.onFailure {
            case .rollbackAll: action = "rolling every cluster back to \(context.lastGoodVersion ?? "(no last good version)")"
            case .rollbackFailed: action = "rolling the failed clusters back to \(context.lastGoodVersion ?? "(no last good version)")"
            case .pause: action = "pausing: no cluster changes version"
            }
            events.append(RolloutEvent(
                kind: .warning, reason: .rolloutFailed,
                message: "\(failure.version) failed: \(failures.map(\.message).joined(separator: "; ")); \(action)"))
        }
        // A cluster is promoted once: when its row starts asking for the version (a plan made
        // again before its Deployment shows the move must not announce it twice).
        let forward = outcomes.filter { outcome in
            guard outcome.moves, let target = outcome.target, target == outcome.own else { return false }
            return context.previousRow(outcome.cluster.name)?.asks(for: target) != true
        }
        var started: Set<ModelRevision> = []
        for outcome in forward {
            guard let version = outcome.target else { continue }
            let askedBefore = context.previous.clusters?.contains { $0.asks(for: version) } ?? false
            if !askedBefore, started.insert(version).inserted {
                let names = outcomes.filter { $0.own == version }.map(\.cluster.name).joined(separator: ", ")
                events.append(RolloutEvent(
                    kind: .normal, reason: .rolloutStarted,
                    message: "rolling out \(version) to \(names) (\(context.rollout.strategy.rawValue))"))
            }
            events.append(RolloutEvent(
                kind: .normal, reason: .clusterPromoted, message: "\(outcome.cluster.name): moving to \(version)"))
        }
        if context.previous.phase == .rollingBack, phase != .rollingBack, failures.isEmpty {
            events.append(RolloutEvent(
                kind: .normal, reason: .rolledBack,
                message: "rolled back to \(lastGood ?? "the last good version"): " + outcomes.map { "\($0.cluster.name) runs \($0.current?.version ?? "nothing")" }.joined(separator: ", ")))
        }
        if phase == .ready, context.previous.phase != .ready || context.previous.servingVersion != servingVersion {
            events.append(RolloutEvent(kind: .normal, reason: .rolloutSucceeded, message: servingSummary(servingVersion)))
        }
        return events
    }
}
