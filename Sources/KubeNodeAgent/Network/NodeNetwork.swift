import Foundation
import Glibc
import Logging
import Synchronization

/// The node's pod network: one network namespace of its own (the "node"), joined to the host by
/// a veth pair, with a bridge its pods' veths attach to.
///
/// ```
///  host                      node netns (ip_forward on, no default route)    pod netns
///  kemNNh 10.N.255.1  <-veth->  eth0 10.N.255.2   cbr0 10.N.0.1/17  <-veth->  eth0 10.N.x.y/17
///  route 10.N.0.0/17 via 10.N.255.2 onlink
/// ```
///
/// # Guarantees
/// - The node namespace has no default route: pods reach the host's `10.N.255.1` (where the API
///   server listens for them), each other, and the `--pod-egress` prefixes (routed through the
///   host), nothing else.
/// - The pod network overlaps no address or route configured on the machine when it is made.
/// - Everything ends with the holder process: when it dies (the emulator crashed, or `tearDown`),
///   the namespace, its bridge, both veths and the host route go with it.
final class NodeNetwork: Sendable {
    /// The /16 the network was cut from.
    let cidr: IPv4Prefix
    /// The pods' subnet (the lower /17).
    let podSubnet: IPv4Prefix
    /// The host's end of the link; the API server listens here for pods.
    let hostAddress: IPv4
    /// The bridge's address: the pods' default gateway.
    let gateway: IPv4
    /// The host-side device.
    let hostDevice: String
    /// The process that holds the node namespace.
    let holder: pid_t

    private let allocated = Mutex<Set<IPv4>>([])

    /// Prefixes of the machine the node routes pods to through the host (`--pod-egress`).
    let egress: [IPv4Prefix]

    private init(cidr: IPv4Prefix, hostDevice: String, holder: pid_t, egress: [IPv4Prefix]) {
        self.egress = egress
        self.cidr = cidr
        self.podSubnet = IPv4Prefix(address: cidr.address, length: 17)
        self.hostAddress = IPv4(cidr.address.value | 0xff01)
        self.gateway = cidr.address + 1
        self.hostDevice = hostDevice
        self.holder = holder
    }

    /// Why the pod network could not be made.
    struct SetupError: Error, CustomStringConvertible {
        var description: String
    }

    /// Makes the node namespace and its link to the host. Needs root (CAP_NET_ADMIN, CAP_SYS_ADMIN).
    static func create(requested: String?, egress: [String] = [], logger: Logger) async throws -> NodeNetwork {
        try checkPrerequisites()
        let egressPrefixes = try egress.map { text in
            guard let prefix = IPv4Prefix(text) else {
                throw SetupError(description: "--pod-egress must be an IPv4 CIDR such as 10.202.255.1/32, got \(text)")
            }
            return prefix
        }
        let taken = try await HostTools.configuredPrefixes()
        let candidates: [IPv4Prefix]
        if let requested {
            guard let prefix = IPv4Prefix(requested), prefix.length == 16 else {
                throw SetupError(description: "--pod-cidr must be an IPv4 /16 such as 10.201.0.0/16, got \(requested)")
            }
            if let clash = taken.first(where: { $0.overlaps(prefix) }) {
                throw SetupError(description: "--pod-cidr \(requested) overlaps \(clash), already configured on this machine")
            }
            candidates = [prefix]
        } else {
            candidates = (201...254).map { IPv4Prefix(address: IPv4(UInt32(10) << 24 | UInt32($0) << 16), length: 16) }
                .filter { candidate in !taken.contains { $0.overlaps(candidate) } }
        }
        for cidr in candidates {
            if let own = egressPrefixes.first(where: { $0.overlaps(cidr) }) {
                if requested != nil { throw SetupError(description: "--pod-egress \(own) overlaps the pod network \(cidr) itself") }
                continue
            }
            let device = "kem\(cidr.address.value >> 16 & 0xff)h"
            let holder = try await NamespaceHolder.start(
                ["setpriv", "--pdeathsig", "KILL", "unshare", "--net", "--", "sleep", "infinity"], kinds: ["net"])
            let network = NodeNetwork(cidr: cidr, hostDevice: device, holder: holder, egress: egressPrefixes)
            do {
                try await network.configure()
                logger.info("pod network ready", metadata: ["cidr": "\(cidr)", "device": "\(device)"])
                return network
            } catch {
                await network.tearDown()
                // Another emulator took this prefix between our look and our claim: try the next.
                if requested == nil, "\(error)".contains("File exists") { continue }
                throw error
            }
        }
        throw SetupError(description: "no free /16 for pods in 10.201.0.0–10.254.0.0 on this machine; pass --pod-cidr")
    }

    /// Root and the tools pods are made with; throws saying which is missing.
    static func checkPrerequisites() throws {
        guard geteuid() == 0 else {
            throw SetupError(description: "--run-pods needs root: pods get their own network and mount namespaces (unshare, ip netns, veth); run as root or use --simulate-workloads")
        }
        for tool in ["ip", "nsenter", "unshare", "setpriv", "mount", "chroot"] where !HostTools.exists(tool) {
            throw SetupError(description: "--run-pods needs `\(tool)` on PATH (Debian packages iproute2 and util-linux, coreutils)")
        }
    }

    private var nodeNamespace: String { "--net=/proc/\(holder)/ns/net" }

    private func configure() async throws {
        let node = IPv4(cidr.address.value | 0xff02)
        try await HostCommand.check(["ip", "link", "add", hostDevice, "type", "veth", "peer", "name", "eth0", "netns", "\(holder)"])
        try await HostCommand.check(["ip", "-batch", "-"], input: """
            addr add \(hostAddress)/32 dev \(hostDevice)
            link set \(hostDevice) up
            route add \(podSubnet) via \(node) dev \(hostDevice) onlink

            """)
        try await HostCommand.check(["nsenter", nodeNamespace, "ip", "-batch", "-"], input: """
            link set lo up
            addr add \(node)/32 dev eth0
            link set eth0 up
            route add \(hostAddress)/32 dev eth0
            \(egress.map { "route add \($0) via \(hostAddress) dev eth0" }.joined(separator: "\n"))
            link add cbr0 type bridge
            addr add \(gateway)/17 dev cbr0
            link set cbr0 up

            """)
        try await HostCommand.check(["nsenter", nodeNamespace, "sysctl", "-q", "-w", "net.ipv4.ip_forward=1"])
    }

    /// Whether the network still stands (its holder lives and the host route leads into it).
    var isUp: Bool { kill(holder, 0) == 0 && ProcessSpawner.shared.isRunning(holder) }

    /// Whether `ip` is a pod address of this network, reached through this network's own link.
    func routesLocally(_ text: String) -> Bool {
        guard let ip = IPv4(text), podSubnet.contains(ip), ip != gateway else { return false }
        return isUp
    }

    /// Reserves a free pod address.
    func allocate() throws -> IPv4 {
        try allocated.withLock { used in
            var candidate = gateway + 1
            while podSubnet.contains(candidate), candidate != podSubnet.last {
                if !used.contains(candidate) {
                    used.insert(candidate)
                    return candidate
                }
                candidate = candidate + 1
            }
            throw SetupError(description: "the pod network \(podSubnet) has no free address")
        }
    }

    /// Returns an address to the pool.
    func release(_ ip: IPv4) { _ = allocated.withLock { $0.remove(ip) } }

    /// Joins a pod's network namespace (held by `sandbox`) to the bridge with address `ip`.
    func attach(sandbox: pid_t, ip: IPv4, hostVeth: String) async throws {
        try await HostCommand.check(["nsenter", nodeNamespace, "ip", "-batch", "-"], input: """
            link add \(hostVeth) type veth peer name eth0 netns \(sandbox)
            link set \(hostVeth) master cbr0
            link set \(hostVeth) up

            """)
        try await HostCommand.check(["nsenter", "--net=/proc/\(sandbox)/ns/net", "ip", "-batch", "-"], input: """
            link set lo up
            addr add \(ip)/17 dev eth0
            link set eth0 up
            route add default via \(gateway)

            """)
    }

    /// Ends the node namespace; the kernel removes its devices and the host route with it.
    func tearDown() async {
        kill(holder, SIGKILL)
        _ = await ProcessSpawner.shared.exit(of: holder)
        ProcessSpawner.shared.forget(holder)
    }
}
