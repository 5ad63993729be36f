import Foundation
import KubeAPI
import Logging
import Synchronization

/// What every pod worker shares: the API server, the network, the images, the logs.
struct KubeletContext: Sendable {
    let cluster: any ClusterAccess
    let network: NodeNetwork
    let catalog: ImageCatalogStore
    let configuration: NodeAgentConfiguration
    let logs: PodLogs
    let ledger: ProcessLedger
    /// Where memory and CPU limits are enforced; nil where the machine offers no cgroup controllers.
    let cgroups: ContainerCgroups?
    /// The kubelet's Events.
    let events: PodEvents
    /// This emulator's own state directory (under the configuration's state root).
    let stateDirectory: String
    let logger: Logger

    var images: ImageCatalog { catalog.current }

    /// The service variables every container gets: the API server's `kubernetes` service.
    var serviceVariables: [(String, String)] {
        guard let endpoint = cluster.inClusterEndpoint else { return [] }
        let address = "tcp://\(endpoint.host):\(endpoint.port)"
        return [
            ("KUBERNETES_SERVICE_HOST", endpoint.host), ("KUBERNETES_SERVICE_PORT", "\(endpoint.port)"),
            ("KUBERNETES_SERVICE_PORT_HTTPS", "\(endpoint.port)"), ("KUBERNETES_PORT", address),
            ("KUBERNETES_PORT_443_TCP", address), ("KUBERNETES_PORT_443_TCP_PROTO", "tcp"),
            ("KUBERNETES_PORT_443_TCP_PORT", "\(endpoint.port)"), ("KUBERNETES_PORT_443_TCP_ADDR", endpoint.host),
        ]
    }
}

/// Records every process group the node agent starts (pid and its start time), in a file under
/// the state directory, so that the next emulator can kill what a crashed one left behind.
final class ProcessLedger: Sendable {
    let path: String
    private let lock = Mutex(())

    init(directory: String) {
        path = "\(directory)/processes"
    }

    /// Notes a process group leader.
    func record(_ pid: Int32) {
        guard let start = Self.startTime(of: pid) else { return }
        lock.withLock { _ in
            guard let handle = FileHandle(forWritingAtPath: path) ?? (FileManager.default.createFile(atPath: path, contents: nil) ? FileHandle(forWritingAtPath: path) : nil) else { return }
            handle.seekToEndOfFile()
            handle.write(Data("\(pid) \(start)\n".utf8))
            try? handle.close()
        }
    }

    /// The start time (clock ticks since boot) of a process, from /proc/PID/stat field 22.
    static func startTime(of pid: Int32) -> UInt64? {
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
              let close = stat.lastIndex(of: ")") else { return nil }
        let fields = stat[stat.index(after: close)...].split(separator: " ")
        return fields.count > 19 ? UInt64(fields[19]) : nil
    }

    /// Kills every process group in a ledger file whose leader is still the process recorded.
    static func killRecorded(in path: String) -> Int {
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else { return 0 }
        var killed = 0
        for line in text.split(separator: "\n") {
            let parts = line.split(separator: " ")
            guard parts.count == 2, let pid = Int32(parts[0]), let start = UInt64(parts[1]), startTime(of: pid) == start else { continue }
            kill(-pid, SIGKILL)
            kill(pid, SIGKILL)
            killed += 1
        }
        return killed
    }
}

/// The image catalog, replaceable at runtime (the admin endpoint).
final class ImageCatalogStore: Sendable {
    private let value: Mutex<ImageCatalog>

    init(_ catalog: ImageCatalog) {
        value = Mutex(catalog)
    }

    var current: ImageCatalog { value.withLock { $0 } }

    func replace(_ catalog: ImageCatalog) { value.withLock { $0 = catalog } }
}
