import Foundation
import Glibc

/// The node agent's directory under the state root: `<root>/<cluster>-<pid>-<6 hex>` (several
/// agents may share a process, as in tests), with an `owner`
/// file (pid and start time) so a later agent can tell a live owner from a dead one.
///
/// # Guarantees
/// - The root is a real directory (not a symbolic link) owned by this user, mode 0700: pods'
///   environment, tokens and secrets under it are nobody else's to read.
/// - The sweep removes only directories named `<name>-<pid>-<hex>` whose `owner` file names that pid, a process
///   that is gone; nothing else under the root is touched.
enum StateDirectory {
    /// Why the state root cannot be used.
    struct Refused: Error, CustomStringConvertible {
        var description: String
    }

    /// Makes (or checks) the root, then this process's directory, `owner` first.
    static func create(root: String, clusterName: String) throws -> String {
        try prepareRoot(root)
        let pid = getpid()
        let suffix = String(UInt32.random(in: 0...0xff_ffff), radix: 16)
        let path = "\(root)/\(clusterName.filter { $0.isLetter || $0.isNumber || $0 == "-" })-\(pid)-\(String(repeating: "0", count: 6 - suffix.count) + suffix)"
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: false, attributes: [.posixPermissions: 0o700])
        let start = ProcessLedger.startTime(of: pid).map(String.init) ?? "0"
        try Data("\(pid) \(start)\n".utf8).write(to: URL(fileURLWithPath: "\(path)/owner"))
        try FileManager.default.createDirectory(atPath: "\(path)/pods", withIntermediateDirectories: false)
        return path
    }

    static func prepareRoot(_ root: String) throws {
        var info = stat()
        if lstat(root, &info) != 0 {
            try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
            guard lstat(root, &info) == 0 else { throw Refused(description: "cannot create the state directory \(root)") }
        }
        guard info.st_mode & S_IFMT == S_IFDIR else {
            throw Refused(description: "the state directory \(root) is not a directory (a symbolic link is refused)")
        }
        guard info.st_uid == geteuid() else {
            throw Refused(description: "the state directory \(root) belongs to uid \(info.st_uid), not to this user")
        }
        _ = chmod(root, 0o700)
    }

    /// Removes the directories of owners that are gone, killing any process group they recorded
    /// that still runs. Returns how many directories were swept.
    static func sweep(root: String) async -> Int {
        guard (try? prepareRoot(root)) != nil, let entries = try? FileManager.default.contentsOfDirectory(atPath: root) else { return 0 }
        var swept = 0
        for entry in entries {
            let path = "\(root)/\(entry)"
            guard let owner = try? String(contentsOfFile: "\(path)/owner", encoding: .utf8) else { continue }
            let parts = owner.split(whereSeparator: \.isWhitespace)
            guard parts.count == 2, let pid = Int32(parts[0]), let start = UInt64(parts[1]) else { continue }
            let name = entry.split(separator: "-")
            guard name.count >= 3, name[name.count - 2] == "\(pid)", name[name.count - 1].count == 6 else { continue }
            if ProcessLedger.startTime(of: pid) == start { continue }
            _ = ProcessLedger.killRecorded(in: "\(path)/processes")
            let cgroupRoots = (try? String(contentsOfFile: "\(path)/cgroups", encoding: .utf8))?.split(separator: "\n").map(String.init) ?? []
            await ContainerCgroups(roots: cgroupRoots.filter { $0.hasPrefix("/sys/fs/cgroup/") && $0.contains("/kube-emulator-") },
                             memoryRoot: nil, cpuRoot: nil).removeAll(patience: .zero)
            try? FileManager.default.removeItem(atPath: path)
            swept += 1
        }
        return swept
    }
}
