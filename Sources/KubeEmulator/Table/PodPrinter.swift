import Foundation
import KubeAPI

/// The STATUS and RESTARTS cells of a pod, as kubectl's printPod computes them.
enum PodPrinter {
    /// The phase (or status.reason), overridden by the last container's waiting or terminated
    /// reason, back to Running/NotReady when a completed container sits beside running ones,
    /// and Terminating once deletion began.
    static func status(_ pod: JSONValue) -> String {
        var reason = pod[path: ["status", "phase"]]?.stringValue ?? "Pending"
        if let podReason = pod[path: ["status", "reason"]]?.stringValue, !podReason.isEmpty { reason = podReason }
        var hasRunning = false
        for container in (pod[path: ["status", "containerStatuses"]]?.arrayValue ?? []).reversed() {
            let state = container["state"] ?? .emptyObject
            if let waiting = state[path: ["waiting", "reason"]]?.stringValue, !waiting.isEmpty {
                reason = waiting
            } else if let terminated = state["terminated"] {
                if let terminatedReason = terminated["reason"]?.stringValue, !terminatedReason.isEmpty {
                    reason = terminatedReason
                } else if let signal = terminated["signal"]?.intValue, signal != 0 {
                    reason = "Signal:\(signal)"
                } else {
                    reason = "ExitCode:\(terminated["exitCode"]?.intValue ?? 0)"
                }
            } else if container["ready"]?.boolValue == true, state["running"] != nil {
                hasRunning = true
            }
        }
        if reason == "Completed", hasRunning {
            let ready = (pod[path: ["status", "conditions"]]?.arrayValue ?? []).contains { $0["type"] == "Ready" && $0["status"] == "True" }
            reason = ready ? "Running" : "NotReady"
        }
        if pod[path: ["metadata", "deletionTimestamp"]] != nil { reason = "Terminating" }
        return reason
    }

    /// `3`, or `3 (5s ago)` with the time since the last container restart.
    static func restarts(_ pod: JSONValue, now: Date) -> String {
        var restarts: Int64 = 0
        var lastRestart: Date?
        for container in pod[path: ["status", "containerStatuses"]]?.arrayValue ?? [] {
            restarts += container["restartCount"]?.intValue ?? 0
            if let finished = container[path: ["lastState", "terminated", "finishedAt"]]?.stringValue, let date = Timestamp.parse(finished) {
                lastRestart = max(lastRestart ?? date, date)
            }
        }
        guard restarts > 0, let lastRestart else { return String(restarts) }
        return "\(restarts) (\(HumanDuration.format(seconds: now.timeIntervalSince(lastRestart))) ago)"
    }
}
