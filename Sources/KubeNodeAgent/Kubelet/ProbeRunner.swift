import Foundation
import Glibc
import KubeAPI
import NIOCore
import NIOPosix

/// One probe of a container, as its spec says (timings with kubelet's defaults).
struct ProbeSpec: Sendable {
    enum Action: Sendable {
        case httpGet(path: String, port: Int, host: String?, headers: [(String, String)], https: Bool)
        case tcpSocket(port: Int, host: String?)
        case exec([String])
        case unsupported(String)
    }

    var action: Action
    var initialDelay: Duration
    var period: Duration
    var timeout: Duration
    var successThreshold: Int
    var failureThreshold: Int

    /// Reads a probe; named ports resolve against the container's ports.
    init(_ probe: JSONValue, container: JSONValue) {
        func port(_ value: JSONValue?) -> Int {
            if let number = value?.intValue { return Int(number) }
            let name = value?.stringValue ?? ""
            let match = (container["ports"]?.arrayValue ?? []).first { $0["name"]?.stringValue == name }
            return Int(match?["containerPort"]?.intValue ?? 0)
        }
        if let http = probe["httpGet"] {
            let headers = (http["httpHeaders"]?.arrayValue ?? []).map { ($0["name"]?.stringValue ?? "", $0["value"]?.stringValue ?? "") }
            action = .httpGet(path: http["path"]?.stringValue ?? "/", port: port(http["port"]), host: http["host"]?.stringValue,
                              headers: headers, https: http["scheme"]?.stringValue == "HTTPS")
        } else if let tcp = probe["tcpSocket"] {
            action = .tcpSocket(port: port(tcp["port"]), host: tcp["host"]?.stringValue)
        } else if let exec = probe["exec"] {
            action = .exec((exec["command"]?.arrayValue ?? []).compactMap(\.stringValue))
        } else {
            action = .unsupported(probe.objectValue?.keys.sorted().joined(separator: ",") ?? "")
        }
        initialDelay = .seconds(probe["initialDelaySeconds"]?.intValue ?? 0)
        period = .seconds(max(1, probe["periodSeconds"]?.intValue ?? 10))
        timeout = .seconds(max(1, probe["timeoutSeconds"]?.intValue ?? 1))
        successThreshold = Int(max(1, probe["successThreshold"]?.intValue ?? 1))
        failureThreshold = Int(max(1, probe["failureThreshold"]?.intValue ?? 3))
    }
}

/// Runs probes and lifecycle hooks against a container.
struct ProbeRunner: Sendable {
    let podIP: String
    let network: NodeNetwork

    /// Runs the action once: nil on success, else why it failed (kubelet's wording).
    func run(_ action: ProbeSpec.Action, timeout: Duration, pid: pid_t, environment: [(String, String)]) async -> String? {
        switch action {
        case .httpGet(let path, let port, let host, let headers, let https):
            if https { return "HTTPS probes are not supported by kube-emulator --run-pods" }
            return await httpGet(host: host ?? podIP, port: port, path: path, headers: headers, timeout: timeout)
        case .tcpSocket(let port, let host):
            return await tcpConnect(host: host ?? podIP, port: port, timeout: timeout)
        case .exec(let command):
            guard !command.isEmpty else { return "exec probe without a command" }
            do {
                let result = try await ContainerLauncher.exec(in: pid, command: command, environment: environment, timeout: timeout)
                if result.succeeded { return nil }
                let output = (result.stdout + result.stderr).trimmingCharacters(in: .whitespacesAndNewlines)
                return output.isEmpty ? "command \(command) exited with \(result.exit.exitCode)" : output
            } catch {
                return "\(error)"
            }
        case .unsupported(let kind):
            return "unsupported probe handler: \(kind)"
        }
    }

    private func checkedHost(_ host: String) -> String? {
        network.routesLocally(host) ? nil : "probe host \(host) is not on this node's pod network"
    }

    private func tcpConnect(host: String, port: Int, timeout: Duration) async -> String? {
        if let refused = checkedHost(host) { return refused }
        do {
            let channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
                .connectTimeout(.milliseconds(timeout.components.seconds * 1000 + timeout.components.attoseconds / 1_000_000_000_000_000))
                .connect(host: host, port: port).get()
            try? await channel.close()
            return nil
        } catch {
            return "dial tcp \(host):\(port): connect: connection refused"
        }
    }

    private func httpGet(host: String, port: Int, path: String, headers: [(String, String)], timeout: Duration) async -> String? {
        if let refused = checkedHost(host) { return refused }
        let url = "http://\(host):\(port)\(path)"
        do {
            return try await withThrowingTaskGroup(of: String?.self) { group in
                group.addTask { try await Self.fetchStatus(host: host, port: port, path: path, headers: headers, url: url, timeout: timeout) }
                group.addTask {
                    try await Task.sleep(for: timeout)
                    return "Get \"\(url)\": context deadline exceeded (Client.Timeout exceeded while awaiting headers)"
                }
                let first = try await group.next() ?? nil
                group.cancelAll()
                return first
            }
        } catch {
            return "Get \"\(url)\": dial tcp \(host):\(port): connect: connection refused"
        }
    }

    private static func fetchStatus(host: String, port: Int, path: String, headers: [(String, String)], url: String,
                                    timeout: Duration) async throws -> String? {
        let channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .connectTimeout(.milliseconds(timeout.components.seconds * 1000 + timeout.components.attoseconds / 1_000_000_000_000_000))
            .connect(host: host, port: port) { channel in
                channel.eventLoop.makeCompletedFuture { try NIOAsyncChannel<ByteBuffer, ByteBuffer>(wrappingChannelSynchronously: channel) }
            }
        var request = "GET \(path) HTTP/1.1\r\nHost: \(host):\(port)\r\nUser-Agent: kube-probe/1.32\r\nAccept: */*\r\nConnection: close\r\n"
        for (name, value) in headers { request += "\(name): \(value)\r\n" }
        request += "\r\n"
        return try await channel.executeThenClose { inbound, outbound in
            try await outbound.write(ByteBuffer(string: request))
            var received = [UInt8]()
            for try await var chunk in inbound {
                received += chunk.readBytes(length: chunk.readableBytes) ?? []
                if let end = received.firstIndex(of: UInt8(ascii: "\n")) {
                    let line = String(decoding: received[..<end], as: UTF8.self)
                    let parts = line.split(separator: " ")
                    guard parts.count >= 2, let code = Int(parts[1]) else { return "Get \"\(url)\": malformed HTTP response \"\(line)\"" }
                    return (200..<400).contains(code) ? nil : "HTTP probe failed with statuscode: \(code)"
                }
                if received.count > 8192 { break }
            }
            return "Get \"\(url)\": EOF"
        }
    }
}
