/// One target cluster's row in `status.traffic`: where its Service answers, the routing in
/// effect and why.
public struct ClusterTrafficStatus: Codable, Sendable, Hashable {
    /// The member cluster's name (also its ExternalDNS `set-identifier`).
    public var name: String
    /// The Service's load balancer hostname or IP once the cloud reports one; nil until then
    /// (an emulator never reports one, and nothing waits for it).
    public var endpoint: String?
    /// The Route 53 weight in effect (`Weighted`).
    public var weight: Int?
    /// The failover role in effect (`Failover`).
    public var role: FailoverRole?
    /// The AWS region of its latency record (`Latency`); nil when it has none.
    public var region: String?
    /// Whether it takes traffic.
    public var state: TrafficState?
    /// Why, CamelCase: `Healthy`, `Degraded`, `Unreachable`, `RollingOut`, `NotServing`,
    /// `NoRegion`, `Standby`.
    public var reason: String?
    /// The detail of `reason`, naming versions and settings.
    public var message: String?

    /// A row.
    public init(
        name: String, endpoint: String? = nil, weight: Int? = nil, role: FailoverRole? = nil, region: String? = nil,
        state: TrafficState? = nil, reason: String? = nil, message: String? = nil
    ) {
        self.name = name
        self.endpoint = endpoint
        self.weight = weight
        self.role = role
        self.region = region
        self.state = state
        self.reason = reason
        self.message = message
    }

    private enum CodingKeys: String, CodingKey { case name, endpoint, weight, role, region, state, reason, message }

    /// Decodes leniently, as `FraudModelStatus` does: a field of the wrong type reads as absent.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        name = try c.decode(String.self, forKey: .name)
        endpoint = try? c.decodeIfPresent(String.self, forKey: .endpoint)
        weight = try? c.decodeIfPresent(Int.self, forKey: .weight)
        role = try? c.decodeIfPresent(FailoverRole.self, forKey: .role)
        region = try? c.decodeIfPresent(String.self, forKey: .region)
        state = try? c.decodeIfPresent(TrafficState.self, forKey: .state)
        reason = try? c.decodeIfPresent(String.self, forKey: .reason)
        message = try? c.decodeIfPresent(String.self, forKey: .message)
    }
}

/// A Route 53 failover record's role (`aws-failover`).
public enum FailoverRole: String, Codable, Sendable, Hashable, CaseIterable {
    /// Answers while its health allows.
    case primary = "PRIMARY"
    /// Answers when the primary cannot.
    case secondary = "SECONDARY"
}

/// Whether a cluster takes traffic.
public enum TrafficState: String, Codable, Sendable, Hashable, CaseIterable {
    /// Takes traffic: a positive weight, the `PRIMARY` role, or a latency record.
    case serving = "Serving"
    /// Healthy but takes none: a `SECONDARY`, or a configured weight of 0.
    case standby = "Standby"
    /// Unhealthy: weight 0, `SECONDARY`, or no latency record.
    case drained = "Drained"
    /// Unhealthy, but no cluster is healthy: its last configuration is kept.
    case held = "Held"
}
