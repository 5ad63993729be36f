import Foundation
import KubeAPI

extension PodWorker {
    /// The pod's phase, from its containers and restart policy.
    var phase: String {
        let done = containers.allSatisfy { $0.terminated != nil }
        if done, !containers.isEmpty {
            return containers.allSatisfy { $0.terminated?.exitCode == 0 } ? "Succeeded" : "Failed"
        }
        return containers.allSatisfy(\.hasEverStarted) && sandbox != nil ? "Running" : "Pending"
    }

    /// The status the kubelet reports now.
    func currentStatus(now: Date) -> JSONValue {
        let containersReady = !containers.isEmpty && containers.allSatisfy { $0.ready && $0.isRunning }
        let gates = (pod[path: ["spec", "readinessGates"]]?.arrayValue ?? []).compactMap { $0["conditionType"]?.stringValue }
        let gatesPass = gates.allSatisfy { gate in
            (pod[path: ["status", "conditions"]]?.arrayValue ?? []).contains { $0["type"]?.stringValue == gate && $0["status"] == "True" }
        }
        let allReady = containersReady && gatesPass
        let completed = phase == "Succeeded" || phase == "Failed"
        let notReady = containers.filter { !($0.ready && $0.isRunning) }.map(\.name)
        func condition(_ type: String, _ value: Bool) -> JSONValue {
            if conditionTimes[type]?.status != value { conditionTimes[type] = (value, now) }
            var result: JSONValue = ["type": .string(type), "status": value ? "True" : "False", "lastProbeTime": nil,
                                     "lastTransitionTime": .string(Timestamp.rfc3339(conditionTimes[type]?.time ?? now))]
            if !value, type == "Ready" || type == "ContainersReady" {
                if completed {
                    result["reason"] = "PodCompleted"
                } else if type == "Ready", containersReady {
                    result["reason"] = "ReadinessGatesNotReady"
                    result["message"] = .string("corresponding condition of pod readiness gate \"\(gates.first ?? "")\" does not exist.")
                } else {
                    result["reason"] = "ContainersNotReady"
                    result["message"] = .string("containers with unready status: [\(notReady.joined(separator: " "))]")
                }
            }
            return result
        }
        var status: JSONValue = [
            "phase": .string(phase),
            "conditions": [condition("PodReadyToStartContainers", sandbox != nil), condition("Initialized", true),
                           condition("Ready", allReady), condition("ContainersReady", containersReady), condition("PodScheduled", true)],
            "hostIP": .string("\(context.network.hostAddress)"), "hostIPs": [["ip": .string("\(context.network.hostAddress)")]],
            "startTime": .string(Timestamp.rfc3339(startTime)),
            "containerStatuses": .array(containers.map { $0.status(now: now) }),
            "qosClass": .string(qosClass),
        ]
        if let podIP {
            status["podIP"] = .string("\(podIP)")
            status["podIPs"] = [["ip": .string("\(podIP)")]]
        }
        // Conditions other controllers own (readiness gates) are theirs to keep.
        let owned: Set<String> = ["PodReadyToStartContainers", "Initialized", "Ready", "ContainersReady", "PodScheduled"]
        let foreign = (pod[path: ["status", "conditions"]]?.arrayValue ?? []).filter { !owned.contains($0["type"]?.stringValue ?? "") }
        if !foreign.isEmpty, case .array(let mine) = status["conditions"] ?? .null { status["conditions"] = .array(mine + foreign) }
        return status
    }

    /// BestEffort, Burstable or Guaranteed, from the containers' requests and limits.
    var qosClass: String {
        let specs = containers.map(\.spec)
        let resources = specs.map { ($0[path: ["resources", "requests"]]?.objectValue ?? [:], $0[path: ["resources", "limits"]]?.objectValue ?? [:]) }
        if resources.allSatisfy({ $0.0.isEmpty && $0.1.isEmpty }) { return "BestEffort" }
        let guaranteed = resources.allSatisfy { requests, limits in
            ["cpu", "memory"].allSatisfy { limits[$0] != nil && (requests[$0] == nil || requests[$0] == limits[$0]) }
        }
        return guaranteed ? "Guaranteed" : "Burstable"
    }

    /// Writes the status when it differs from what was last written (or from the server's copy).
    func writeStatusIfChanged(now: Date) {
        let status = currentStatus(now: now)
        guard status != lastWrittenStatus || status != pod["status"] else { return }
        guard let latest = context.cluster.get(.pods, namespace: namespace, name: name),
              latest[path: ["metadata", "uid"]]?.stringValue == uid else { return }
        if latest["status"] == status {
            lastWrittenStatus = status
            pod = latest
            return
        }
        var changed = latest
        changed["status"] = status
        do {
            pod = try context.cluster.updateStatus(.pods, changed)
            lastWrittenStatus = status
        } catch {
            // A conflict: the next pass reads the new copy and tries again.
            logger.debug("pod status write failed", metadata: ["error": "\(error.message)"])
        }
    }
}
