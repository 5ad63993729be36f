import Foundation
import Glibc
import KubeAPI

/// Memory and CPU limits through cgroup v1's memory and cpu controllers, under this process's
/// own cgroups: `<controller>/<own path>/kube-emulator-<pid>-<hex>/<pod uid>-<container>-<n>`.
///
/// # Caveats
/// - Only cgroup v1 controllers are used (the kind of machine this runs on); without them limits
///   are not enforced and the agent says so once at start.
struct ContainerCgroups: Sendable {
    /// Each controller's directory for this agent.
    let roots: [String]
    let memoryRoot: String?
    let cpuRoot: String?

    /// This agent's cgroup directories, or nil where the controllers are missing or not writable.
    static func create(agentName: String) -> ContainerCgroups? {
        guard let lines = try? String(contentsOfFile: "/proc/self/cgroup", encoding: .utf8) else { return nil }
        var memory: String?, cpu: String?
        for line in lines.split(separator: "\n") {
            let parts = line.split(separator: ":", maxSplits: 2).map(String.init)
            guard parts.count == 3 else { continue }
            let controllers = parts[1].split(separator: ",").map(String.init)
            if controllers.contains("memory") { memory = "/sys/fs/cgroup/memory\(parts[2])" }
            if controllers.contains("cpu") { cpu = "/sys/fs/cgroup/\(controllers.sorted().joined(separator: ","))\(parts[2])" }
        }
        func make(_ base: String?) -> String? {
            guard let base else { return nil }
            let candidates = [base, base.replacingOccurrences(of: "/sys/fs/cgroup/cpu,cpuacct", with: "/sys/fs/cgroup/cpu")]
            for candidate in candidates where FileManager.default.fileExists(atPath: candidate) {
                let path = candidate.hasSuffix("/") ? candidate + agentName : candidate + "/" + agentName
                if mkdir(path, 0o755) == 0 || errno == EEXIST { return path }
            }
            return nil
        }
        let memoryRoot = make(memory), cpuRoot = make(cpu)
        guard memoryRoot != nil || cpuRoot != nil else { return nil }
        return ContainerCgroups(roots: [memoryRoot, cpuRoot].compactMap { $0 }, memoryRoot: memoryRoot, cpuRoot: cpuRoot)
    }

    /// A container instance's cgroups with its limits written; returns the `cgroup.procs` files
    /// the container joins itself to before it execs.
    func prepare(_ name: String, memoryBytes: Int64?, cpuMillis: Int64?) -> [String] {
        var procs: [String] = []
        if let memoryRoot {
            let path = "\(memoryRoot)/\(name)"
            _ = mkdir(path, 0o755)
            if let memoryBytes { write("\(memoryBytes)", to: "\(path)/memory.limit_in_bytes") }
            procs.append("\(path)/cgroup.procs")
        }
        if let cpuRoot {
            let path = "\(cpuRoot)/\(name)"
            _ = mkdir(path, 0o755)
            if let cpuMillis {
                write("100000", to: "\(path)/cpu.cfs_period_us")
                write("\(max(1000, cpuMillis * 100))", to: "\(path)/cpu.cfs_quota_us")
            }
            procs.append("\(path)/cgroup.procs")
        }
        return procs
    }

    /// How many processes of the instance the kernel killed for running out of memory.
    func oomKills(_ name: String) -> Int {
        guard let memoryRoot, let text = try? String(contentsOfFile: "\(memoryRoot)/\(name)/memory.oom_control", encoding: .utf8) else { return 0 }
        for line in text.split(separator: "\n") where line.hasPrefix("oom_kill ") {
            return Int(line.split(separator: " ").last ?? "") ?? 0
        }
        return 0
    }

    /// Removes an instance's cgroups (empty once its processes are gone).
    func remove(_ name: String) {
        for root in roots { _ = rmdir("\(root)/\(name)") }
    }

    /// Removes this agent's cgroup directories and whatever instance directories are left,
    /// waiting up to `patience` for the last killed processes to leave them.
    func removeAll(patience: Duration = .seconds(3)) async {
        let deadline = ContinuousClock.now + patience
        repeat {
            for root in roots {
                for entry in (try? FileManager.default.contentsOfDirectory(atPath: root)) ?? [] where !entry.contains(".") {
                    _ = rmdir("\(root)/\(entry)")
                }
                _ = rmdir(root)
            }
            if roots.allSatisfy({ !FileManager.default.fileExists(atPath: $0) }) { return }
            try? await Task.sleep(for: .milliseconds(50))
        } while ContinuousClock.now < deadline
    }

    private func write(_ value: String, to path: String) {
        try? Data(value.utf8).write(to: URL(fileURLWithPath: path))
    }
}

/// Kubernetes resource quantities (`128Mi`, `1G`, `500m`, `0.5`, `2e3`).
enum Quantity {
    /// A quantity written as a string or a number.
    static func parse(_ value: JSONValue?) -> Double? {
        if let text = value?.stringValue { return parse(text) }
        return value?.doubleValue
    }

    /// The value in base units (bytes, cores), or nil if it is not a quantity.
    static func parse(_ text: String) -> Double? {
        let suffixes: [(String, Double)] = [
            ("Ki", 0x1p10), ("Mi", 0x1p20), ("Gi", 0x1p30), ("Ti", 0x1p40), ("Pi", 0x1p50), ("Ei", 0x1p60),
            ("k", 1e3), ("M", 1e6), ("G", 1e9), ("T", 1e12), ("P", 1e15), ("E", 1e18), ("m", 1e-3), ("u", 1e-6), ("n", 1e-9),
        ]
        for (suffix, factor) in suffixes where text.hasSuffix(suffix) {
            return Double(text.dropLast(suffix.count)).map { $0 * factor }
        }
        return Double(text)
    }
}
