/// The ExternalDNS annotation keys Tandem writes on each cluster's Service, under a prefix.
///
/// ExternalDNS reads `<prefix>hostname` and `<prefix>set-identifier`, and maps every
/// `<prefix>aws-<name>` key to the Route 53 property `aws/<name>` (its AWS tutorial, "Routing
/// policies" and "Associating DNS records with healthchecks"). ExternalDNS ≥ 0.22 reads
/// `external-dns.kubernetes.io/` by default; earlier releases, or `--annotation-prefix`, the
/// legacy `external-dns.alpha.kubernetes.io/`. Only one prefix is read at a time.
public struct ExternalDNSAnnotations: Sendable, Hashable {
    /// `external-dns.kubernetes.io/`: the default of ExternalDNS ≥ 0.22, and Tandem's.
    public static let currentPrefix = "external-dns.kubernetes.io/"
    /// `external-dns.alpha.kubernetes.io/`: ExternalDNS before 0.22.
    public static let legacyPrefix = "external-dns.alpha.kubernetes.io/"
    /// The key suffixes Tandem sets from `spec.traffic` and cluster health; refused in
    /// `spec.traffic.service.annotations` under either prefix.
    public static let routingSuffixes = ["hostname", "set-identifier", "aws-weight", "aws-failover", "aws-region"]

    /// The prefix, ending in `/`.
    public let prefix: String

    /// The keys under `prefix`. Defaults to `currentPrefix`.
    public init(prefix: String = Self.currentPrefix) {
        self.prefix = prefix
    }

    /// The DNS names of the Service's records (comma-separated).
    public var hostname: String { prefix + "hostname" }
    /// Tells apart the records of one name: Tandem uses the cluster's name.
    public var setIdentifier: String { prefix + "set-identifier" }
    /// The Route 53 weight, 0…255 (weighted routing).
    public var awsWeight: String { prefix + "aws-weight" }
    /// `PRIMARY` or `SECONDARY` (failover routing).
    public var awsFailover: String { prefix + "aws-failover" }
    /// The AWS region of a latency record (latency-based routing).
    public var awsRegion: String { prefix + "aws-region" }
    /// The id of an existing Route 53 health check for the record; ExternalDNS never creates one.
    public var awsHealthCheckID: String { prefix + "aws-health-check-id" }

    /// The keys Tandem sets from `spec.traffic` and cluster health.
    public var routingKeys: Set<String> { Set(Self.routingSuffixes.map { prefix + $0 }) }

    /// The only ExternalDNS key suffixes `spec.traffic.service.annotations` may set: they tune
    /// the records of `spec.traffic.hostname` and publish nothing else.
    public static let specSuffixes = ["aws-health-check-id", "ttl"]

    /// False for a key under either ExternalDNS prefix that a spec may not set: anything but
    /// `specSuffixes` (`target`, `internal-hostname`, `alias`… would publish other records).
    public static func isAllowedInSpec(_ key: String) -> Bool {
        guard let prefix = [currentPrefix, legacyPrefix].first(where: { key.hasPrefix($0) }) else { return true }
        return specSuffixes.contains(String(key.dropFirst(prefix.count)))
    }

    /// True when `key` is a routing key under the current or the legacy prefix.
    public static func isRoutingKey(_ key: String) -> Bool {
        [currentPrefix, legacyPrefix].contains { ExternalDNSAnnotations(prefix: $0).routingKeys.contains(key) }
    }
}
