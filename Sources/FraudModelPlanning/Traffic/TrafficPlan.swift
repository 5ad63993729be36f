import FraudModelAPI
import KubeAPI

/// What the traffic planner decided for one fleet: each cluster's Service type and
/// annotations, the `status.traffic` rows and the `TrafficReady` condition.
public struct TrafficPlan: Sendable, Hashable {
    /// One per observed cluster, in observation order. Without `spec.traffic`: `ClusterIP`
    /// and no annotations.
    public var services: [ServiceTraffic]
    /// `status.traffic`; nil without `spec.traffic`.
    public var traffic: [ClusterTrafficStatus]?
    /// `TrafficReady`; nil without `spec.traffic`.
    public var condition: Condition?

    /// A plan.
    public init(services: [ServiceTraffic], traffic: [ClusterTrafficStatus]?, condition: Condition?) {
        self.services = services
        self.traffic = traffic
        self.condition = condition
    }

    /// The Service of `cluster`, if it was observed.
    public func service(for cluster: String) -> ServiceTraffic? {
        services.first { $0.cluster == cluster }
    }

    /// Writes the plan into a fleet status (e.g. the rollout plan's): sets `traffic` and the
    /// `TrafficReady` condition after the others, or removes both without `spec.traffic`.
    public func apply(to status: inout FraudModelStatus) {
        status.traffic = traffic
        var conditions = status.conditions ?? []
        conditions.remove(type: FraudModelConditions.trafficReady)
        if let condition { conditions.append(condition) }
        status.conditions = conditions.isEmpty && status.conditions == nil ? nil : conditions
    }
}

/// How one cluster's model Service should look.
///
/// # Guarantees
/// - `annotations` is the complete set the operator owns on that Service: apply it with
///   server-side apply under the operator's field manager, so that keys it no longer sets (a
///   drained `Latency` cluster's records, a policy's old key) are removed, and keys others set
///   (`kubectl annotate … aws-health-check-id=…`) are kept.
public struct ServiceTraffic: Sendable, Hashable {
    /// The member cluster.
    public var cluster: String
    /// The Service's `spec.type`.
    public var type: TrafficServiceType
    /// The provider's load balancer annotations (`LoadBalancer` only), then the ExternalDNS
    /// routing annotations, then `spec.traffic.service.annotations` (which win, except over
    /// the routing keys).
    public var annotations: [String: String]
    /// `spec.loadBalancerSourceRanges` (`LoadBalancer` only; empty: none).
    public var loadBalancerSourceRanges: [String]

    /// A Service's shape.
    public init(cluster: String, type: TrafficServiceType, annotations: [String: String], loadBalancerSourceRanges: [String] = []) {
        self.cluster = cluster
        self.type = type
        self.annotations = annotations
        self.loadBalancerSourceRanges = loadBalancerSourceRanges
    }

    /// A plain `ClusterIP` Service, as every cluster gets without `spec.traffic`.
    public static func clusterIP(_ cluster: String) -> ServiceTraffic {
        ServiceTraffic(cluster: cluster, type: .clusterIP, annotations: [:])
    }
}
