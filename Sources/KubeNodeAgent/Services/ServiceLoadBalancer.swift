import KubeAPI
import Logging
import NIOCore
import NIOPosix

/// The cloud's load balancer for `type: LoadBalancer` Services, played on loopback addresses:
/// each such Service gets an address `addressPrefix + n` (n in 1…254), a TCP listener there for
/// each of its ports, and `status.loadBalancer.ingress: [{ip, ipMode: VIP}]` so kubectl shows it
/// as EXTERNAL-IP. Each accepted connection is piped to the next ready endpoint (round-robin)
/// of the Service's EndpointSlices, at the port its slice gives for the Service port's name.
///
/// # Guarantees
/// - Connects only to addresses the ``PodAddressGuard`` accepts as local pod addresses.
/// - An endpoint leaves the rotation as soon as its slice marks it not ready or terminating;
///   connections already piped to it go on. No ready endpoint: accepted connections are closed at once.
/// - Addresses are stable: a Service keeps its address while it exists, and after a restart
///   gets the one its status names again when that is free. When a port is in use on an
///   address, the next address is tried.
/// - When a Service stops being `type: LoadBalancer` or is deleted, its listeners close and its
///   `status.loadBalancer` is cleared. On cancellation every listener closes.
///
/// # Caveats
/// - TCP only: UDP and SCTP ports get no listener.
/// - Services with `spec.loadBalancerClass` belong to another load balancer and are left alone.
/// - On Linux all of 127.0.0.0/8 reaches loopback; elsewhere the addresses must be aliased first.
public final class ServiceLoadBalancer: Sendable {
    private let cluster: any ClusterAccess
    private let addressPrefix: String
    private let logger: Logger
    private let rotation = BackendRotation()
    private let forwarder: TCPForwarder

    /// A load balancer for the Services of `cluster`, on `addressPrefix + n` (e.g. `127.201.0.`),
    /// connecting only where `addressGuard` allows. Runs on `eventLoopGroup` (defaults to NIO's
    /// shared singleton group).
    public init(cluster: any ClusterAccess, addressGuard: any PodAddressGuard, addressPrefix: String, logger: Logger,
                eventLoopGroup: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton) {
        self.cluster = cluster
        self.addressPrefix = addressPrefix
        self.logger = logger
        self.forwarder = TCPForwarder(group: eventLoopGroup, rotation: rotation, addressGuard: addressGuard, logger: logger)
    }

    /// Serves LoadBalancer Services until the task is cancelled or the API server stops, then
    /// closes every listener.
    public func run() async {
        var frontends: [String: LoadBalancerFrontend] = [:]
        let changes = cluster.changes(of: [.services, .endpointSlices])
        await ChangeDrivenLoop().run(changes: changes) { await reconcile(&frontends) }
        rotation.replace(with: [:])
        for frontend in frontends.values { await frontend.close() }
    }

    /// One pass: backends, listeners and statuses of every Service; returns whether all succeeded.
    /// `frontends` (by Service uid) is what is being served.
    func reconcile(_ frontends: inout [String: LoadBalancerFrontend]) async -> Bool {
        let services = cluster.list(.services, namespace: nil)
        let slices = cluster.list(.endpointSlices, namespace: nil)
        let served = services.filter(Self.isServed).sorted { slot(fromStatusOf: $0) != nil && slot(fromStatusOf: $1) == nil }

        var backends: [BackendRotation.Frontend: [LoadBalancerBackend]] = [:]
        for service in served {
            let byPortName = LoadBalancerBackends.backends(of: service, slices: slices)
            for listener in LoadBalancerFrontend.listeners(of: service) {
                backends[BackendRotation.Frontend(serviceUID: Self.uid(of: service), portName: listener.name)] = byPortName[listener.name] ?? []
            }
        }
        rotation.replace(with: backends)

        let servedUIDs = Set(served.map(Self.uid(of:)))
        for (uid, frontend) in frontends where !servedUIDs.contains(uid) {
            await frontend.close()
            frontends[uid] = nil
            logger.info("load balancer released", metadata: ["service": "\(frontend.service)", "address": "\(frontend.address)"])
        }

        var succeeded = true
        for service in services where !Self.isServed(service) && slot(fromStatusOf: service) != nil {
            succeeded = writeStatus(of: service, loadBalancer: .emptyObject) && succeeded
        }
        for service in served {
            guard await serve(service, frontends: &frontends), let frontend = frontends[Self.uid(of: service)] else {
                succeeded = false
                continue
            }
            let ingress: JSONValue = [["ip": .string(frontend.address), "ipMode": "VIP"]]
            if service[path: ["status", "loadBalancer", "ingress"]] != ingress {
                succeeded = writeStatus(of: service, loadBalancer: ["ingress": ingress]) && succeeded
            }
        }
        return succeeded
    }

    /// Makes the Service's listeners match its ports, allocating an address if it has none or
    /// if a new port is taken on the current one.
    private func serve(_ service: JSONValue, frontends: inout [String: LoadBalancerFrontend]) async -> Bool {
        let uid = Self.uid(of: service)
        let wanted = LoadBalancerFrontend.listeners(of: service)
        if var frontend = frontends[uid] {
            for (listener, channel) in frontend.listeners where !wanted.contains(listener) {
                try? await channel.close()
                frontend.listeners[listener] = nil
            }
            let missing = wanted.filter { frontend.listeners[$0] == nil }
            do {
                let opened = try await forwarder.listenAll(missing, address: frontend.address, serviceUID: uid)
                frontend.listeners.merge(opened) { _, new in new }
                frontends[uid] = frontend
                return true
            } catch where LoadBalancerError.isAddressInUse(error) {
                await frontend.close()
                frontends[uid] = nil
            } catch {
                frontends[uid] = frontend
                return report(.listenFailed(address: frontend.address, port: missing.first?.port ?? 0,
                                            service: frontend.service, underlying: error))
            }
        }
        return await allocate(service, listeners: wanted, frontends: &frontends, uid: uid)
    }

    private func allocate(_ service: JSONValue, listeners wanted: Set<LoadBalancerFrontend.Listener>,
                          frontends: inout [String: LoadBalancerFrontend], uid: String) async -> Bool {
        let name = Self.displayName(of: service)
        let taken = Set(frontends.values.map(\.slot))
        let preferred = slot(fromStatusOf: service).map { [$0] } ?? []
        for slot in (preferred + Array(1...254)).filter({ !taken.contains($0) }) {
            let address = addressPrefix + String(slot)
            do {
                let opened = try await forwarder.listenAll(wanted, address: address, serviceUID: uid)
                frontends[uid] = LoadBalancerFrontend(service: name, slot: slot, address: address, listeners: opened)
                logger.info("load balancer listening", metadata: [
                    "service": "\(name)", "address": "\(address)",
                    "ports": "\(wanted.sorted().map { String($0.port) }.joined(separator: ","))",
                ])
                return true
            } catch where LoadBalancerError.isAddressInUse(error) {
                continue
            } catch {
                return report(.listenFailed(address: address, port: 0, service: name, underlying: error))
            }
        }
        return report(.addressesExhausted(prefix: addressPrefix, service: name))
    }

    private func writeStatus(of service: JSONValue, loadBalancer: JSONValue) -> Bool {
        var updated = service
        updated[path: ["status", "loadBalancer"]] = loadBalancer
        do {
            _ = try cluster.updateStatus(.services, updated)
            return true
        } catch {
            let level: Logger.Level = error.code == 409 ? .debug : .warning
            logger.log(level: level, "writing the Service's load balancer status failed; retrying", metadata: [
                "service": "\(Self.displayName(of: service))", "error": "\(error)",
            ])
            return false
        }
    }

    private func report(_ error: LoadBalancerError) -> Bool {
        logger.error("\(error)")
        return false
    }

    /// n when the Service's status names an address `addressPrefix + n` (what this load balancer wrote).
    private func slot(fromStatusOf service: JSONValue) -> Int? {
        for entry in service[path: ["status", "loadBalancer", "ingress"]]?.arrayValue ?? [] {
            guard let ip = entry["ip"]?.stringValue, ip.hasPrefix(addressPrefix),
                let slot = Int(ip.dropFirst(addressPrefix.count)), (1...254).contains(slot)
            else { continue }
            return slot
        }
        return nil
    }

    private static func isServed(_ service: JSONValue) -> Bool {
        service[path: ["spec", "type"]] == "LoadBalancer" && (service[path: ["spec", "loadBalancerClass"]]?.isNull ?? true)
    }

    private static func uid(of service: JSONValue) -> String {
        service[path: ["metadata", "uid"]]?.stringValue ?? ""
    }

    private static func displayName(of service: JSONValue) -> String {
        "\(service[path: ["metadata", "namespace"]]?.stringValue ?? "")/\(service[path: ["metadata", "name"]]?.stringValue ?? "")"
    }
}
