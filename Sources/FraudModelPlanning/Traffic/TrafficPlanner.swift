import FraudModelAPI
import KubeAPI

/// The traffic planner: a pure function from a fleet's rollout state to each cluster's
/// Service type and annotations, `status.traffic` and the `TrafficReady` condition.
///
/// Each cluster's Service carries ExternalDNS annotations — `hostname`, `set-identifier` (the
/// cluster's name) and `aws-failover`, `aws-region` or `aws-weight` — so that ExternalDNS in
/// each cluster publishes that cluster's Route 53 record of one routing policy.
///
/// A cluster is healthy when it is reachable, not Degraded, serves a version with every
/// replica ready and — with `drainDuringRollout` — is not between starting a version and
/// serving it ready (`Progressing`, `RollingBack`, or its desired version differs from the one
/// it serves). A cluster waiting on a rollout gate (`Pending`) or `Paused` at the version it
/// serves is healthy. `Latency` also needs the cluster's configured region to be an AWS one.
///
/// # Guarantees
/// - Pure and deterministic; never traps.
/// - Without `spec.traffic`: every Service is `ClusterIP` with no annotations, and there is
///   no `status.traffic` and no `TrafficReady`.
/// - An unhealthy cluster gets weight 0 (`Weighted`), `SECONDARY` while the primary role goes
///   to the first healthy cluster in configuration order (`Failover`), or no record
///   (`Latency`); a healthy one gets its configured routing back.
/// - Never drains every cluster: when none is healthy, every cluster keeps its last
///   `status.traffic` routing (or, with none, what `spec.traffic` asks for when all are
///   healthy) and `TrafficReady` is False with reason `NoHealthyCluster`.
/// - `TrafficReady` and the FraudModel's readiness never wait for a load balancer address.
///
/// # Caveats
/// - An unreachable cluster's Service cannot be changed: its own record keeps answering until
///   the operator reaches it again. Only a Route 53 health check (`aws-health-check-id`, which
///   ExternalDNS never creates) takes it out meanwhile: create one per cluster endpoint and
///   `kubectl annotate` that cluster's Service with it.
/// - With `Failover`, Route 53 takes one `PRIMARY` and one `SECONDARY` per name: more than two
///   clusters give more than one `SECONDARY`.
/// - A cluster that rolled back to the last good version after a failed rollout is Degraded
///   and so drained, although it serves; with every cluster Degraded the last configuration
///   is kept.
public enum TrafficPlanner {
    /// Plans the traffic of one reconcile.
    public static func plan(_ observation: TrafficObservation) -> TrafficPlan {
        guard let traffic = observation.traffic else {
            let services = observation.clusters.map { ServiceTraffic.clusterIP($0.name) }
            return TrafficPlan(services: services, traffic: nil, condition: nil)
        }
        let routing = TrafficRouting(
            traffic: traffic, clusters: observation.clusters,
            eligibility: observation.clusters.map { TrafficEligibility.of($0, under: traffic) },
            previous: observation.previousStatus?.traffic)
        let previousEndpoints = Dictionary(
            (observation.previousStatus?.traffic ?? []).map { ($0.name, $0.endpoint) }, uniquingKeysWith: { first, _ in first })
        var rows = routing.rows()
        for (index, cluster) in observation.clusters.enumerated() {
            rows[index].endpoint = cluster.reachable
                ? cluster.loadBalancerIngress.lazy.compactMap(\.address).first
                : previousEndpoints[cluster.name] ?? nil
        }
        let services = zip(observation.clusters, rows).map { cluster, row in
            ServiceTraffic(
                cluster: cluster.name, type: traffic.service.type,
                annotations: TrafficAnnotations.render(row, cluster: cluster, traffic: traffic, keys: observation.externalDNS),
                loadBalancerSourceRanges: traffic.service.type == .loadBalancer ? traffic.service.loadBalancerSourceRanges ?? [] : [])
        }
        let condition = trafficReady(traffic, rows: rows, routing: routing, observation: observation)
        return TrafficPlan(services: services, traffic: rows, condition: condition)
    }

    /// `TrafficReady`: True while any cluster takes traffic, with reason `AllClustersServing`,
    /// `FailedOver` (Failover, the primary is drained) or `ClustersDrained`; False with
    /// `NoHealthyCluster` when the last configuration is held. The message lists every
    /// cluster's routing and notes clusters still without a load balancer address.
    static func trafficReady(
        _ traffic: TrafficSpec, rows: [ClusterTrafficStatus], routing: TrafficRouting, observation: TrafficObservation
    ) -> Condition {
        let status: Condition.Status
        let reason: String
        var message = "\(traffic.hostname) (\(traffic.policy.rawValue)): "
        let summaries = zip(rows, routing.eligibility).map(summary).joined(separator: "; ")
        if rows.isEmpty {
            (status, reason) = (.false, "NoHealthyCluster")
            message += "no target cluster to route to"
        } else if rows.allSatisfy({ $0.state == .held }) {
            (status, reason) = (.false, "NoHealthyCluster")
            message += "no cluster is healthy, keeping the last configuration: " + summaries
        } else {
            let primaryMoved = traffic.policy == .failover && rows.contains { $0.role == .primary && $0.name != routing.nominalPrimary }
            if primaryMoved {
                (status, reason) = (.true, "FailedOver")
            } else if rows.contains(where: { $0.state == .drained }) {
                (status, reason) = (.true, "ClustersDrained")
            } else {
                (status, reason) = (.true, "AllClustersServing")
            }
            message += summaries
        }
        if traffic.service.type == .loadBalancer {
            let waiting = zip(observation.clusters, rows).filter { $0.0.reachable && $0.1.endpoint == nil }.map(\.0.name)
            if !waiting.isEmpty { message += "; no load balancer address yet for \(waiting.joined(separator: ", "))" }
        }
        let condition = Condition(
            type: FraudModelConditions.trafficReady, status: status, reason: reason, message: message,
            lastTransitionTime: Timestamps.format(observation.now))
        var conditions = observation.previousStatus?.conditions ?? []
        conditions.set(condition)
        return conditions[type: FraudModelConditions.trafficReady] ?? condition
    }

    /// `eks weight 50 Serving`, `gke SECONDARY Drained (RollingOut: moving to 2.2.0 …)`: the
    /// routing in effect and, for an unhealthy cluster, why.
    private static func summary(_ row: ClusterTrafficStatus, _ eligibility: TrafficEligibility) -> String {
        let setting = row.weight.map { "weight \($0)" } ?? row.role?.rawValue ?? row.region ?? "no record"
        let text = "\(row.name) \(setting) \(row.state?.rawValue ?? "Unknown")"
        guard case .ineligible(let reason, let why) = eligibility else { return text }
        return "\(text) (\(reason): \(why))"
    }
}
