import FraudModelAPI

/// Renders one cluster's Service annotations from its `status.traffic` row.
enum TrafficAnnotations {
    /// The provider's load balancer annotations (`LoadBalancer` Services only), then the
    /// ExternalDNS routing annotations, then `spec.traffic.service.annotations`, which win
    /// except over a routing key (under `keys`' prefix or either ExternalDNS prefix); ExternalDNS
    /// keys a spec may not set (`target`…) never pass, even from an object stored unvalidated.
    static func render(
        _ row: ClusterTrafficStatus, cluster: TrafficClusterObservation, traffic: TrafficSpec, keys: ExternalDNSAnnotations
    ) -> [String: String] {
        var annotations = traffic.service.type == .loadBalancer ? LoadBalancerAnnotations.annotations(provider: cluster.provider, exposure: traffic.exposure) : [:]
        annotations.merge(routing(row, traffic: traffic, keys: keys)) { _, routing in routing }
        let reserved = keys.routingKeys
        for (key, value) in traffic.service.annotations ?? [:]
        where !reserved.contains(key) && !ExternalDNSAnnotations.isRoutingKey(key) && ExternalDNSAnnotations.isAllowedInSpec(key) {
            annotations[key] = value
        }
        return annotations
    }

    /// `hostname`, `set-identifier` (the cluster's name) and the policy's key from the row;
    /// nothing when the row has no value for the policy (a drained `Latency` cluster), so that
    /// ExternalDNS removes its record.
    static func routing(_ row: ClusterTrafficStatus, traffic: TrafficSpec, keys: ExternalDNSAnnotations) -> [String: String] {
        let policyKey: (String, String)?
        switch traffic.policy {
        case .weighted: policyKey = row.weight.map { (keys.awsWeight, String($0)) }
        case .failover: policyKey = row.role.map { (keys.awsFailover, $0.rawValue) }
        case .latency: policyKey = row.region.map { (keys.awsRegion, $0) }
        }
        guard let (key, value) = policyKey else { return [:] }
        return [keys.hostname: traffic.hostname, keys.setIdentifier: row.name, key: value]
    }
}
