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
        let running = containers.compactMap { record in record.pid.map { (record, $0) } }
        await withTaskGroup(of: Void.self) { group in
            for (record, pid) in running {
                group.addTask { [self] in
                    if !force, let hook = record.spec[path: ["lifecycle", "preStop"]] {
                        await self.runPreStop(hook, record: record, pid: pid, deadline: deadline)
                    }
                    let remaining = deadline - ContinuousClock.now
                    await self.stop(pid: pid, grace: max(.zero, remaining))
                }
            }
        }
        for (_, pid) in running where ProcessSpawner.shared.isRunning(pid) {
            _ = await ProcessSpawner.shared.exit(of: pid)
        }
        await tearDownSandbox()
        context.logs.remove(podUID: uid)
        try? FileManager.default.removeItem(atPath: podDirectory)
        if !vanished {
            do { try context.cluster.delete(.pods, namespace: namespace, name: name, uid: uid) } catch {
                logger.warning("could not delete the terminated pod", metadata: ["error": "\(error.message)"])
            }
        }
        finished = true
        logger.info("pod terminated", metadata: ["grace": "\(grace)", "force": "\(force)"])
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
            logger.info("preStop hook failed", metadata: ["container": "\(record.name)", "error": "\(failure)"])
        }
    }
}
