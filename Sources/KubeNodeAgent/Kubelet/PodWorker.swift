import Foundation
import Glibc
import KubeAPI
import Logging

/// The kubelet's work for one pod, from sandbox to deletion: starts its containers, restarts
/// them per `restartPolicy` with crash-loop back-off, runs its probes, writes its status, and
/// on deletion runs preStop hooks, sends SIGTERM, waits out the grace period, sends SIGKILL and
/// deletes the pod object.
actor PodWorker {
    let uid: String
    let namespace: String
    let name: String
    let context: KubeletContext
    var pod: JSONValue
    var containers: [ContainerRecord]
    var sandbox: pid_t?
    var podIP: IPv4?
    var volumes: [String: String] = [:]
    var tokenExpiry: Date?
    var lastWrittenStatus: JSONValue?
    var conditionTimes: [String: (status: Bool, time: Date)] = [:]
    let startTime = Date()
    /// The pod object is gone (force-deleted): stop at once.
    var vanished = false
    var finished = false
    var nextSetupAttempt = Date.distantPast

    var podDirectory: String { "\(context.stateDirectory)/pods/\(uid)" }
    var logger: Logger {
        var logger = context.logger
        logger[metadataKey: "pod"] = "\(namespace)/\(name)"
        return logger
    }

    init(pod: JSONValue, context: KubeletContext) {
        self.pod = pod
        self.context = context
        uid = pod[path: ["metadata", "uid"]]?.stringValue ?? ""
        namespace = pod[path: ["metadata", "namespace"]]?.stringValue ?? "default"
        name = pod[path: ["metadata", "name"]]?.stringValue ?? ""
        containers = (pod[path: ["spec", "containers"]]?.arrayValue ?? []).map(ContainerRecord.init(spec:))
    }

    /// The API server's latest copy of the pod; an older copy arriving late is ignored.
    func update(_ pod: JSONValue) {
        let version = { (object: JSONValue) in Int64(object[path: ["metadata", "resourceVersion"]]?.stringValue ?? "") ?? 0 }
        guard version(pod) >= version(self.pod) else { return }
        self.pod = pod
    }

    /// The pod object is gone without the kubelet's termination (grace period 0).
    func podVanished() { vanished = true }

    var isTerminating: Bool { pod[path: ["metadata", "deletionTimestamp"]] != nil }

    /// Runs until the pod is deleted and cleaned up.
    func run() async {
        while !finished {
            if vanished || isTerminating || Task.isCancelled {
                await terminate(force: vanished || Task.isCancelled)
                return
            }
            await syncOnce()
            if sandbox != nil, !containers.isEmpty, containers.allSatisfy(\.finished) {
                // A finished pod keeps its status and address but not its sandbox, as kubelet does.
                await tearDownSandbox(keepingAddress: true)
            }
            try? await Task.sleep(for: context.configuration.housekeepingInterval)
        }
    }

    private func syncOnce() async {
        let now = Date()
        if sandbox == nil, now >= nextSetupAttempt, !containers.allSatisfy(\.finished) || containers.isEmpty {
            await setUpSandbox()
        }
        if sandbox != nil {
            for index in containers.indices where !containers[index].isRunning && !containers[index].finished && now >= containers[index].nextStart {
                await start(index, now: now)
                // start awaits: the pod may have begun terminating meanwhile.
                if isTerminating || vanished { return }
            }
            runDueProbes(now: now)
            refreshTokenIfDue(now: now)
        }
        writeStatusIfChanged(now: now)
    }

    // MARK: Sandbox

    private func setUpSandbox() async {
        do {
            try FileManager.default.createDirectory(atPath: podDirectory, withIntermediateDirectories: true)
            // The holder's child is PID 1 of the pod's PID namespace: when it dies (teardown, or
            // the emulator's death through PDEATHSIG and --kill-child) every process of the pod dies.
            let holder = try await NamespaceHolder.start(
                ["setpriv", "--pdeathsig", "KILL", "unshare", "--net", "--uts", "--pid", "--fork", "--kill-child", "--",
                 "sh", "-c", "hostname \"$1\"; exec sleep infinity", "sh", String(name.prefix(63))],
                kinds: ["net", "uts", "pid_for_children"])
            context.ledger.record(holder)
            sandbox = holder
            let ip = try context.network.allocate()
            podIP = ip
            try await context.network.attach(sandbox: holder, ip: ip, hostVeth: "vp" + String(uid.replacingOccurrences(of: "-", with: "").prefix(12)))
            try Data("127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\n\(ip)\t\(name)\n".utf8)
                .write(to: URL(fileURLWithPath: "\(podDirectory)/hosts"))
            let built = try PodVolumes(pod: pod, directory: podDirectory, cluster: context.cluster).materialize()
            volumes = built.paths
            tokenExpiry = built.tokenExpiry
        } catch {
            let problem = "failed to create pod sandbox: \(error)"
            for index in containers.indices where !containers[index].hasEverStarted {
                containers[index].waiting = ("ContainerCreating", problem)
            }
            logger.warning("pod sandbox setup failed", metadata: ["error": "\(error)"])
            await tearDownSandbox()
            nextSetupAttempt = Date().addingTimeInterval(2)
        }
    }

    func tearDownSandbox(keepingAddress: Bool = false) async {
        if let sandbox {
            ProcessSpawner.shared.signal(sandbox, SIGKILL)
            _ = await ProcessSpawner.shared.exit(of: sandbox)
            ProcessSpawner.shared.forget(sandbox)
        }
        sandbox = nil
        if !keepingAddress {
            if let podIP { context.network.release(podIP) }
            podIP = nil
        }
    }

    private func refreshTokenIfDue(now: Date) {
        guard let expiry = tokenExpiry, now >= expiry.addingTimeInterval(-Double(NodeAgentConfiguration.Defaults.tokenExpirationSeconds) * 0.2) else { return }
        tokenExpiry = try? PodVolumes(pod: pod, directory: podDirectory, cluster: context.cluster).refreshToken(in: volumes)
    }
}
