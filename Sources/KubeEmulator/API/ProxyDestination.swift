import KubeAPI
import NIOCore

/// The name segment of a proxy path, `[SCHEME:]NAME[:PORT]`, split as Go's `SplitSchemeNamePort`
/// does: one to three colon-separated parts, a non-empty name, and a scheme of `http`, `https`
/// or none.
struct ProxyName: Sendable, Equatable {
    /// `http`, `https`, or empty (http).
    var scheme: String
    var name: String
    /// A port number or name; empty when absent.
    var port: String

    init(scheme: String, name: String, port: String) {
        (self.scheme, self.name, self.port) = (scheme, name, port)
    }

    /// Splits `segment`; nil when it is not of that form.
    init?(_ segment: String) {
        let parts = segment.split(separator: ":", omittingEmptySubsequences: false).map(String.init)
        switch parts.count {
        case 1: (scheme, name, port) = ("", parts[0], "")
        case 2: (scheme, name, port) = ("", parts[0], parts[1])
        case 3: (scheme, name, port) = (parts[0], parts[1], parts[2])
        default: return nil
        }
        guard !name.isEmpty, ["", "http", "https"].contains(scheme) else { return nil }
    }
}

/// Where a proxied request goes: an IP address and port on the pod network.
struct ProxyDestination: Sendable, Equatable {
    /// `http` or `https`.
    var scheme: String
    var ip: String
    var port: Int

    /// `IP:PORT`, with brackets around an IPv6 address, as Go's `net.JoinHostPort` writes it.
    var hostPort: String { ip.contains(":") ? "[\(ip)]:\(port)" : "\(ip):\(port)" }

    /// Whether `text` is an IPv4 or IPv6 address.
    static func isIPAddress(_ text: String) -> Bool {
        (try? SocketAddress(ipAddress: text, port: 0)) != nil
    }

    /// The 503 kube-apiserver answers when it cannot reach the destination.
    func unreachable(_ reason: String) -> KubeStatus {
        KubeStatus(code: 503, reason: "ServiceUnavailable", message: "error trying to reach service: dial tcp \(hostPort): \(reason)")
    }
}

/// Where `pods/[SCHEME:]NAME[:PORT]/proxy` leads, as kube-apiserver's pod `ResourceLocation`
/// decides: the pod's IP, the given port (a number, or, beyond kube-apiserver, the name of one of
/// the pod's container ports), else the first declared container port, else 80 (443 for https).
enum PodProxyTarget {
    static func destination(of pod: JSONValue, _ target: ProxyName) throws(KubeStatus) -> ProxyDestination {
        let ip = pod[path: ["status", "podIP"]]?.stringValue ?? ""
        guard ProxyDestination.isIPAddress(ip) else { throw KubeStatus.badRequest("address not allowed") }
        let scheme = target.scheme.isEmpty ? "http" : target.scheme
        let ports = (pod[path: ["spec", "containers"]]?.arrayValue ?? []).flatMap { $0["ports"]?.arrayValue ?? [] }
        let port: Int
        if target.port.isEmpty {
            port = ports.first?["containerPort"]?.intValue.map { Int($0) } ?? (scheme == "https" ? 443 : 80)
        } else if let number = Int(target.port) {
            port = number
        } else if let named = containerPort(named: target.port, in: pod) {
            port = named
        } else {
            throw KubeStatus(code: 503, reason: "ServiceUnavailable",
                             message: "error trying to reach service: dial tcp: lookup tcp/\(target.port): unknown port (pod \(target.name) declares no container port named \"\(target.port)\")")
        }
        guard (1...65_535).contains(port) else {
            throw KubeStatus(code: 503, reason: "ServiceUnavailable",
                             message: "error trying to reach service: dial tcp \(ip):\(port): invalid port")
        }
        return ProxyDestination(scheme: scheme, ip: ip, port: port)
    }

    /// The port a container of `pod` declares under `name`, or nil.
    static func containerPort(named name: String, in pod: JSONValue) -> Int? {
        for container in pod[path: ["spec", "containers"]]?.arrayValue ?? [] {
            for port in container["ports"]?.arrayValue ?? [] where port["name"]?.stringValue == name {
                if let number = port["containerPort"]?.intValue { return Int(number) }
            }
        }
        return nil
    }
}
