import FraudModelPlanning
import KubeRuntime

/// The names the operator uses for itself.
enum OperatorIdentity {
    /// `reportingController` of its Events.
    static let reportingController = "tandem.dev/tandem-operator"

    /// The Lease of a managed cluster group: one per set of managed clusters, so that the
    /// instances of one group elect one leader and other groups do not interfere.
    static func leaseName(of configuration: OperatorConfiguration) -> String {
        let managed = configuration.clusters.filter { $0.mode == .manage }.map(\.name).sorted()
        return "tandem-operator-" + StableHash.hex(of: managed.joined(separator: ",").utf8).prefix(8)
    }

    /// Where the Lease lives: the cluster the operator runs in (`inCluster`), else the first managed one.
    static func leaseCluster(of configuration: OperatorConfiguration, clusters: ClusterSet) -> Cluster? {
        let home = configuration.clusters.first { $0.access == .inCluster }
            ?? configuration.clusters.first { $0.mode == .manage }
            ?? configuration.clusters.first
        return home.flatMap { clusters[$0.name] }
    }
}
