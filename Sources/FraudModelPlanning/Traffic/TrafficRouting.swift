import FraudModelAPI

/// Assigns each cluster its weight, failover role or latency region from its eligibility, or
/// keeps the last configuration when no cluster is eligible. Endpoints are filled in later.
struct TrafficRouting {
    let traffic: TrafficSpec
    let clusters: [TrafficClusterObservation]
    let eligibility: [TrafficEligibility]
    /// `status.traffic` last written.
    let previous: [ClusterTrafficStatus]?

    /// The names of the eligible clusters, in configuration order.
    var eligible: [String] {
        zip(clusters, eligibility).filter { $0.1 == .eligible }.map(\.0.name)
    }

    /// The cluster that holds `PRIMARY` with `Failover` when healthy: `spec.traffic.primary`
    /// when it is a target cluster, else the first cluster.
    var nominalPrimary: String? {
        clusters.contains { $0.name == traffic.primary } ? traffic.primary : clusters.first?.name
    }

    /// With `Failover`, an unreachable cluster whose record is PRIMARY (its last row's role, or
    /// the nominal primary's before any row). Its Service cannot be rewritten, so no other
    /// cluster may take PRIMARY: Route 53 would hold two PRIMARY records. The health check
    /// attached to its record moves traffic to the SECONDARY instead.
    var strandedPrimary: String? {
        guard traffic.policy == .failover else { return nil }
        return zip(clusters, eligibility).first { cluster, eligibility in
            guard case .ineligible(let reason, _) = eligibility, reason == TrafficEligibility.unreachableReason else { return false }
            let last = previous?.first { $0.name == cluster.name }?.role
            return (last ?? (cluster.name == nominalPrimary ? .primary : .secondary)) == .primary
        }?.0.name
    }

    /// One row per cluster, in configuration order, without endpoints.
    func rows() -> [ClusterTrafficStatus] {
        let eligible = eligible
        guard !eligible.isEmpty else { return heldRows() }
        let stranded = strandedPrimary
        let active = stranded ?? eligible.first { $0 == nominalPrimary } ?? eligible[0]
        return zip(clusters, eligibility).map { cluster, eligibility in
            switch eligibility {
            case .eligible: return servingRow(cluster, activePrimary: active, primaryStranded: stranded != nil)
            case .ineligible(let reason, let message): return drainedRow(cluster, reason: reason, message: message, activePrimary: active)
            }
        }
    }

    private func servingRow(_ cluster: TrafficClusterObservation, activePrimary: String, primaryStranded: Bool) -> ClusterTrafficStatus {
        var row = ClusterTrafficStatus(name: cluster.name, state: .serving, reason: "Healthy")
        switch traffic.policy {
        case .weighted:
            let weight = traffic.weight(for: cluster.name)
            row.weight = weight
            if weight == 0 {
                row.state = .standby
                row.reason = "Standby"
                row.message = "spec.traffic.weights gives it weight 0"
            } else {
                row.message = "weight \(weight)" + (traffic.weights?[cluster.name] == nil ? " (not listed in spec.traffic.weights)" : "")
            }
        case .failover:
            if cluster.name == activePrimary {
                row.role = .primary
                row.message = cluster.name == traffic.primary ? "PRIMARY" : "PRIMARY in place of \(primaryDescription)"
            } else if primaryStranded {
                // It takes the traffic once Route 53's health check on the stranded record fails.
                row.role = .secondary
                row.message = "SECONDARY: \(activePrimary) is unreachable and its record stays PRIMARY; Route 53 sends traffic here when the health check on \(activePrimary)'s record fails"
            } else {
                row.role = .secondary
                row.state = .standby
                row.reason = "Standby"
                row.message = "SECONDARY behind \(activePrimary)"
            }
        case .latency:
            row.region = cluster.region
            row.message = "latency record in \(cluster.region ?? "")"
        }
        return row
    }

    private func drainedRow(
        _ cluster: TrafficClusterObservation, reason: String, message: String, activePrimary: String
    ) -> ClusterTrafficStatus {
        var row = ClusterTrafficStatus(name: cluster.name, state: .drained, reason: reason)
        switch traffic.policy {
        case .weighted:
            row.weight = 0
            row.message = "\(message); weight 0 instead of \(traffic.weight(for: cluster.name))"
        case .failover where cluster.name == activePrimary:
            row.role = .primary
            row.message = message + "; its record stays PRIMARY, so no other cluster takes PRIMARY: Route 53 fails over on that record's health check"
        case .failover:
            row.role = .secondary
            row.message = message + (cluster.name == nominalPrimary ? "; PRIMARY goes to \(activePrimary)" : "; SECONDARY")
        case .latency:
            row.message = "\(message); no latency record"
        }
        return row
    }

    /// No cluster is eligible: every cluster keeps its last row's routing when every cluster
    /// has one for this policy, else gets the configuration `spec.traffic` asks for when all
    /// are healthy. Never drains every cluster.
    private func heldRows() -> [ClusterTrafficStatus] {
        let last = lastConfiguration()
        return zip(clusters, eligibility).map { cluster, eligibility in
            var row = last?[cluster.name] ?? nominalRow(cluster)
            row.endpoint = nil
            row.state = .held
            let why: String
            switch eligibility {
            case .eligible:
                row.reason = "Healthy"
                why = "healthy"
            case .ineligible(let reason, let message):
                row.reason = reason
                why = message
            }
            row.message = "\(why); no cluster is healthy, so "
                + (last == nil ? "it keeps the configuration spec.traffic asks for" : "it keeps its last configuration")
            return row
        }
    }

    /// The previous rows by cluster, when every cluster has one written under this policy.
    private func lastConfiguration() -> [String: ClusterTrafficStatus]? {
        let byName = Dictionary((previous ?? []).map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first })
        let rows = clusters.compactMap { byName[$0.name] }
        guard !rows.isEmpty, rows.count == clusters.count else { return nil }
        let samePolicy = rows.allSatisfy { row in
            switch traffic.policy {
            case .weighted: return row.weight != nil
            case .failover: return row.role != nil
            case .latency: return row.weight == nil && row.role == nil
            }
        }
        return samePolicy ? byName : nil
    }

    private func nominalRow(_ cluster: TrafficClusterObservation) -> ClusterTrafficStatus {
        var row = ClusterTrafficStatus(name: cluster.name)
        switch traffic.policy {
        case .weighted: row.weight = traffic.weight(for: cluster.name)
        case .failover: row.role = cluster.name == nominalPrimary ? .primary : .secondary
        case .latency: row.region = TrafficEligibility.isAWSRegion(cluster.region) ? cluster.region : nil
        }
        return row
    }

    private var primaryDescription: String {
        guard let primary = traffic.primary else { return "spec.traffic.primary (unset)" }
        return clusters.contains { $0.name == primary } ? primary : "\(primary) (spec.traffic.primary is not a target cluster)"
    }
}
