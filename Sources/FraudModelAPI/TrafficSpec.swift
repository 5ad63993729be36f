/// How clients reach the model: one DNS name answered by every target cluster's Service,
/// routed by Route 53 through ExternalDNS (`spec.traffic`).
///
/// When `spec.traffic` is absent, each cluster gets a plain `ClusterIP` Service and the
/// operator writes no DNS annotations, no `status.traffic` and no `TrafficReady` condition.
///
/// # Guarantees
/// - Traffic follows health: a cluster that is Degraded (stuck on a failed or stalled version;
///   one rolled back to the last good version, every replica ready, serves again), unreachable
///   from the operator, or (with `drainDuringRollout`) between starting a version and serving it ready, gets weight 0
///   (`Weighted`), loses `PRIMARY` to a healthy cluster (`Failover`) or loses its latency record
///   (`Latency`); it gets them back once healthy.
/// - Every cluster is never drained at once: when none is healthy, the last configuration
///   (`status.traffic`) is kept and `TrafficReady` is False saying so.
/// - The FraudModel's readiness never waits for a load balancer address.
///
/// # Caveats
/// - ExternalDNS does not create Route 53 health checks. To fail over faster than the operator
///   notices (a cloud outage also cuts the operator off from that cluster's Service), create a
///   Route 53 health check per cluster endpoint and annotate that cluster's Service with
///   `external-dns.kubernetes.io/aws-health-check-id: <id>` (`kubectl annotate`), or put one
///   id for every cluster in `service.annotations`.
/// - Route 53 takes one `PRIMARY` and one `SECONDARY` record per name: `Failover` suits two
///   clusters. `Latency` needs an AWS region per cluster (configure the AWS region nearest a
///   GKE cluster); a cluster without one gets no latency record.
public struct TrafficSpec: Codable, Sendable, Hashable {
    /// The DNS name clients use, e.g. `fraud.api.example.com` (required; lowercase, at least
    /// two labels, at most 253 characters).
    public var hostname: String
    /// How Route 53 chooses among the clusters. Defaults to `Weighted`.
    public var policy: TrafficPolicy
    /// The cluster that takes all traffic while healthy with `Failover` (required then; a DNS
    /// label). Ignored by the other policies.
    public var primary: String?
    /// Cluster name to Route 53 weight, 0…255, with `Weighted`; clusters not listed get 1.
    public var weights: [String: Int]?
    /// Who can reach the load balancers: `Internal` (the default: the VPC and what is peered
    /// or connected to it) or `Internet`. Only `LoadBalancer` Services have load balancers.
    public var exposure: TrafficExposure
    /// The Service each cluster exposes the model with. Every field has a default.
    public var service: TrafficServiceSpec
    /// Whether a cluster is drained between starting a new version and serving it with every
    /// replica ready. Defaults to true.
    public var drainDuringRollout: Bool

    /// A traffic spec; every defaulted field defaults as documented on `FraudModelDefaults`.
    public init(
        hostname: String, policy: TrafficPolicy = FraudModelDefaults.trafficPolicy, primary: String? = nil,
        weights: [String: Int]? = nil, exposure: TrafficExposure = FraudModelDefaults.trafficExposure,
        service: TrafficServiceSpec = TrafficServiceSpec(), drainDuringRollout: Bool = FraudModelDefaults.drainDuringRollout
    ) {
        self.hostname = hostname
        self.policy = policy
        self.primary = primary
        self.weights = weights
        self.exposure = exposure
        self.service = service
        self.drainDuringRollout = drainDuringRollout
    }

    private enum CodingKeys: String, CodingKey { case hostname, policy, primary, weights, exposure, service, drainDuringRollout }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        hostname = try c.decode(String.self, forKey: .hostname)
        policy = try c.decodeIfPresent(TrafficPolicy.self, forKey: .policy) ?? FraudModelDefaults.trafficPolicy
        primary = try c.decodeIfPresent(String.self, forKey: .primary)
        weights = try c.decodeIfPresent([String: Int].self, forKey: .weights)
        exposure = try c.decodeIfPresent(TrafficExposure.self, forKey: .exposure) ?? FraudModelDefaults.trafficExposure
        service = try c.decodeIfPresent(TrafficServiceSpec.self, forKey: .service) ?? TrafficServiceSpec()
        drainDuringRollout = try c.decodeIfPresent(Bool.self, forKey: .drainDuringRollout) ?? FraudModelDefaults.drainDuringRollout
    }

    /// The weight `cluster` has while healthy with `Weighted`: its entry in `weights`, else 1.
    public func weight(for cluster: String) -> Int {
        weights?[cluster] ?? FraudModelDefaults.unlistedClusterWeight
    }
}

/// The Route 53 routing policy of `spec.traffic.hostname`.
public enum TrafficPolicy: String, Codable, Sendable, Hashable, CaseIterable {
    /// `primary` takes all traffic while healthy; another healthy cluster takes over otherwise
    /// (`aws-failover: PRIMARY|SECONDARY`).
    case failover = "Failover"
    /// Each client goes to the cluster with the lowest latency from it, by the cluster's
    /// configured AWS region (`aws-region`).
    case latency = "Latency"
    /// Traffic is split by `weights` (`aws-weight`).
    case weighted = "Weighted"
}

/// Who can reach the model's load balancers (`spec.traffic.exposure`).
public enum TrafficExposure: String, Codable, Sendable, Hashable, CaseIterable {
    /// Reachable from the cluster's network only (EKS: an internal NLB; GKE: an internal
    /// passthrough Network Load Balancer).
    case `internal` = "Internal"
    /// Reachable from the internet (EKS: an internet-facing NLB; GKE: an external passthrough
    /// Network Load Balancer); narrow it with `service.loadBalancerSourceRanges`.
    case internet = "Internet"
}

/// The Service each cluster exposes the model with (`spec.traffic.service`).
public struct TrafficServiceSpec: Codable, Sendable, Hashable {
    /// The Service type. Defaults to `LoadBalancer`.
    public var type: TrafficServiceType
    /// Annotations added to every cluster's Service. They win over the provider's load
    /// balancer annotations the operator sets; the DNS routing keys (`hostname`,
    /// `set-identifier`, `aws-weight`, `aws-failover`, `aws-region`) are refused here because
    /// the operator sets them from `spec.traffic` and health.
    public var annotations: [String: String]?
    /// The client CIDRs a `LoadBalancer` Service accepts (`spec.loadBalancerSourceRanges`);
    /// nil or empty accepts every address the exposure allows.
    public var loadBalancerSourceRanges: [String]?

    /// A service spec; `type` defaults to `LoadBalancer`.
    public init(type: TrafficServiceType = FraudModelDefaults.trafficServiceType, annotations: [String: String]? = nil,
                loadBalancerSourceRanges: [String]? = nil) {
        self.type = type
        self.annotations = annotations
        self.loadBalancerSourceRanges = loadBalancerSourceRanges
    }

    private enum CodingKeys: String, CodingKey { case type, annotations, loadBalancerSourceRanges }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        type = try c.decodeIfPresent(TrafficServiceType.self, forKey: .type) ?? FraudModelDefaults.trafficServiceType
        annotations = try c.decodeIfPresent([String: String].self, forKey: .annotations)
        loadBalancerSourceRanges = try c.decodeIfPresent([String].self, forKey: .loadBalancerSourceRanges)
    }
}

/// The `spec.type` of the model's Service in each cluster.
public enum TrafficServiceType: String, Codable, Sendable, Hashable, CaseIterable {
    /// A cloud load balancer (EKS: an NLB from the AWS Load Balancer Controller; GKE: an
    /// external passthrough Network Load Balancer).
    case loadBalancer = "LoadBalancer"
    /// Reachable inside the cluster only.
    case clusterIP = "ClusterIP"
    /// A port on every node.
    case nodePort = "NodePort"
}
