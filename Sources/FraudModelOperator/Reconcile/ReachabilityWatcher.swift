import FraudModelAPI
import FraudModelPlanning
import KubeRuntime

/// Re-reconciles every fleet when a member becomes reachable or unreachable: a cluster going
/// away produces no watch event, yet every copy's status must show it (`reachable: false`) and
/// the gates that depend on it must hold.
public struct ReachabilityWatcher: Sendable {
    /// How often reachability is looked at. Defaults to 500 ms.
    public var interval: Duration
    private let clusters: ClusterSet
    private let controller: Controller
    private let namespace: String?

    /// A watcher enqueueing into `controller` the FraudModels of `clusters` (in `namespace`, or all).
    public init(clusters: ClusterSet, controller: Controller, namespace: String?, interval: Duration = .milliseconds(500)) {
        self.clusters = clusters
        self.controller = controller
        self.namespace = namespace
        self.interval = interval
    }

    /// Runs until cancelled.
    public func run() async {
        var last = clusters.clusters.map(\.reachability.isReachable)
        while !Task.isCancelled {
            do { try await Task.sleep(for: interval) } catch { return }
            let current = clusters.clusters.map(\.reachability.isReachable)
            guard current != last else { continue }
            last = current
            var fleets: Set<FleetID> = []
            for cluster in clusters.clusters {
                let cache = cluster.informer(for: FraudModelResource.descriptor, namespace: namespace).cache
                for key in cache.keys { fleets.insert(FleetID(key)) }
            }
            for fleet in fleets {
                for name in clusters.names { controller.enqueue(ObjectKey(cluster: name, namespace: fleet.namespace, name: fleet.name)) }
            }
        }
    }
}
