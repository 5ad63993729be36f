import FraudModelAPI

/// Decides, for each target cluster, which version its Deployment runs and what its status
/// row says. Reads only the `PlanningContext`.
struct ClusterPlanner {
    let context: PlanningContext

    /// Clusters whose Deployment missed the progress deadline at a new version (one that is
    /// neither `lastGoodVersion` nor already failed). Only the first such version, in rollout
    /// order, is reported; others are found in a later reconcile.
    func detectFailures() -> [RolloutFailure] {
        var failures: [RolloutFailure] = []
        for cluster in context.order where cluster.reachable {
            guard let own = cluster.model?.spec.modelVersion, own != context.lastGoodVersion, own != context.failedVersion,
                let deployment = cluster.deployment, deployment.version == own, !deployment.isFullyReady
            else { continue }
            let deadline = cluster.model?.spec.rollout.progressDeadlineSeconds ?? context.rollout.progressDeadlineSeconds
            let moving = context.secondsMoving(cluster, to: own)
            let exceeded = deployment.isCurrent && deployment.progressDeadlineExceeded
            guard exceeded || moving >= deadline else { continue }
            if let first = failures.first, first.version != own { continue }
            let why = deployment.stuckReason.map { "\($0) on \(deployment.image ?? own)" + (deployment.stuckMessage.map { ": \($0)" } ?? "") }
                ?? (exceeded
                    ? "ProgressDeadlineExceeded on \(deployment.image ?? own)"
                    : "\(deployment.readyReplicas)/\(deployment.replicas) replicas ready after \(moving)s (deadline \(deadline)s) on \(deployment.image ?? own)")
            failures.append(RolloutFailure(cluster: cluster.name, version: own, message: "\(cluster.name): \(why)"))
        }
        return failures
    }

    /// The outcome of every target cluster, in rollout order.
    func outcomes(failures: [RolloutFailure]) -> [ClusterOutcome] {
        context.order.indices.map { outcome(at: $0, failures: failures) }
    }

    private func outcome(at index: Int, failures: [RolloutFailure]) -> ClusterOutcome {
        let cluster = context.order[index]
        guard cluster.reachable else {
            return ClusterOutcome(cluster: cluster, own: nil, phase: .unreachable, message: "API server unreachable; its Deployment is left as it was")
        }
        guard let model = cluster.model else {
            return ClusterOutcome(
                cluster: cluster, own: nil, phase: .pending,
                message: "no FraudModel \(context.fleet.namespace)/\(context.fleet.name) in this cluster")
        }
        let own = model.spec.modelVersion
        var outcome = ClusterOutcome(cluster: cluster, own: own, phase: .pending, message: "")
        let current = cluster.deployment?.version
        let failed = context.failedVersion
        let rollingBack = failed != nil && own == failed
        if rollingBack {
            switch context.rollout.onFailure {
            case .rollbackAll: outcome.wanted = context.lastGoodVersion ?? current
            case .rollbackFailed:
                outcome.wanted = cluster.deployment?.serves(own) == true ? own : (context.lastGoodVersion ?? current)
            case .pause: outcome.wanted = current
            }
        } else {
            outcome.wanted = own
        }
        outcome.target = current
        if let wanted = outcome.wanted, wanted != current {
            if context.rollout.paused {
                outcome.hold = .paused
            } else if context.failurePauseActive {
                outcome.hold = .failurePause
            } else if rollingBack || (current == nil && wanted == context.lastGoodVersion) {
                outcome.target = wanted
            } else if context.rollout.strategy == .sequential, let gate = closedGate(before: index, version: wanted) {
                outcome.hold = .gate(gate.message)
                outcome.wakeAfterSeconds = gate.wakeAfterSeconds
                if current == nil { outcome.target = context.lastGoodVersion }
            } else {
                outcome.target = wanted
            }
        }
        describe(&outcome, failures: failures)
        return outcome
    }

    /// Sets the phase and message of an outcome whose target is decided.
    private func describe(_ outcome: inout ClusterOutcome, failures: [RolloutFailure]) {
        let cluster = outcome.cluster
        let deployment = cluster.deployment
        let own = outcome.own ?? ""
        let failedHere = failures.first { $0.cluster == cluster.name }
        let readyAtTarget = outcome.target.map { deployment?.serves($0) == true } ?? false
        let stuck = deployment?.stuckReason.map { "; \($0) on \(deployment?.image ?? "its image")" } ?? ""
        if let failedHere {
            let rollingBackNow = outcome.target != nil && outcome.target != own && outcome.hold == nil
            outcome.phase = rollingBackNow ? .rollingBack : .degraded
            outcome.message = "\(failedHere.version) failed: \(failedHere.message)"
                + (rollingBackNow ? "; rolling back to \(outcome.target ?? "")" : "")
            return
        }
        switch outcome.hold {
        case .paused?:
            outcome.phase = .paused
            outcome.message = "spec.rollout.paused holds it at \(outcome.target ?? "nothing") instead of \(outcome.wanted ?? own)"
            return
        case .failurePause?:
            outcome.phase = own == context.failedVersion ? .degraded : .paused
            outcome.message = "onFailure Pause holds every cluster after \(context.failedVersion ?? "a version") failed"
            return
        case .gate(let message)?:
            outcome.phase = .pending
            outcome.message = message
            return
        case nil:
            break
        }
        guard let target = outcome.target else {
            outcome.phase = .pending
            outcome.message = deployment == nil ? "no Deployment yet and nothing to run" : "its Deployment's version is unknown"
            return
        }
        let failedOwn = context.failedVersion != nil && own == context.failedVersion
        let rolledBack = failedOwn && target != own
        if readyAtTarget {
            outcome.phase = rolledBack ? .degraded : (target == own ? .ready : .pending)
            outcome.message = rolledBack
                ? "serving \(target) because \(own) failed"
                : (target == own ? "serving \(target) with \(deployment?.readyReplicas ?? 0) replicas ready" : "serving \(target); waiting to move to \(own)")
            return
        }
        let ready = "\(deployment?.readyReplicas ?? 0)/\(deployment?.replicas ?? 0) replicas ready"
        if failedOwn, target == own {
            outcome.phase = .degraded
            outcome.message = "\(own) failed; onFailure \(context.rollout.onFailure.rawValue) holds it: \(ready)\(stuck)"
        } else if rolledBack {
            outcome.phase = .rollingBack
            outcome.message = "rolling back to \(target) after \(own) failed: \(ready)\(stuck)"
        } else if deployment?.version == target, deployment?.isCurrent == true, deployment?.progressDeadlineExceeded == true {
            outcome.phase = .degraded
            outcome.message = "\(target) is not progressing (ProgressDeadlineExceeded): \(ready)\(stuck)"
        } else {
            outcome.phase = .progressing
            outcome.message = "moving to \(target): \(ready)\(stuck)"
            if target == own, target != context.lastGoodVersion, target != context.failedVersion, deployment?.version == target {
                let deadline = cluster.model?.spec.rollout.progressDeadlineSeconds ?? context.rollout.progressDeadlineSeconds
                outcome.wakeAfterSeconds = max(1, deadline - context.secondsMoving(cluster, to: target))
            }
        }
    }

    /// The first earlier cluster (rollout order) that has not served `version` with every
    /// replica ready for `bakeSeconds`, as a message; nil when the gate is open.
    private func closedGate(before index: Int, version: String) -> (message: String, wakeAfterSeconds: Int?)? {
        let bake = context.rollout.bakeSeconds
        for earlier in context.order[..<index] {
            guard earlier.reachable else {
                return ("waiting for \(earlier.name) to serve \(version): \(earlier.name) is unreachable", nil)
            }
            guard earlier.deployment?.serves(version) == true else {
                let asks = earlier.model?.spec.modelVersion
                let note = asks == version ? "" : "; its FraudModel asks for \(asks ?? "nothing")"
                return ("waiting for \(earlier.name) to serve \(version) with every replica ready\(note)", nil)
            }
            let readyFor = context.secondsReady(earlier, at: version)
            if readyFor < bake {
                return ("waiting for \(earlier.name) to bake \(version): ready for \(readyFor)s of \(bake)s", max(1, bake - readyFor))
            }
        }
        return nil
    }
}
