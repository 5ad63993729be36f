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
            guard let own = cluster.ownRevision, own != context.lastGood, !context.isFailed(own),
                let deployment = cluster.deployment, deployment.revision == own, !deployment.isFullyReady
            else { continue }
            let deadline = cluster.model?.spec.rollout.progressDeadlineSeconds ?? context.rollout.progressDeadlineSeconds
            let moving = context.secondsMoving(cluster, to: own)
            let exceeded = deployment.isCurrent && deployment.progressDeadlineExceeded
            guard exceeded || moving >= deadline else { continue }
            if let first = failures.first, first.revision != own { continue }
            let why = deployment.stuckReason.map { "\($0) on \(deployment.image ?? own.version)" + (deployment.stuckMessage.map { ": \($0)" } ?? "") }
                ?? (exceeded
                    ? "ProgressDeadlineExceeded on \(deployment.image ?? own.version)"
                    : "\(deployment.readiness) after \(moving)s (deadline \(deadline)s) on \(deployment.image ?? own.version)")
            failures.append(RolloutFailure(cluster: cluster.name, revision: own, message: "\(cluster.name): \(why)"))
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
        guard let own = cluster.ownRevision else {
            return ClusterOutcome(
                cluster: cluster, own: nil, phase: .pending,
                message: "no FraudModel \(context.fleet.namespace)/\(context.fleet.name) in this cluster")
        }
        var outcome = ClusterOutcome(cluster: cluster, own: own, phase: .pending, message: "")
        let current = cluster.deployment?.revision
        let rollingBack = context.isFailed(own)
        if rollingBack {
            switch context.rollout.onFailure {
            case .rollbackAll: outcome.wanted = context.lastGood ?? current
            case .rollbackFailed:
                outcome.wanted = cluster.deployment?.serves(own) == true ? own : (context.lastGood ?? current)
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
            } else if rollingBack || (current == nil && wanted == context.lastGood) {
                outcome.target = wanted
            } else if context.rollout.strategy == .sequential, let gate = closedGate(before: index, version: wanted) {
                outcome.hold = .gate(gate.message)
                outcome.wakeAfterSeconds = gate.wakeAfterSeconds
                if current == nil { outcome.target = context.lastGood }
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
        let ownLabel = outcome.own?.version ?? ""
        let failedHere = failures.first { $0.cluster == cluster.name }
        let readyAtTarget = outcome.target.map { deployment?.serves($0) == true } ?? false
        let stuck = deployment?.stuckReason.map { "; \($0) on \(deployment?.image ?? "its image")" } ?? ""
        if let failedHere {
            let rollingBackNow = outcome.target != nil && outcome.target != outcome.own && outcome.hold == nil
            outcome.phase = rollingBackNow ? .rollingBack : .degraded
            outcome.message = "\(failedHere.version) failed: \(failedHere.message)"
                + (rollingBackNow ? "; rolling back to \(outcome.target?.version ?? "")" : "")
            return
        }
        switch outcome.hold {
        case .paused?:
            outcome.phase = .paused
            outcome.message = "spec.rollout.paused holds it at \(outcome.target?.version ?? "nothing") instead of \(outcome.wanted?.version ?? ownLabel)"
            return
        case .failurePause?:
            outcome.phase = context.isFailed(outcome.own) ? .degraded : .paused
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
        let own = outcome.own
        let failedOwn = context.isFailed(own)
        let rolledBack = failedOwn && target != own
        if readyAtTarget {
            outcome.phase = rolledBack ? .degraded : (target == own ? .ready : .pending)
            outcome.message = rolledBack
                ? "serving \(target) because \(ownLabel) failed"
                : (target == own ? "serving \(target) with \(deployment?.readyReplicas ?? 0) replicas ready" : "serving \(target); waiting to move to \(ownLabel)")
            return
        }
        let ready = deployment?.readiness ?? "0/0 replicas ready"
        if failedOwn, target == own {
            outcome.phase = .degraded
            outcome.message = "\(ownLabel) failed; onFailure \(context.rollout.onFailure.rawValue) holds it: \(ready)\(stuck)"
        } else if rolledBack {
            outcome.phase = .rollingBack
            outcome.message = "rolling back to \(target) after \(ownLabel) failed: \(ready)\(stuck)"
        } else if deployment?.revision == target, deployment?.isCurrent == true, deployment?.progressDeadlineExceeded == true {
            outcome.phase = .degraded
            outcome.message = "\(target) is not progressing (ProgressDeadlineExceeded): \(ready)\(stuck)"
        } else {
            outcome.phase = .progressing
            outcome.message = "moving to \(target): \(ready)\(stuck)"
            if target == own, target != context.lastGood, !context.isFailed(target), deployment?.revision == target {
                let deadline = cluster.model?.spec.rollout.progressDeadlineSeconds ?? context.rollout.progressDeadlineSeconds
                outcome.wakeAfterSeconds = max(1, deadline - context.secondsMoving(cluster, to: target))
            }
        }
    }

    /// The first earlier cluster (rollout order) that has not served `version` with every
    /// replica ready for `bakeSeconds`, as a message; nil when the gate is open.
    private func closedGate(before index: Int, version: ModelRevision) -> (message: String, wakeAfterSeconds: Int?)? {
        let bake = context.rollout.bakeSeconds
        for earlier in context.order[..<index] {
            guard earlier.reachable else {
                return ("waiting for \(earlier.name) to serve \(version): \(earlier.name) is unreachable", nil)
            }
            guard earlier.deployment?.serves(version) == true else {
                let asks = earlier.ownRevision
                let note = asks == version ? "" : "; its FraudModel asks for \(asks?.version ?? "nothing")"
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
