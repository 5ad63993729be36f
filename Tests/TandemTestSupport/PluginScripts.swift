import Foundation

/// Exec credential plugins that misbehave, as bash scripts. Each writes its pid, and its child's,
/// to the file `pids` beside itself (one per line, appended run after run).
public enum PluginScripts {
    /// Ignores SIGTERM (and so does the child it starts) and never finishes.
    public static let stubborn = #"""
    #!/bin/bash
    trap '' TERM
    echo $$ >> "$(dirname "$0")/pids"
    sleep 300 &
    echo $! >> "$(dirname "$0")/pids"
    while true; do wait; done
    """#

    /// Leaves a child (that ignores SIGTERM) holding its stdout open, then exits 0, having
    /// printed a v1 ExecCredential with token `wrapped-token` when `PRINT` is `yes`, else nothing.
    public static let leakyWrapper = #"""
    #!/bin/bash
    echo $$ >> "$(dirname "$0")/pids"
    (trap '' TERM; exec sleep 300) &
    echo $! >> "$(dirname "$0")/pids"
    if [ "${PRINT:-}" = yes ]; then
      printf '{"apiVersion":"client.authentication.k8s.io/v1","kind":"ExecCredential","status":{"token":"wrapped-token"}}\n'
    fi
    exit 0
    """#
}

/// The processes a plugin script recorded in `directory/pids`.
public struct PluginProcesses: Sendable {
    /// The folder of the script and its `pids` file.
    public let directory: String

    /// Processes recorded in `directory/pids`.
    public init(directory: String) { self.directory = directory }

    /// Every pid recorded so far.
    public var pids: [Int32] {
        let text = FileManager.default.contents(atPath: "\(directory)/pids").map { String(decoding: $0, as: UTF8.self) } ?? ""
        return text.split(separator: "\n").compactMap { Int32($0.trimmingCharacters(in: .whitespaces)) }
    }

    /// The recorded pids still running (a zombie, dead but not reaped, is not).
    public var running: [Int32] { pids.filter(Self.isRunning) }

    /// Whether `pid` is alive, from `/proc`.
    public static func isRunning(_ pid: Int32) -> Bool {
        guard let stat = FileManager.default.contents(atPath: "/proc/\(pid)/stat").map({ String(decoding: $0, as: UTF8.self) }),
              let end = stat.lastIndex(of: ")"), stat.distance(from: end, to: stat.endIndex) > 2 else { return false }
        let state = stat[stat.index(end, offsetBy: 2)]
        return state != "Z" && state != "X"
    }

    /// Kills whatever a failed test left running.
    public func killLeftovers() {
        for pid in running { kill(pid, SIGKILL) }
    }
}

/// Runs `body` with `script` written, executable, as `plugin.sh` into a fresh folder; afterwards
/// kills whatever it recorded as still running and removes the folder.
public func withPluginScript<Result>(_ script: String, _ body: (_ path: String, _ processes: PluginProcesses) async throws -> Result) async throws -> Result {
    let directory = NSTemporaryDirectory() + "tandem-plugin-" + UUID().uuidString
    try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
    let processes = PluginProcesses(directory: directory)
    defer {
        processes.killLeftovers()
        try? FileManager.default.removeItem(atPath: directory)
    }
    let path = "\(directory)/plugin.sh"
    try script.write(toFile: path, atomically: true, encoding: .utf8)
    try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: path)
    return try await body(path, processes)
}
