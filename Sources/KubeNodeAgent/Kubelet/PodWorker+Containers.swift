import Foundation
import Glibc
import KubeAPI

extension PodWorker {
    var restartPolicy: String { pod[path: ["spec", "restartPolicy"]]?.stringValue ?? "Always" }

    /// Starts (or restarts) a container, or records why it cannot start.
    func start(_ index: Int, now: Date) async {
        var record = containers[index]
        defer { containers[index] = record }
        guard PodNames.isDNSLabel(record.name) else {
            record.waiting = ("CreateContainerConfigError", "container name \"\(record.name)\" is not a DNS label")
            record.nextStart = .distantFuture
            return
        }
        guard let image = context.images.image(for: record.imageReference) else {
            let first = record.waiting?.reason != "ErrImagePull" && record.waiting?.reason != "ImagePullBackOff"
            let delay = nextBackoff(&record)
            if first {
                context.events.record(pod, type: "Warning", reason: "Failed", message: "Failed to pull image \"\(record.imageReference)\": not found in the emulator's image catalog", container: record.name)
                context.events.record(pod, type: "Warning", reason: "Failed", message: "Error: ErrImagePull", container: record.name)
            } else {
                context.events.record(pod, reason: "BackOff", message: "Back-off pulling image \"\(record.imageReference)\"", container: record.name)
            }
            record.waiting = first
                ? ("ErrImagePull", "failed to pull and unpack image \"\(record.imageReference)\": not found in the emulator's image catalog")
                : ("ImagePullBackOff", "Back-off pulling image \"\(record.imageReference)\"")
            record.nextStart = now.addingTimeInterval(first ? 0.5 : ContainerRecord.seconds(delay))
            return
        }
        record.image = image
        let environment: [(String, String)]
        do {
            environment = try ContainerEnvironment(pod: podWithIP, lookup: { self.context.cluster.get($0, namespace: $1, name: $2) })
                .build(container: record.spec, image: image, serviceVariables: context.serviceVariables)
        } catch {
            if record.waiting?.message != error.description {
                context.events.record(pod, type: "Warning", reason: "Failed", message: "Error: \(error.description)", container: record.name)
            }
            record.waiting = ("CreateContainerConfigError", error.description)
            record.nextStart = now.addingTimeInterval(1)
            return
        }
        let variables = Dictionary(environment, uniquingKeysWith: { _, last in last })
        // As Kubernetes: command and args expand only the container's own and the service variables.
        let imageOnly = Set(image.env.map(\.name)).subtracting((record.spec["env"]?.arrayValue ?? []).compactMap { $0["name"]?.stringValue })
        let expandable = variables.filter { !imageOnly.contains($0.key) }
        let argv = Self.argv(container: record.spec, image: image).map { ContainerEnvironment.expand($0, with: expandable) }
        let path = variables["PATH"] ?? NodeAgentConfiguration.Defaults.path
        record.environment = environment
        guard let executable = argv.first, ContainerLauncher.resolves(executable, files: image.files, path: path) else {
            let executable = argv.first ?? ""
            failToStart(&record, now: now, message: "failed to create containerd task: failed to create shim task: OCI runtime create failed: "
                + "runc create failed: unable to start container process: exec: \"\(executable)\": stat \(executable): no such file or directory: unknown")
            return
        }
        do {
            var mounts = image.files.sorted { $0.key < $1.key }.map { target, source in
                var isDirectory: ObjCBool = false
                _ = FileManager.default.fileExists(atPath: source, isDirectory: &isDirectory)
                return ContainerMount(source: source, target: target, readOnly: true, isDirectory: isDirectory.boolValue)
            }
            mounts.append(ContainerMount(source: "\(podDirectory)/hosts", target: "/etc/hosts", readOnly: false, isDirectory: false))
            mounts += try PodVolumes(pod: pod, directory: podDirectory, cluster: context.cluster).mounts(for: record.spec, paths: volumes)
            let workingDir = record.spec["workingDir"]?.stringValue ?? image.workingDir
            var plan = ContainerPlan(name: record.name, argv: argv, environment: environment, workingDir: workingDir, mounts: mounts)
            (plan.user, plan.group) = try identity(of: record)
            let limits = record.spec[path: ["resources", "limits"]]
            plan.cgroupProcs = context.cgroups?.prepare(
                Self.cgroupName(uid: uid, container: record.name, instance: record.instance + 1),
                memoryBytes: Quantity.parse(limits?["memory"]).map { Int64($0) },
                cpuMillis: Quantity.parse(limits?["cpu"]).map { Int64(($0 * 1000).rounded(.up)) }) ?? []
            let instance = record.instance
            let spawned = try await ContainerLauncher(podDirectory: podDirectory, sandbox: sandbox ?? 0).start(plan, instance: instance)
            context.ledger.record(spawned.pid)
            let buffer = context.logs.startInstance(podUID: uid, container: record.name)
            LogCapture.start(stdout: spawned.stdout!, stderr: spawned.stderr!, into: buffer)
            if record.instance > 0 { record.restartCount += 1 }
            if let previous = record.terminated { record.lastTerminated = previous }
            record.instance += 1
            record.process = await ContainerProcess.started(runtime: spawned.pid)
            record.startedAt = Date()
            record.containerID = "containerd://" + Self.containerID(uid: uid, name: record.name, instance: record.instance)
            record.waiting = nil
            record.terminated = nil
            record.armProbes(now: record.startedAt!)
            context.events.record(pod, reason: "Pulled", message: "Container image \"\(record.imageReference)\" already present on machine", container: record.name)
            context.events.record(pod, reason: "Created", message: "Created container: \(record.name)", container: record.name)
            context.events.record(pod, reason: "Started", message: "Started container \(record.name)", container: record.name)
            let pid = spawned.pid, startedInstance = record.instance, containerName = record.name
            Task { [weak self] in
                let exit = await ProcessSpawner.shared.exit(of: pid)
                ProcessSpawner.shared.forget(pid)
                await self?.exited(containerName, instance: startedInstance, exit: exit)
            }
        } catch let error as ContainerConfigError {
            record.waiting = ("CreateContainerConfigError", error.description)
            record.nextStart = now.addingTimeInterval(1)
        } catch {
            failToStart(&record, now: now, message: "\(error)")
        }
    }

    static func cgroupName(uid: String, container: String, instance: Int) -> String { "\(uid)-\(container)-\(instance)" }

    /// runAsUser / runAsGroup (container first, then pod), refusing runAsNonRoot without a
    /// non-zero user, as kubelet does.
    private func identity(of record: ContainerRecord) throws(ContainerConfigError) -> (Int64?, Int64?) {
        func setting(_ key: String) -> JSONValue? {
            record.spec[path: ["securityContext", key]] ?? pod[path: ["spec", "securityContext", key]]
        }
        let user = setting("runAsUser")?.intValue
        if setting("runAsNonRoot")?.boolValue == true, (user ?? 0) == 0 {
            throw ContainerConfigError(description: "container has runAsNonRoot and image will run as root (pod: \"\(name)_\(namespace)(\(uid))\", container: \(record.name))")
        }
        return (user, setting("runAsGroup")?.intValue)
    }

    /// The pod as the downward API sees it: with the address the kubelet gave it.
    private var podWithIP: JSONValue {
        var copy = pod
        if let podIP { copy[path: ["status", "podIP"]] = .string("\(podIP)") }
        copy[path: ["status", "hostIP"]] = .string("\(context.network.hostAddress)")
        return copy
    }

    /// ENTRYPOINT/CMD against command/args, as Kubernetes combines them.
    static func argv(container: JSONValue, image: ImageCatalog.Image) -> [String] {
        let command = container["command"]?.arrayValue?.compactMap(\.stringValue)
        let args = container["args"]?.arrayValue?.compactMap(\.stringValue)
        if let command, !command.isEmpty { return command + (args ?? []) }
        return image.command + (args ?? image.args)
    }

    static func containerID(uid: String, name: String, instance: Int) -> String {
        var hash: UInt64 = 0xcbf29ce484222325
        for byte in "\(uid)/\(name)/\(instance)".utf8 { hash = (hash ^ UInt64(byte)) &* 0x100000001b3 }
        let part = String(hash, radix: 16)
        return String(repeating: part, count: 4).prefix(64).description
    }

    private func failToStart(_ record: inout ContainerRecord, now: Date, message: String) {
        record.lastTerminated = TerminatedState(exitCode: 128, reason: "StartError", message: message, startedAt: nil, finishedAt: now,
                                                containerID: nil)
        if restartPolicy == "Never" {
            record.terminated = record.lastTerminated
            record.lastTerminated = nil
            record.finished = true
            record.waiting = nil
            return
        }
        let delay = nextBackoff(&record)
        if record.instance > 0 { record.restartCount += 1 }
        record.instance += 1
        record.waiting = ("RunContainerError", message)
        record.nextStart = now.addingTimeInterval(ContainerRecord.seconds(delay))
    }

    /// The wait before the next attempt: none the first time, then the initial back-off,
    /// doubling up to the maximum.
    func nextBackoff(_ record: inout ContainerRecord) -> Duration {
        guard let current = record.backoff else {
            record.backoff = context.configuration.initialBackoff
            return .zero
        }
        record.backoff = min(current * 2, context.configuration.maxBackoff)
        return current
    }

    /// A container process ended.
    func exited(_ containerName: String, instance: Int, exit: ProcessExit) {
        guard let index = containers.firstIndex(where: { $0.name == containerName }), containers[index].instance == instance else { return }
        var record = containers[index]
        defer { containers[index] = record }
        let now = Date()
        let code = exit.exitCode
        let cgroup = Self.cgroupName(uid: uid, container: containerName, instance: instance)
        let outOfMemory = (context.cgroups?.oomKills(cgroup) ?? 0) > 0
        context.cgroups?.remove(cgroup)
        let state = TerminatedState(exitCode: code, reason: outOfMemory ? "OOMKilled" : code == 0 ? "Completed" : "Error", message: nil,
                                    startedAt: record.startedAt, finishedAt: now, containerID: record.containerID)
        let ranFor = now.timeIntervalSince(record.startedAt ?? now)
        if let runtime = record.process?.runtimePID {
            // What the container left running in its process group goes with it, as with a
            // container's own PID namespace. The group id stays reserved while any member lives.
            kill(-runtime, SIGKILL)
        }
        record.process = nil
        record.ready = false
        record.started = false
        record.killing = false
        logger.info("container exited", metadata: ["container": "\(containerName)", "exitCode": "\(code)"])
        let restarts = !isTerminating && (restartPolicy == "Always" || (restartPolicy == "OnFailure" && code != 0))
        guard restarts else {
            record.terminated = state
            record.finished = true
            record.waiting = nil
            return
        }
        if ranFor > ContainerRecord.seconds(context.configuration.maxBackoff) * 2 { record.backoff = nil }
        let delay = nextBackoff(&record)
        record.nextStart = now.addingTimeInterval(ContainerRecord.seconds(delay))
        if delay > .zero {
            context.events.record(pod, type: "Warning", reason: "BackOff",
                                  message: "Back-off restarting failed container \(containerName) in pod \(name)_\(namespace)(\(uid))", container: containerName)
            record.lastTerminated = state
            record.waiting = ("CrashLoopBackOff", "back-off \(Self.goDuration(delay)) restarting failed container=\(containerName) pod=\(name)_\(namespace)(\(uid))")
        } else {
            // Restarted at once: until then the instance shows as terminated, as kubelet reports it.
            record.terminated = state
            record.waiting = nil
        }
    }

    /// `10s`, `1m20s`, `5m0s`: Go's time.Duration formatting for whole seconds.
    static func goDuration(_ duration: Duration) -> String {
        let seconds = duration.components.seconds
        if seconds < 60 { return "\(seconds)s" }
        return "\(seconds / 60)m\(seconds % 60)s"
    }
}
