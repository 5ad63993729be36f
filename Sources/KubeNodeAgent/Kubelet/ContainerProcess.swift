import Foundation
import Glibc

/// A running container instance: the runtime process this agent started (`nsenter`, which
/// forks the container into the pod's PID namespace, waits for it and exits as it did) and the
/// container's main process, its child.
struct ContainerProcess: Sendable {
    /// The process the spawner started and reaps: its exit is the container's.
    let runtimePID: pid_t
    /// The container's command, inside the pod's PID namespace (nil if it could not be seen).
    let mainPID: pid_t?

    /// Finds the runtime's child, waiting up to `timeout` for the fork.
    static func started(runtime: pid_t, timeout: Duration = .seconds(2)) async -> ContainerProcess {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline, ProcessSpawner.shared.isRunning(runtime) {
            if let child = children(of: runtime).first { return ContainerProcess(runtimePID: runtime, mainPID: child) }
            try? await Task.sleep(for: .milliseconds(2))
        }
        return ContainerProcess(runtimePID: runtime, mainPID: nil)
    }

    static func children(of pid: pid_t) -> [pid_t] {
        guard let text = try? String(contentsOfFile: "/proc/\(pid)/task/\(pid)/children", encoding: .utf8) else { return [] }
        return text.split(separator: " ").compactMap { pid_t($0) }
    }

    /// The main process, while it is still the runtime's child (a pid that is not cannot be trusted: it may be recycled).
    var currentMain: pid_t? {
        guard let mainPID, ProcessSpawner.shared.isRunning(runtimePID), Self.children(of: runtimePID).contains(mainPID) else { return nil }
        return mainPID
    }

    /// Sends `signal` to the container's command (SIGTERM on stop, as a runtime does).
    func signal(_ signal: Int32) {
        if let main = currentMain {
            kill(main, signal)
        } else {
            ProcessSpawner.shared.signal(runtimePID, signal)
        }
    }

    /// Kills the instance and everything it started in its process group.
    func killAll() {
        if let main = currentMain { kill(main, SIGKILL) }
        ProcessSpawner.shared.signal(runtimePID, SIGKILL, group: true)
    }

    /// SIGTERM, then SIGKILL once `grace` has passed (at once if the task is cancelled).
    func stop(grace: Duration) async {
        signal(SIGTERM)
        let deadline = ContinuousClock.now + grace
        while ProcessSpawner.shared.isRunning(runtimePID), ContinuousClock.now < deadline, !Task.isCancelled {
            try? await Task.sleep(for: .milliseconds(20))
        }
        if ProcessSpawner.shared.isRunning(runtimePID) { killAll() }
    }
}
