import Foundation
import Glibc
import KubeAPI
import Logging
import Synchronization

/// kube-emulator's node for `--run-pods`: an emulated kubelet that runs every pod's containers
/// as processes in their own network and mount namespaces, the endpoints and endpoint-slice
/// controllers, and a load balancer on loopback addresses for `type: LoadBalancer` Services.
///
/// It talks to the API server only through ``ClusterAccess``.
///
/// # Guarantees
/// - Every process, namespace, veth and mount it makes ends with it: on ``shutdown()``, and on
///   a crash through PR_SET_PDEATHSIG and the kernel's namespace teardown. A state directory
///   left by a crashed agent is swept at the next start.
/// - Nothing is sent to a pod address unless it lies on the agent's own pod network.
public final class NodeAgent: Sendable {
    /// The configuration it was started with.
    public let configuration: NodeAgentConfiguration
    let network: NodeNetwork
    let logs: PodLogs
    let catalog: ImageCatalogStore
    let stateDirectory: String

    /// The pod network's CIDR (`10.201.0.0/16`).
    public var podCIDR: String { "\(network.cidr)" }
    /// The host's address on the pod network, where pods reach the API server.
    public var hostAddress: String { "\(network.hostAddress)" }
    /// The `127.x.y.` prefix load balancer addresses are taken from (one block per pod network).
    public var loadBalancerAddressPrefix: String { "127.\(network.cidr.address.value >> 16 & 0xff).0." }
    /// The container logs the API server's `pods/log` serves.
    public var logSource: any PodLogSource { logs }
    /// Which addresses the API server's proxy may connect to.
    public var addressGuard: any PodAddressGuard { PodNetworkGuard(network: network) }

    /// Makes the pod network and the state directory (sweeping what a crashed agent left).
    /// Throws with a clear message without root or the needed tools.
    public static func prepare(_ configuration: NodeAgentConfiguration, logger: Logger) async throws -> NodeAgent {
        try NodeNetwork.checkPrerequisites()
        let swept = await StateDirectory.sweep(root: configuration.stateRoot)
        if swept > 0 { logger.notice("swept state left by a stopped emulator", metadata: ["directories": "\(swept)"]) }
        let directory = try StateDirectory.create(root: configuration.stateRoot, clusterName: configuration.clusterName)
        let network: NodeNetwork
        do { network = try await NodeNetwork.create(requested: configuration.podCIDR, egress: configuration.podEgress, logger: logger) } catch {
            try? FileManager.default.removeItem(atPath: directory)
            throw error
        }
        return NodeAgent(configuration: configuration, network: network, stateDirectory: directory, logger: logger)
    }

    private let ledger: ProcessLedger
    private let cgroups: ContainerCgroups?
    private let logger: Logger

    private init(configuration: NodeAgentConfiguration, network: NodeNetwork, stateDirectory: String, logger: Logger) {
        self.configuration = configuration
        self.network = network
        self.stateDirectory = stateDirectory
        self.logger = logger
        logs = PodLogs(capacity: configuration.logBytesPerContainer)
        catalog = ImageCatalogStore(configuration.images)
        ledger = ProcessLedger(directory: stateDirectory)
        ledger.record(network.holder)
        cgroups = ContainerCgroups.create(agentName: "kube-emulator-" + URL(fileURLWithPath: stateDirectory).lastPathComponent)
        if let cgroups {
            try? Data(cgroups.roots.joined(separator: "\n").utf8).write(to: URL(fileURLWithPath: "\(stateDirectory)/cgroups"))
        } else {
            logger.notice("memory and CPU limits are not enforced: no writable cgroup v1 memory or cpu controller")
        }
    }

    /// Runs the kubelet against `cluster` until cancelled; on cancellation every pod is killed.
    public func run(cluster: any ClusterAccess) async {
        let context = KubeletContext(cluster: cluster, network: network, catalog: catalog, configuration: configuration,
                                     logs: logs, ledger: ledger, cgroups: cgroups,
                                     events: PodEvents(cluster: cluster, node: configuration.nodeName), stateDirectory: stateDirectory, logger: logger)
        await Kubelet(context: context).run()
    }

    /// Replaces the image catalog (pods waiting in ImagePullBackOff retry with the new one).
    public func setImageCatalog(_ images: ImageCatalog) {
        catalog.replace(images)
    }

    /// The current image catalog.
    public var imageCatalog: ImageCatalog { catalog.current }

    /// Ends the pod network and removes the state directory. Call after `run` has returned.
    public func shutdown() async {
        await network.tearDown()
        _ = ProcessLedger.killRecorded(in: "\(stateDirectory)/processes")
        await cgroups?.removeAll()
        try? FileManager.default.removeItem(atPath: stateDirectory)
    }
}

/// The proxy's rule: only addresses on the agent's own pod network, while it is up.
struct PodNetworkGuard: PodAddressGuard {
    let network: NodeNetwork
    func isLocalPodAddress(_ ip: String) -> Bool { network.routesLocally(ip) }
}
