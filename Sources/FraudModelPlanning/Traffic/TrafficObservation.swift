#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import FraudModelAPI

/// Everything the traffic planner looks at for one fleet, as observed in one reconcile.
///
/// The planner reads nothing else — no clock, no cluster — so equal observations always give
/// equal plans.
public struct TrafficObservation: Sendable, Hashable {
    /// `spec.traffic` of the fleet's reference copy (the one the rollout planner reads); nil
    /// when the FraudModel has none.
    public var traffic: TrafficSpec?
    /// The target clusters, in the operator configuration's order (`Failover` hands `PRIMARY`
    /// to the first healthy one when the primary is not healthy).
    public var clusters: [TrafficClusterObservation]
    /// The fleet status last written: `status.traffic` is the configuration kept when no
    /// cluster is healthy, and `TrafficReady`'s `lastTransitionTime` only moves when its
    /// status changes.
    public var previousStatus: FraudModelStatus?
    /// The ExternalDNS annotation keys to write. Defaults to the `external-dns.kubernetes.io/`
    /// prefix of ExternalDNS ≥ 0.22; use `ExternalDNSAnnotations(prefix:
    /// ExternalDNSAnnotations.legacyPrefix)` for earlier releases.
    public var externalDNS: ExternalDNSAnnotations
    /// The time of this reconcile.
    public var now: Date

    /// An observation.
    public init(
        traffic: TrafficSpec?, clusters: [TrafficClusterObservation], previousStatus: FraudModelStatus?,
        externalDNS: ExternalDNSAnnotations = ExternalDNSAnnotations(), now: Date
    ) {
        self.traffic = traffic
        self.clusters = clusters
        self.previousStatus = previousStatus
        self.externalDNS = externalDNS
        self.now = now
    }
}

/// One target cluster as the traffic planner sees it: its configuration, its rollout state
/// (from this reconcile's `status.clusters` row) and its Service's load balancer.
public struct TrafficClusterObservation: Sendable, Hashable {
    /// The cluster's name from the operator configuration.
    public var name: String
    /// `aws`, `gcp` or `other`: chooses the load balancer annotations.
    public var provider: String
    /// The configured region; `Latency` needs it to be an AWS region.
    public var region: String?
    /// Whether its API server answered in this reconcile.
    public var reachable: Bool
    /// Its rollout phase.
    public var phase: ClusterPhase?
    /// Why it is in its phase.
    public var message: String?
    /// The version its Deployment should run now.
    public var desiredVersion: String?
    /// The version it serves with every replica ready; nil when none ever has.
    public var servingVersion: String?
    /// Its ready pods; nil when unknown.
    public var readyReplicas: Int?
    /// Its Service's `status.loadBalancer.ingress`; empty until the cloud assigns an address.
    public var loadBalancerIngress: [LoadBalancerIngress]

    /// An observation.
    public init(
        name: String, provider: String = "other", region: String? = nil, reachable: Bool = true, phase: ClusterPhase? = nil,
        message: String? = nil, desiredVersion: String? = nil, servingVersion: String? = nil, readyReplicas: Int? = nil,
        loadBalancerIngress: [LoadBalancerIngress] = []
    ) {
        self.name = name
        self.provider = provider
        self.region = region
        self.reachable = reachable
        self.phase = phase
        self.message = message
        self.desiredVersion = desiredVersion
        self.servingVersion = servingVersion
        self.readyReplicas = readyReplicas
        self.loadBalancerIngress = loadBalancerIngress
    }

    /// The observation of a `status.clusters` row (as the rollout planner just wrote it) and
    /// the cluster's Service ingress.
    public init(_ row: ClusterStatus, loadBalancerIngress: [LoadBalancerIngress] = []) {
        self.init(
            name: row.name, provider: row.provider ?? "other", region: row.region, reachable: row.reachable, phase: row.phase,
            message: row.message, desiredVersion: row.desiredVersion, servingVersion: row.servingVersion,
            readyReplicas: row.readyReplicas, loadBalancerIngress: loadBalancerIngress)
    }
}
