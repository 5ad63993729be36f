import Foundation
import Glibc

/// A running container instance: the runtime process this agent started (`nsenter`, which
/// forks the container into the pod's PID namespace, waits for it and exits as it did) and the
/// container's main process, its child.
struct ContainerProcess: Sendable {
    /// The process the spawner started and reaps: its exit is the container's.
    let runtimePID: pid_t

    /// The instance, once the runtime has forked the container (waiting up to `timeout`; a
    /// loaded machine may take longer, and `mainPID` keeps looking after that).
    static func started(runtime: pid_t, timeout: Duration = .seconds(2)) async -> ContainerProcess {
        let process = ContainerProcess(runtimePID: runtime)
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline, ProcessSpawner.shared.isRunning(runtime), process.mainPID == nil {
            try? await Task.sleep(for: .milliseconds(2))
        }
        return process
    }

    static func children(of pid: pid_t) -> [pid_t] {
        guard let text = try? String(contentsOfFile: "/proc/\(pid)/task/\(pid)/children", encoding: .utf8) else { return [] }
        return text.split(separator: " ").compactMap { pid_t($0) }
    }

    /// The container's command, inside the pod's PID namespace: the runtime's child, looked up
    /// now (nil before the fork and after the exit). A child of a process this agent has not
    /// reaped cannot be a recycled pid.
    var mainPID: pid_t? {
        guard ProcessSpawner.shared.isRunning(runtimePID) else { return nil }
        return Self.children(of: runtimePID).first
    }

    /// Sends `signal` to the container's command (SIGTERM on stop, as a runtime does).
    func signal(_ signal: Int32) {
        if let main = mainPID {
            kill(main, signal)
        } else {
            ProcessSpawner.shared.signal(runtimePID, signal)
        }
    }

    /// Kills the instance and everything it started in its process group.
    func killAll() {
        if let main = mainPID { kill(main, SIGKILL) }
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
