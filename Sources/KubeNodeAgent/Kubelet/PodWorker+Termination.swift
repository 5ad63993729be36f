import Foundation
import Glibc
import KubeAPI

extension PodWorker {
    /// The grace period: the one the deletion asked for, else the pod's, else 30 s.
    var gracePeriod: Duration {
        let seconds = pod[path: ["metadata", "deletionGracePeriodSeconds"]]?.intValue
            ?? pod[path: ["spec", "terminationGracePeriodSeconds"]]?.intValue
            ?? Int64(NodeAgentConfiguration.Defaults.terminationGracePeriodSeconds)
        return .seconds(max(0, seconds))
    }

    /// Ends the pod: preStop hooks, SIGTERM, the grace period, SIGKILL; then the sandbox, the
    /// pod's files and (unless it is already gone) the pod object itself.
    func terminate(force: Bool) async {
        let grace = force ? Duration.zero : gracePeriod
        let deadline = ContinuousClock.now + grace
        let running = containers.compactMap { record in record.process.map { (record, $0) } }
        if !vanished {
            for (record, _) in running {
                context.events.record(pod, reason: "Killing", message: "Stopping container \(record.name)", container: record.name)
            }
        }
        let requestedGrace = gracePeriod
        await withTaskGroup(of: Void.self) { group in
            // A later, shorter deletion (`--grace-period=1`, `--force`) or the emulator stopping cuts the wait short.
            group.addTask { [self] in
                while running.contains(where: { ProcessSpawner.shared.isRunning($0.1.runtimePID) }) {
                    let cutShort = await self.isCutShort(requestedGrace)
                    if Task.isCancelled || cutShort {
                        running.forEach { $0.1.killAll() }
                        return
                    }
                    try? await Task.sleep(for: .milliseconds(100))
                }
            }
            for (record, process) in running {
                group.addTask { [self] in
                    if !force, let hook = record.spec[path: ["lifecycle", "preStop"]], let main = process.mainPID {
                        await self.runPreStop(hook, record: record, pid: main, deadline: deadline)
                    }
                    let remaining = deadline - ContinuousClock.now
                    await process.stop(grace: max(.zero, remaining))
                }
            }
        }
        for (_, process) in running {
            _ = await ProcessSpawner.shared.exit(of: process.runtimePID)
        }
        writeStatusIfChanged(now: Date())
        await tearDownSandbox()
        context.logs.remove(podUID: uid)
        context.events.forget(podUID: uid)
        try? FileManager.default.removeItem(atPath: podDirectory)
        if !vanished {
            do { try context.cluster.delete(.pods, namespace: namespace, name: name, uid: uid) } catch {
                logger.warning("could not delete the terminated pod", metadata: ["error": "\(error.message)"])
            }
        }
        finished = true
        logger.info("pod terminated", metadata: ["grace": "\(grace)", "force": "\(force)"])
    }

    /// Whether the pod went away or its deletion now asks for less time than `grace`.
    func isCutShort(_ grace: Duration) -> Bool {
        vanished || gracePeriod < grace
    }

    private func runPreStop(_ hook: JSONValue, record: ContainerRecord, pid: pid_t, deadline: ContinuousClock.Instant) async {
        let remaining = deadline - ContinuousClock.now
        guard remaining > .zero else { return }
        if let seconds = hook[path: ["sleep", "seconds"]]?.intValue {
            try? await Task.sleep(for: min(.seconds(seconds), remaining))
            return
        }
        guard let podIP else { return }
        let spec = ProbeSpec(hook, container: record.spec)
        let failure = await ProbeRunner(podIP: "\(podIP)", network: context.network)
            .run(spec.action, timeout: remaining, pid: pid, environment: record.environment)
        if let failure {
            // As the kubelet does: a warning event on the pod; the container is stopped anyway.
            logger.info("preStop hook failed", metadata: ["container": "\(record.name)", "error": "\(failure)"])
            context.events.record(pod, type: "Warning", reason: "FailedPreStopHook",
                                  message: "PreStopHook failed: \(failure)", container: record.name)
        }
    }
}
