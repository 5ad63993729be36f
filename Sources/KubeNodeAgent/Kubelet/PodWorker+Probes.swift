import Foundation
import Glibc

extension PodWorker {
    enum ProbeKind: String, Sendable {
        case startup = "Startup", liveness = "Liveness", readiness = "Readiness"
    }

    /// Starts every probe whose time has come (startup first; liveness and readiness only once started).
    func runDueProbes(now: Date) {
        guard let podIP else { return }
        let runner = ProbeRunner(podIP: "\(podIP)", network: context.network)
        for index in containers.indices {
            let record = containers[index]
            guard let process = record.process, let pid = process.mainPID, !record.killing else { continue }
            let kinds: [ProbeKind] = record.started ? [.liveness, .readiness] : [.startup]
            for kind in kinds {
                guard var track = self.track(kind, of: record), !track.inFlight, now >= track.nextRun else { continue }
                track.inFlight = true
                setTrack(kind, index: index, track)
                let action = track.spec.action, timeout = track.spec.timeout, environment = record.environment
                let name = record.name, instance = record.instance
                Task { [weak self] in
                    let failure = await runner.run(action, timeout: timeout, pid: pid, environment: environment)
                    await self?.probeFinished(kind, container: name, instance: instance, failure: failure)
                }
            }
        }
    }

    private func track(_ kind: ProbeKind, of record: ContainerRecord) -> ProbeTrack? {
        switch kind {
        case .startup: return record.startup
        case .liveness: return record.liveness
        case .readiness: return record.readiness
        }
    }

    private func setTrack(_ kind: ProbeKind, index: Int, _ track: ProbeTrack) {
        switch kind {
        case .startup: containers[index].startup = track
        case .liveness: containers[index].liveness = track
        case .readiness: containers[index].readiness = track
        }
    }

    /// Applies a probe's result against its thresholds.
    func probeFinished(_ kind: ProbeKind, container: String, instance: Int, failure: String?) async {
        guard let index = containers.firstIndex(where: { $0.name == container }), containers[index].instance == instance,
              var track = track(kind, of: containers[index]) else { return }
        track.inFlight = false
        track.nextRun = Date().addingTimeInterval(ContainerRecord.seconds(track.spec.period))
        if let failure {
            track.failures += 1
            track.successes = 0
            track.lastFailure = failure
            context.events.record(pod, type: "Warning", reason: "Unhealthy", message: "\(kind.rawValue) probe failed: \(failure)", container: container)
            if track.failures == 1 || track.failures >= track.spec.failureThreshold {
                logger.info("probe failed", metadata: ["container": "\(container)", "probe": "\(kind.rawValue)", "output": "\(failure)"])
            }
        } else {
            track.successes += 1
            track.failures = 0
        }
        setTrack(kind, index: index, track)
        switch kind {
        case .startup:
            if track.successes >= track.spec.successThreshold {
                containers[index].started = true
                containers[index].ready = containers[index].readiness == nil
                let now = Date()
                for other in [ProbeKind.liveness, .readiness] {
                    if var next = self.track(other, of: containers[index]) {
                        next.nextRun = max(next.nextRun, now)
                        setTrack(other, index: index, next)
                    }
                }
            } else if track.failures >= track.spec.failureThreshold {
                await killForProbe(index, reason: "failed startup probe, will be restarted")
            }
        case .liveness:
            if track.failures >= track.spec.failureThreshold {
                await killForProbe(index, reason: "failed liveness probe, will be restarted")
            }
        case .readiness:
            if track.successes >= track.spec.successThreshold { containers[index].ready = true }
            if track.failures >= track.spec.failureThreshold { containers[index].ready = false }
        }
    }

    /// kubelet kills a container whose liveness or startup probe failed; it restarts per policy.
    private func killForProbe(_ index: Int, reason: String) async {
        guard let process = containers[index].process, !containers[index].killing else { return }
        containers[index].killing = true
        containers[index].ready = false
        logger.info("killing container", metadata: ["container": "\(containers[index].name)", "reason": "\(reason)"])
        context.events.record(pod, reason: "Killing", message: "Container \(containers[index].name) \(reason)", container: containers[index].name)
        let grace = Duration.seconds(pod[path: ["spec", "terminationGracePeriodSeconds"]]?.intValue
            ?? Int64(NodeAgentConfiguration.Defaults.terminationGracePeriodSeconds))
        Task { await process.stop(grace: grace) }
    }
}
