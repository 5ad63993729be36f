import KubeAPI

/// The replica arithmetic of kube-controller-manager's deployment controller
/// (`pkg/controller/deployment/rolling.go`, `util/deployment_util.go`), as pure functions.
enum RolloutMath {
    /// An `IntOrString` (`3` or `"25%"`) against a total: percentages round up for surge and
    /// down for unavailability, as `intstr.GetScaledValueFromIntOrPercent` is called there.
    static func resolve(_ value: JSONValue?, total: Int, roundUp: Bool, fallback: Int) -> Int {
        switch value {
        case .int(let number)?: return Int(number)
        case .string(let text)? where text.hasSuffix("%"):
            guard let percent = Double(text.dropLast()) else { return fallback }
            let scaled = percent * Double(total) / 100
            return Int(roundUp ? scaled.rounded(.up) : scaled.rounded(.down))
        case .string(let text)?: return Int(text) ?? fallback
        default: return fallback
        }
    }

    /// maxSurge and maxUnavailable of a RollingUpdate Deployment; both 0 becomes unavailable 1.
    static func surgeAndUnavailable(_ deployment: JSONValue) -> (surge: Int, unavailable: Int) {
        let desired = Int(deployment[path: ["spec", "replicas"]]?.intValue ?? 1)
        let rolling = deployment[path: ["spec", "strategy", "rollingUpdate"]]
        let surge = resolve(rolling?["maxSurge"], total: desired, roundUp: true, fallback: 0)
        var unavailable = resolve(rolling?["maxUnavailable"], total: desired, roundUp: false, fallback: 0)
        if surge == 0, unavailable == 0 { unavailable = 1 }
        return (surge, min(unavailable, desired))
    }

    /// One replica set as the rollout sees it.
    struct ReplicaSetCounts: Equatable {
        var name: String
        var replicas: Int
        var available: Int
    }

    /// New spec.replicas for the new and old replica sets after one reconcile of a RollingUpdate
    /// Deployment (scale up the new set within the surge, then scale down old sets within the
    /// unavailability budget, unhealthy replicas first).
    static func rollingUpdate(desired: Int, surge: Int, unavailable: Int, new: ReplicaSetCounts, old: [ReplicaSetCounts]) -> (new: Int, old: [Int]) {
        var newReplicas = new.replicas
        var oldReplicas = old.map(\.replicas)
        let total = newReplicas + oldReplicas.reduce(0, +)
        if newReplicas > desired {
            newReplicas = desired
        } else if newReplicas < desired {
            let room = desired + surge - total
            if room > 0 { newReplicas = min(desired, newReplicas + room) }
        }
        let allPods = newReplicas + oldReplicas.reduce(0, +)
        let minAvailable = desired - unavailable
        let newUnavailable = max(0, newReplicas - new.available)
        var budget = allPods - minAvailable - newUnavailable
        guard budget > 0 else { return (newReplicas, oldReplicas) }
        // Unhealthy old replicas first.
        for index in oldReplicas.indices where budget > 0 {
            let unhealthy = max(0, oldReplicas[index] - old[index].available)
            let cut = min(budget, unhealthy)
            oldReplicas[index] -= cut
            budget -= cut
        }
        // Then healthy ones, keeping minAvailable.
        let available = new.available + zip(old, oldReplicas).map { min($0.available, $1) }.reduce(0, +)
        var scaleDown = available - minAvailable
        for index in oldReplicas.indices where scaleDown > 0 {
            let cut = min(oldReplicas[index], scaleDown)
            oldReplicas[index] -= cut
            scaleDown -= cut
        }
        return (newReplicas, oldReplicas)
    }

    /// The `pod-template-hash` of a pod template: FNV-1a of its JSON, in kube's safe alphabet.
    static func templateHash(_ template: JSONValue) -> String {
        var hash: UInt32 = 2_166_136_261
        for byte in template.serialized() {
            hash ^= UInt32(byte)
            hash = hash &* 16_777_619
        }
        let alphabet = Array("bcdfghjklmnpqrstvwxz2456789")
        return String(String(hash).utf8.map { alphabet[Int($0) % alphabet.count] })
    }
}
