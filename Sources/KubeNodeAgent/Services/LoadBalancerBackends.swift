import KubeAPI
import Synchronization

/// Where the load balancer may send one connection: a pod address and the port the Service's
/// port resolves to in that pod.
package struct LoadBalancerBackend: Sendable, Hashable, Comparable, CustomStringConvertible {
    /// The pod's IPv4 address.
    package var ip: String
    /// The pod's port.
    package var port: Int

    /// A backend from its parts.
    package init(ip: String, port: Int) {
        self.ip = ip
        self.port = port
    }

    package static func < (lhs: Self, rhs: Self) -> Bool { (lhs.ip, lhs.port) < (rhs.ip, rhs.port) }
    package var description: String { "\(ip):\(port)" }
}

/// Reads a Service's backends from its EndpointSlices, the way kube-proxy does.
package enum LoadBalancerBackends {
    /// The TCP backends of each port of the Service, by port name: the first address of every
    /// endpoint that is ready (a missing `ready` counts as ready, as in kube-proxy) and not
    /// terminating, at the port of the same name in its slice. Slices of every manager count, so
    /// hand-written slices of selector-less Services work too.
    package static func backends(of service: JSONValue, slices: [JSONValue]) -> [String: [LoadBalancerBackend]] {
        let namespace = service[path: ["metadata", "namespace"]]
        let name = service[path: ["metadata", "name"]]
        var result: [String: Set<LoadBalancerBackend>] = [:]
        for slice in slices where slice[path: ["metadata", "namespace"]] == namespace
            && slice[path: ["metadata", "labels", EndpointSliceComputation.serviceNameLabel]] == name
            && slice["addressType"] == "IPv4"
        {
            let ports = (slice["ports"]?.arrayValue ?? []).filter { ($0["protocol"]?.stringValue ?? "TCP") == "TCP" }
            for endpoint in slice["endpoints"]?.arrayValue ?? [] {
                let ready = endpoint[path: ["conditions", "ready"]]?.boolValue ?? true
                let terminating = endpoint[path: ["conditions", "terminating"]]?.boolValue ?? false
                guard ready, !terminating, let ip = endpoint["addresses"]?[0]?.stringValue else { continue }
                for port in ports {
                    guard let number = port["port"]?.intValue, (1...65535).contains(number) else { continue }
                    result[port["name"]?.stringValue ?? "", default: []].insert(LoadBalancerBackend(ip: ip, port: Int(number)))
                }
            }
        }
        return result.mapValues { $0.sorted() }
    }
}

/// The backends of every listener, shared between the load balancer's reconcile loop (which
/// replaces them) and the event loops accepting connections (which take the next in turn).
final class BackendRotation: Sendable {
    /// Which listener: a Service (by uid, so a re-created Service starts afresh) and a port name.
    struct Frontend: Hashable, Sendable {
        var serviceUID: String
        var portName: String
    }

    private struct Ring {
        var backends: [LoadBalancerBackend]
        var next = 0
    }

    private let rings = Mutex<[Frontend: Ring]>([:])

    /// Replaces every frontend's backends; a frontend whose list is unchanged keeps its place in
    /// the rotation.
    func replace(with backends: [Frontend: [LoadBalancerBackend]]) {
        rings.withLock { rings in
            var updated: [Frontend: Ring] = [:]
            for (frontend, list) in backends {
                if let ring = rings[frontend], ring.backends == list {
                    updated[frontend] = ring
                } else {
                    updated[frontend] = Ring(backends: list)
                }
            }
            rings = updated
        }
    }

    /// The backends to try for one connection, starting with the next in round-robin order and
    /// wrapping around (the caller takes the first it may connect to). Empty when there is none.
    func candidates(for frontend: Frontend) -> [LoadBalancerBackend] {
        rings.withLock { rings in
            guard var ring = rings[frontend], !ring.backends.isEmpty else { return [] }
            let start = ring.next % ring.backends.count
            ring.next = (start + 1) % ring.backends.count
            rings[frontend] = ring
            return Array(ring.backends[start...] + ring.backends[..<start])
        }
    }
}
