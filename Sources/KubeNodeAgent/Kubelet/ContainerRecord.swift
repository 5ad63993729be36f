import Foundation
import Glibc
import KubeAPI

/// How a container instance ended.
struct TerminatedState: Sendable, Equatable {
    var exitCode: Int32
    var reason: String
    var message: String?
    var startedAt: Date?
    var finishedAt: Date
    var containerID: String?

    var json: JSONValue {
        var value: JSONValue = ["exitCode": .int(Int64(exitCode)), "reason": .string(reason), "finishedAt": .string(Timestamp.rfc3339(finishedAt))]
        value["startedAt"] = .string(Timestamp.rfc3339(startedAt ?? finishedAt))
        if let message { value["message"] = .string(message) }
        if let containerID { value["containerID"] = .string(containerID) }
        return value
    }
}

/// Probe bookkeeping: consecutive results against the thresholds.
struct ProbeTrack: Sendable {
    var spec: ProbeSpec
    var successes = 0
    var failures = 0
    var nextRun: Date
    var inFlight = false
    var lastFailure: String?
}

/// What the kubelet knows of one container of a pod.
struct ContainerRecord: Sendable {
    let spec: JSONValue
    let name: String
    let imageReference: String
    var image: ImageCatalog.Image?
    var environment: [(String, String)] = []

    var process: ContainerProcess?
    var instance = 0
    var startedAt: Date?
    var containerID: String?
    var waiting: (reason: String, message: String?)? = ("ContainerCreating", nil)
    var terminated: TerminatedState?
    var lastTerminated: TerminatedState?
    var restartCount = 0
    var nextStart = Date.distantPast
    var backoff: Duration?
    var started = false
    var ready = false
    var startup: ProbeTrack?
    var liveness: ProbeTrack?
    var readiness: ProbeTrack?
    /// Set while the kubelet is stopping this instance (a failed liveness or startup probe).
    var killing = false

    init(spec: JSONValue) {
        self.spec = spec
        name = spec["name"]?.stringValue ?? ""
        imageReference = spec["image"]?.stringValue ?? ""
    }

    var isRunning: Bool { process != nil }
    var hasEverStarted: Bool { process != nil || instance > 0 }
    /// No restart will follow (restartPolicy), so `terminated` is final.
    var finished = false

    func probe(_ key: String) -> ProbeSpec? {
        spec[key].map { ProbeSpec($0, container: spec) }
    }

    /// Resets the probes for a fresh instance started at `now`.
    mutating func armProbes(now: Date) {
        func track(_ key: String) -> ProbeTrack? {
            probe(key).map { ProbeTrack(spec: $0, nextRun: now.addingTimeInterval(Self.seconds($0.initialDelay))) }
        }
        startup = track("startupProbe")
        liveness = track("livenessProbe")
        readiness = track("readinessProbe")
        started = startup == nil
        ready = started && readiness == nil
    }

    static func seconds(_ duration: Duration) -> Double {
        Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
    }

    /// The container's entry in `status.containerStatuses`.
    func status(now: Date) -> JSONValue {
        var state: JSONValue
        if process != nil, let startedAt {
            state = ["running": ["startedAt": .string(Timestamp.rfc3339(startedAt))]]
        } else if let waiting {
            var detail: JSONValue = ["reason": .string(waiting.reason)]
            if let message = waiting.message { detail["message"] = .string(message) }
            state = ["waiting": detail]
        } else if let terminated {
            state = ["terminated": terminated.json]
        } else {
            state = ["waiting": ["reason": "ContainerCreating"]]
        }
        var status: JSONValue = [
            "name": .string(name), "image": .string(imageReference), "imageID": .string(image.map { "\(imageReference)@\($0.digest)" } ?? ""),
            "ready": .bool(ready && isRunning), "started": .bool(started && isRunning), "restartCount": .int(Int64(restartCount)),
            "state": state, "lastState": lastTerminated.map { ["terminated": $0.json] } ?? .emptyObject,
        ]
        if let containerID { status["containerID"] = .string(containerID) }
        return status
    }
}
