import Foundation

/// Facts read off this machine.
enum HostTools {
    /// Whether `tool` is an executable on PATH.
    static func exists(_ tool: String) -> Bool {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/sbin:/usr/bin:/sbin:/bin"
        return path.split(separator: ":").contains { FileManager.default.isExecutableFile(atPath: "\($0)/\(tool)") }
    }

    /// Every IPv4 prefix configured on the machine: interface addresses and routes in any table.
    static func configuredPrefixes() async throws -> [IPv4Prefix] {
        let addresses = try await HostCommand.check(["ip", "-o", "-4", "addr", "show"])
        let routes = try await HostCommand.check(["ip", "-4", "route", "show", "table", "all"])
        var prefixes: [IPv4Prefix] = []
        for line in addresses.split(separator: "\n") {
            let words = line.split(separator: " ")
            if let index = words.firstIndex(of: "inet"), index + 1 < words.count, let prefix = IPv4Prefix(words[index + 1]) {
                prefixes.append(prefix)
            }
        }
        for line in routes.split(separator: "\n") {
            var words = line.split(separator: " ")
            if let first = words.first, ["unreachable", "blackhole", "prohibit", "local", "broadcast", "unicast"].contains(first) {
                words.removeFirst()
            }
            guard let destination = words.first, destination != "default", let prefix = IPv4Prefix(destination) else { continue }
            // The loopback block's local routes say nothing about the pod network.
            if prefix.address.value >> 24 == 127 { continue }
            prefixes.append(prefix)
        }
        return prefixes
    }
}
