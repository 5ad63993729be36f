#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif
import KubeAPI
import NIOCore

/// One Service's share of the load balancer: its loopback address and a listener per TCP port.
struct LoadBalancerFrontend: Sendable {
    /// One listener: a port number and the Service port's name (which picks the backends' port).
    struct Listener: Hashable, Sendable, Comparable {
        var port: Int
        var name: String
        static func < (lhs: Self, rhs: Self) -> Bool { (lhs.port, lhs.name) < (rhs.port, rhs.name) }
    }

    /// `namespace/name`, for logs.
    var service: String
    /// n of `addressPrefix + n`.
    var slot: Int
    /// The address the listeners are bound to.
    var address: String
    /// The open listeners.
    var listeners: [Listener: any Channel]

    /// The TCP listeners a Service asks for; UDP and SCTP ports are not served.
    static func listeners(of service: JSONValue) -> Set<Listener> {
        Set(ServicePortSpec.all(of: service).filter { $0.transport == "TCP" }.map { Listener(port: $0.port, name: $0.name) })
    }

    /// Closes every listener (connections already accepted go on).
    func close() async {
        for channel in listeners.values {
            try? await channel.close()
        }
    }
}

/// Why the load balancer could not serve a Service.
enum LoadBalancerError: Error, CustomStringConvertible {
    /// Every address `prefix + 1…254` has one of the Service's ports in use.
    case addressesExhausted(prefix: String, service: String)
    /// Listening failed for another reason than the port being in use.
    case listenFailed(address: String, port: Int, service: String, underlying: any Error)

    var description: String {
        switch self {
        case .addressesExhausted(let prefix, let service):
            return "no address \(prefix)1…\(prefix)254 has all ports of Service \(service) free; free a port or delete another LoadBalancer Service"
        case .listenFailed(let address, let port, let service, let underlying):
            var message = "cannot listen on \(address):\(port) for Service \(service): \(underlying)"
            if (underlying as? IOError)?.errnoCode == EADDRNOTAVAIL {
                message += " (the address is not on a loopback interface; on macOS add it with `sudo ifconfig lo0 alias \(address)`)"
            } else if (underlying as? IOError)?.errnoCode == EACCES {
                message += " (ports below 1024 need root or CAP_NET_BIND_SERVICE)"
            }
            return message
        }
    }

    /// Whether a bind failed because the address and port are taken (try the next address).
    static func isAddressInUse(_ error: any Error) -> Bool {
        (error as? IOError)?.errnoCode == EADDRINUSE
    }
}

extension TCPForwarder {
    /// Opens `listeners` on `address`; on any failure closes those already opened and rethrows.
    func listenAll(_ listeners: some Sequence<LoadBalancerFrontend.Listener>, address: String,
                   serviceUID: String) async throws -> [LoadBalancerFrontend.Listener: any Channel] {
        var opened: [LoadBalancerFrontend.Listener: any Channel] = [:]
        do {
            for listener in listeners.sorted() {
                let frontend = BackendRotation.Frontend(serviceUID: serviceUID, portName: listener.name)
                opened[listener] = try await listen(host: address, port: listener.port, frontend: frontend)
            }
            return opened
        } catch {
            for channel in opened.values { try? await channel.close() }
            throw error
        }
    }
}
