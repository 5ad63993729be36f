import Foundation
import Glibc

/// The node agent's directory under the state root: `<root>/<cluster>-<pid>`, with an `owner`
/// file (pid and start time) so a later agent can tell a live owner from a dead one.
enum StateDirectory {
    /// Makes this process's directory.
    static func create(root: String, clusterName: String) throws -> String {
        let pid = getpid()
        let path = "\(root)/\(clusterName.filter { $0.isLetter || $0.isNumber || $0 == "-" })-\(pid)"
        try FileManager.default.createDirectory(atPath: "\(path)/pods", withIntermediateDirectories: true)
        let start = ProcessLedger.startTime(of: pid).map(String.init) ?? "0"
        try Data("\(pid) \(start)\n".utf8).write(to: URL(fileURLWithPath: "\(path)/owner"))
        return path
    }

    /// Removes the directories of owners that are gone, killing any process group they recorded
    /// that still runs. Returns how many directories were swept.
    static func sweep(root: String) -> Int {
        guard let entries = try? FileManager.default.contentsOfDirectory(atPath: root) else { return 0 }
        var swept = 0
        for entry in entries {
            let path = "\(root)/\(entry)"
            if let owner = try? String(contentsOfFile: "\(path)/owner", encoding: .utf8) {
                let parts = owner.split(whereSeparator: \.isWhitespace)
                if parts.count == 2, let pid = Int32(parts[0]), let start = UInt64(parts[1]), ProcessLedger.startTime(of: pid) == start {
                    continue
                }
            }
            _ = ProcessLedger.killRecorded(in: "\(path)/processes")
            try? FileManager.default.removeItem(atPath: path)
            swept += 1
        }
        return swept
    }
}
