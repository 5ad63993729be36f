import Foundation
import Glibc

/// Everything needed to start one container instance.
struct ContainerPlan: Sendable {
    var name: String
    var argv: [String]
    var environment: [(String, String)]
    var workingDir: String
    var mounts: [ContainerMount]
    /// `securityContext.runAsUser` / `runAsGroup`; nil: root, as the image would run.
    var user: Int64? = nil
    var group: Int64? = nil
    /// The `cgroup.procs` files (memory, cpu) the container joins before anything else.
    var cgroupProcs: [String] = []
}

/// Starts container processes the way a runtime would, with util-linux and coreutils:
///
/// `setpriv --pdeathsig KILL nsenter --net --uts (the pod sandbox) unshare --mount sh SCRIPT`,
/// where the script, in the container's own mount namespace, mounts an overlay of `/` (so the
/// container's writes stay in its own layer), binds the image's files and the pod's volumes at
/// their paths, and execs `chroot ROOT env -i -C WORKDIR VARS… COMMAND`. The process keeps one
/// pid through every exec, so signals reach the container's command directly.
struct ContainerLauncher {
    /// The pod's directory (volumes, container layers, scripts).
    let podDirectory: String
    /// The pod sandbox's holder process.
    let sandbox: pid_t

    /// Starts an instance; returns its pid and output pipes.
    func start(_ plan: ContainerPlan, instance: Int) async throws -> ProcessSpawner.Spawned {
        let base = "\(podDirectory)/containers/\(plan.name)/\(instance)"
        // A crash loop keeps the last instance's layer (for a look after the fact), not all of them.
        if instance >= 2 { try? FileManager.default.removeItem(atPath: "\(podDirectory)/containers/\(plan.name)/\(instance - 2)") }
        for folder in ["upper", "work", "rootfs"] {
            try FileManager.default.createDirectory(atPath: "\(base)/\(folder)", withIntermediateDirectories: true)
        }
        let script = "\(base)/start.sh"
        try Data(Self.script(plan, base: base).utf8).write(to: URL(fileURLWithPath: script))
        return try await ProcessSpawner.shared.spawn(
            ["setpriv", "--pdeathsig", "KILL", "nsenter", "--net=/proc/\(sandbox)/ns/net", "--uts=/proc/\(sandbox)/ns/uts",
             "--pid=/proc/\(sandbox)/ns/pid_for_children", "--",
             "unshare", "--mount", "--propagation", "private", "--", "sh", script],
            pipes: true)
    }

    /// The mount-and-exec script for one instance.
    static func script(_ plan: ContainerPlan, base: String) -> String {
        let root = "\(base)/rootfs"
        var lines = ["set -e"]
        lines += plan.cgroupProcs.map { "echo $$ > \(quote($0))" }
        lines += [
            "mount -t overlay overlay -o \(quote("lowerdir=/,upperdir=\(base)/upper,workdir=\(base)/work")) \(quote(root))",
            // A /proc of the pod's own PID namespace, /sys read-only, the host's /dev.
            "mount -t proc proc \(quote(root))/proc",
            "mount --rbind /sys \(quote(root))/sys && mount -o remount,bind,ro \(quote(root))/sys",
            "mount --rbind /dev \(quote(root))/dev",
        ]
        // Parents before children, so a volume inside another volume's path stays visible.
        for mount in plan.mounts.sorted(by: { $0.target.split(separator: "/").count < $1.target.split(separator: "/").count }) {
            let target = root + resolvedInContainer(mount.target)
            if mount.isDirectory {
                lines.append("mkdir -p \(quote(target))")
            } else {
                lines.append("mkdir -p \(quote((target as NSString).deletingLastPathComponent)) && touch \(quote(target))")
            }
            lines.append("mount --bind \(quote(mount.source)) \(quote(target))")
            if mount.readOnly { lines.append("mount -o remount,bind,ro \(quote(target))") }
        }
        lines.append("mkdir -p \(quote(root + resolvedInContainer(plan.workingDir)))")
        let environment = plan.environment.map { quote("\($0.0)=\($0.1)") }.joined(separator: " ")
        let command = plan.argv.map(quote).joined(separator: " ")
        // The command runs without the capabilities that would let it leave the pod (entering the
        // host's namespaces, mounting, loading modules), as the user its securityContext names.
        var identity = "--bounding-set=\(droppedCapabilities)"
        if let user = plan.user { identity += " --reuid=\(user) --regid=\(plan.group ?? user) --clear-groups" }
        lines.append("exec chroot \(quote(root)) /usr/bin/setpriv \(identity) -- /usr/bin/env -i -C \(quote(plan.workingDir)) \(environment) \(command)")
        return lines.joined(separator: "\n") + "\n"
    }

    /// Runs a command inside a running container (its namespaces, root and environment), as
    /// exec probes and hooks do. Returns its exit and output; kills it after `timeout`.
    static func exec(in pid: pid_t, command: [String], environment: [(String, String)], timeout: Duration) async throws -> HostCommand.Result {
        let argv = ["nsenter", "--target", "\(pid)", "--net", "--uts", "--pid", "--mount", "--root", "--wd", "--",
                    "/usr/bin/setpriv", "--bounding-set=\(droppedCapabilities)", "--", "/usr/bin/env", "-i"]
            + environment.map { "\($0.0)=\($0.1)" } + command
        var result = try await HostCommand.run(argv, timeout: timeout)
        if result.exit == .signaled(SIGKILL) { result.stderr = "command timed out after \(timeout)" }
        return result
    }

    /// Whether `executable` exists in the container: a catalog file, or a file on this machine
    /// (the container's lower layer). Names without `/` are looked up in `PATH`.
    static func resolves(_ executable: String, files: [String: String], path: String) -> Bool {
        func present(_ candidate: String) -> Bool {
            if let source = files[candidate] { return FileManager.default.isExecutableFile(atPath: source) }
            return FileManager.default.isExecutableFile(atPath: candidate)
        }
        if executable.contains("/") { return present(executable) }
        return path.split(separator: ":").contains { present("\($0)/\(executable)") }
    }

    /// A container path with every symbolic link along it followed as the container would see
    /// it (its root is an overlay of this machine's `/`, so the machine's links are its links):
    /// `/var/run/secrets` becomes `/run/secrets`. Joined to the container's root, the result never
    /// leads out of it, where `mkdir -p ROOT/var/run/…` would follow `/var/run -> /run` onto the host.
    static func resolvedInContainer(_ path: String) -> String {
        var pending = path.split(separator: "/").map(String.init)
        var resolved: [String] = []
        var hops = 0
        while !pending.isEmpty {
            let component = pending.removeFirst()
            if component == "." || component.isEmpty { continue }
            if component == ".." {
                _ = resolved.popLast()
                continue
            }
            let candidate = "/" + (resolved + [component]).joined(separator: "/")
            if hops < 40, let link = try? FileManager.default.destinationOfSymbolicLink(atPath: candidate) {
                hops += 1
                if link.hasPrefix("/") { resolved = [] }
                pending = link.split(separator: "/").map(String.init) + pending
                continue
            }
            resolved.append(component)
        }
        return "/" + resolved.joined(separator: "/")
    }

    /// Capabilities a container never gets (Docker's default set leaves these out too).
    static let droppedCapabilities = "-sys_admin,-net_admin,-sys_module,-sys_ptrace,-sys_rawio,-sys_boot,-sys_time,-mknod,-syslog,-mac_admin,-mac_override"

    /// Single-quotes a word for sh.
    static func quote(_ word: String) -> String {
        "'" + word.replacingOccurrences(of: "'", with: "'\\''") + "'"
    }
}
