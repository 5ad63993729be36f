import Foundation
import KubeAPI

extension SimulationPass {
    static let hashLabel = "pod-template-hash"
    static let revisionAnnotation = "deployment.kubernetes.io/revision"

    /// The deployment controller: one replica set per pod template, scaled as the strategy says.
    mutating func reconcileDeployment(_ key: ObjectKey, _ deployment: JSONValue) {
        guard var template = deployment[path: ["spec", "template"]] else { return }
        let desired = Int(deployment[path: ["spec", "replicas"]]?.intValue ?? 1)
        let hash = RolloutMath.templateHash(template)
        template[path: ["metadata", "labels", Self.hashLabel]] = .string(hash)
        var sets = owned(by: deployment, in: WorkloadSimulator.replicaSets, namespace: key.namespace).map(\.object)
        let revisions = sets.compactMap { $0[path: ["metadata", "annotations", Self.revisionAnnotation]]?.stringValue.flatMap { Int($0) } }
        var newSet = sets.first { $0[path: ["metadata", "labels", Self.hashLabel]]?.stringValue == hash }
        if newSet == nil {
            var selector = deployment[path: ["spec", "selector"]] ?? .emptyObject
            selector[path: ["matchLabels", Self.hashLabel]] = .string(hash)
            var labels = template[path: ["metadata", "labels"]] ?? .emptyObject
            labels[Self.hashLabel] = .string(hash)
            let created = create(WorkloadSimulator.replicaSets, [
                "apiVersion": "apps/v1", "kind": "ReplicaSet",
                "metadata": [
                    "name": .string("\(key.name)-\(hash)"), "namespace": .string(key.namespace), "labels": labels,
                    "annotations": [
                        Self.revisionAnnotation: .string(String((revisions.max() ?? 0) + 1)),
                        "deployment.kubernetes.io/desired-replicas": .string(String(desired)),
                    ],
                    "ownerReferences": [Self.controllerReference(to: deployment, kind: "Deployment")],
                ],
                "spec": ["replicas": 0, "selector": selector, "template": template,
                         "minReadySeconds": deployment[path: ["spec", "minReadySeconds"]] ?? 0],
                "status": ["replicas": 0],
            ], generation: true)
            newSet = created
            sets.append(created)
        }
        guard let newSet else { return }
        if let revision = newSet[path: ["metadata", "annotations", Self.revisionAnnotation]],
            deployment[path: ["metadata", "annotations", Self.revisionAnnotation]] != revision
        {
            var annotated = deployment
            annotated[path: ["metadata", "annotations", Self.revisionAnnotation]] = revision
            state.put(WorkloadSimulator.deployments, key, annotated)
        }
        if deployment[path: ["spec", "paused"]] == true { return }
        let old = sets.filter { Self.uid($0) != Self.uid(newSet) }
            .sorted { ($0[path: ["metadata", "creationTimestamp"]]?.stringValue ?? "") < ($1[path: ["metadata", "creationTimestamp"]]?.stringValue ?? "") }
        let newCounts = counts(of: newSet, namespace: key.namespace)
        let oldCounts = old.map { counts(of: $0, namespace: key.namespace) }
        var targets: (new: Int, old: [Int])
        if deployment[path: ["spec", "strategy", "type"]] == "Recreate" {
            let oldPods = old.flatMap { owned(by: $0, in: WorkloadSimulator.pods, namespace: key.namespace) }
            targets = (oldCounts.allSatisfy { $0.replicas == 0 } && oldPods.isEmpty ? desired : newCounts.replicas, oldCounts.map { _ in 0 })
        } else {
            let (surge, unavailable) = RolloutMath.surgeAndUnavailable(deployment)
            targets = RolloutMath.rollingUpdate(desired: desired, surge: surge, unavailable: unavailable, new: newCounts, old: oldCounts)
        }
        scale(newSet, to: targets.new, desired: desired)
        for (set, replicas) in zip(old, targets.old) { scale(set, to: replicas, desired: desired) }
    }

    func counts(of replicaSet: JSONValue, namespace: String) -> RolloutMath.ReplicaSetCounts {
        RolloutMath.ReplicaSetCounts(
            name: Self.name(replicaSet), replicas: Int(replicaSet[path: ["spec", "replicas"]]?.intValue ?? 0),
            available: livePods(of: replicaSet, namespace: namespace).filter(Self.isReady).count)
    }

    /// The pods of a replica set that are not being deleted.
    func livePods(of replicaSet: JSONValue, namespace: String) -> [JSONValue] {
        owned(by: replicaSet, in: WorkloadSimulator.pods, namespace: namespace).map(\.object).filter { !Self.isTerminating($0) }
    }

    private mutating func scale(_ replicaSet: JSONValue, to replicas: Int, desired: Int) {
        guard replicaSet[path: ["spec", "replicas"]]?.intValue != Int64(replicas) else { return }
        var scaled = replicaSet
        scaled[path: ["spec", "replicas"]] = .int(Int64(replicas))
        scaled[path: ["metadata", "annotations", "deployment.kubernetes.io/desired-replicas"]] = .string(String(desired))
        scaled[path: ["metadata", "generation"]] = .int((replicaSet[path: ["metadata", "generation"]]?.intValue ?? 1) + 1)
        let key = ObjectKey(namespace: replicaSet[path: ["metadata", "namespace"]]?.stringValue ?? "", name: Self.name(replicaSet))
        state.put(WorkloadSimulator.replicaSets, key, scaled)
    }

    /// The Deployment's status, as the deployment controller computes it.
    mutating func updateDeploymentStatus(_ key: ObjectKey, _ deployment: JSONValue) {
        let desired = Int(deployment[path: ["spec", "replicas"]]?.intValue ?? 1)
        guard var template = deployment[path: ["spec", "template"]] else { return }
        let hash = RolloutMath.templateHash(template)
        template[path: ["metadata", "labels", Self.hashLabel]] = .string(hash)
        let sets = owned(by: deployment, in: WorkloadSimulator.replicaSets, namespace: key.namespace).map(\.object)
        let newSet = sets.first { $0[path: ["metadata", "labels", Self.hashLabel]]?.stringValue == hash }
        let allPods = sets.flatMap { livePods(of: $0, namespace: key.namespace) }
        let updated = newSet.map { livePods(of: $0, namespace: key.namespace) }?.count ?? 0
        let ready = allPods.filter(Self.isReady).count
        let unavailable = max(0, desired - ready)
        var status: JSONValue = ["observedGeneration": deployment[path: ["metadata", "generation"]] ?? 1]
        for (field, value) in [("replicas", allPods.count), ("updatedReplicas", updated), ("readyReplicas", ready),
                               ("availableReplicas", ready), ("unavailableReplicas", unavailable)] where value > 0 {
            status[field] = .int(Int64(value))
        }
        let previous = deployment[path: ["status", "conditions"]]?.arrayValue ?? []
        let (_, maxUnavailable) = RolloutMath.surgeAndUnavailable(deployment)
        let available = ready >= desired - maxUnavailable
        let availableCondition = condition("Available", available ? "True" : "False",
            available ? "MinimumReplicasAvailable" : "MinimumReplicasUnavailable",
            available ? "Deployment has minimum availability." : "Deployment does not have minimum availability.",
            previous: previous, progressed: false)
        let setName = newSet.map(Self.name) ?? key.name
        let complete = updated == desired && allPods.count == updated && ready >= updated
        let oldProgressing = previous.first { $0["type"] == "Progressing" }
        let countsChanged = ["updatedReplicas", "readyReplicas", "availableReplicas", "replicas"].contains {
            (deployment[path: ["status", $0]]?.intValue ?? 0) != (status[$0]?.intValue ?? 0)
        } || deployment[path: ["status", "observedGeneration"]] != status["observedGeneration"]
        var progressing: JSONValue
        if complete {
            progressing = condition("Progressing", "True", "NewReplicaSetAvailable", "ReplicaSet \"\(setName)\" has successfully progressed.", previous: previous, progressed: countsChanged)
        } else if oldProgressing?["reason"] == "ProgressDeadlineExceeded", !countsChanged {
            progressing = oldProgressing!
        } else {
            let deadline = Double(deployment[path: ["spec", "progressDeadlineSeconds"]]?.intValue ?? 600)
            let lastUpdate = oldProgressing?["lastUpdateTime"]?.stringValue.flatMap(Timestamp.parse) ?? now
            if !countsChanged, oldProgressing != nil, now.timeIntervalSince(lastUpdate) >= deadline {
                progressing = condition("Progressing", "False", "ProgressDeadlineExceeded", "ReplicaSet \"\(setName)\" has timed out progressing.", previous: previous, progressed: true)
            } else {
                let reason = oldProgressing == nil ? "NewReplicaSetCreated" : "ReplicaSetUpdated"
                let message = oldProgressing == nil ? "Created new replica set \"\(setName)\"" : "ReplicaSet \"\(setName)\" is progressing."
                progressing = condition("Progressing", "True", reason, message, previous: previous, progressed: countsChanged || oldProgressing == nil)
                let updatedAt = progressing["lastUpdateTime"]?.stringValue.flatMap(Timestamp.parse) ?? now
                wake(at: updatedAt.addingTimeInterval(deadline + 0.01))
            }
        }
        status["conditions"] = [availableCondition, progressing]
        if let collision = deployment[path: ["status", "collisionCount"]] { status["collisionCount"] = collision }
        guard deployment["status"] != status else { return }
        var changed = deployment
        changed["status"] = status
        state.put(WorkloadSimulator.deployments, key, changed)
    }

    /// A Deployment condition that keeps its timestamps unless its state changed (transition)
    /// or progress was made (update).
    func condition(_ type: String, _ status: String, _ reason: String, _ message: String, previous: [JSONValue], progressed: Bool) -> JSONValue {
        let old = previous.first { $0["type"] == .string(type) }
        let same = old?["status"] == .string(status)
        let sameReason = same && old?["reason"] == .string(reason) && old?["message"] == .string(message)
        return [
            "type": .string(type), "status": .string(status), "reason": .string(reason), "message": .string(message),
            "lastTransitionTime": same ? (old?["lastTransitionTime"] ?? timestamp) : timestamp,
            "lastUpdateTime": sameReason && !progressed ? (old?["lastUpdateTime"] ?? timestamp) : timestamp,
        ]
    }
}
