import FraudServingContract
import Synchronization

/// The checks the CRD's schema makes, repeated in Swift so that objects which never passed
/// an API server (tests, the planner's inputs, older stored objects) are held to the same
/// rules. The patterns are the ones the schema publishes.
public enum FraudModelValidation {
    /// A container image tag: `image.tag`, and `modelVersion`, which is used as one without it.
    public static let imageTagPattern = "^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$"
    /// An image repository path without registry, e.g. `fraud-detector` or `team/fraud-detector`.
    public static let repositoryPattern = "^[a-z0-9]+([._-][a-z0-9]+)*(/[a-z0-9]+([._-][a-z0-9]+)*)*$"
    /// 64 lowercase hex digits.
    public static let sha256Pattern = "^[a-f0-9]{64}$"
    /// An RFC 1123 DNS label (at most 63 characters, checked separately).
    public static let dnsLabelPattern = "^[a-z0-9]([-a-z0-9]*[a-z0-9])?$"
    /// A registry host with optional path, e.g. `123456789012.dkr.ecr.us-east-1.amazonaws.com`.
    public static let registryPattern = "^[A-Za-z0-9]([A-Za-z0-9.:-]*[A-Za-z0-9])?(/[a-z0-9]+([._-][a-z0-9]+)*)*$"
    /// A lowercase DNS name of at least two labels of at most 63 characters each, e.g.
    /// `fraud.api.example.com` (at most 253 characters, checked separately).
    public static let hostnamePattern = "^([a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?\\.)+[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$"

    /// Every problem in `spec`, with field paths; empty when valid.
    public static func problems(in spec: FraudModelSpec) -> [FraudModelDecodingError.Problem] {
        var problems: [FraudModelDecodingError.Problem] = []
        func check(_ ok: Bool, _ field: String, _ message: @autoclosure () -> String) {
            if !ok { problems.append(.init(field: field, message: message())) }
        }
        check(matches(spec.modelVersion, imageTagPattern), "spec.modelVersion",
              "\(quoted(spec.modelVersion)) is not a valid image tag (letters, digits, '_', '.', '-'; at most 128)")
        check(matches(spec.image.repository, repositoryPattern), "spec.image.repository",
              "\(quoted(spec.image.repository)) is not an image repository such as \"fraud-detector\"")
        if let tag = spec.image.tag {
            check(matches(tag, imageTagPattern), "spec.image.tag",
                  "\(quoted(tag)) is not a valid image tag (letters, digits, '_', '.', '-'; at most 128)")
        }
        check(FraudModelDefaults.replicasRange.contains(spec.replicas), "spec.replicas",
              "must be between 0 and 1000, got \(spec.replicas)")
        if let sha = spec.modelSHA256 {
            check(matches(sha, sha256Pattern), "spec.modelSHA256", "must be 64 lowercase hex digits, got \(quoted(sha))")
        }
        if let format = spec.model?.format {
            check(ModelFormat(rawValue: format) != nil, "spec.model.format",
                  "Unsupported value: \(quoted(format)): supported values: \(ModelFormat.names.map(quoted).joined(separator: ", "))")
        }
        problems += storageProblems(in: spec)
        check(spec.threshold >= 0 && spec.threshold <= 1, "spec.threshold", "must be between 0 and 1, got \(spec.threshold)")
        check(FraudModelDefaults.portRange.contains(spec.port), "spec.port", "must be between 1 and 65535, got \(spec.port)")
        check(spec.port != FraudModelDefaults.metricsPort, "spec.port",
              "\(spec.port) is the serving pods' metrics port (METRICS_PORT); choose another")
        var seenClusters: Set<String> = []
        for (index, cluster) in (spec.clusters ?? []).enumerated() {
            let field = "spec.clusters[\(index)]"
            check(isDNSLabel(cluster.name), "\(field).name", "\(quoted(cluster.name)) is not a DNS label (lowercase letters, digits, '-'; at most 63)")
            check(seenClusters.insert(cluster.name).inserted, "\(field).name", "duplicate cluster \(quoted(cluster.name))")
            if let replicas = cluster.replicas {
                check(FraudModelDefaults.replicasRange.contains(replicas), "\(field).replicas", "must be between 0 and 1000, got \(replicas)")
            }
            if let registry = cluster.registry {
                check(matches(registry, registryPattern), "\(field).registry", "\(quoted(registry)) is not a registry such as \"us-central1-docker.pkg.dev/project/repo\"")
            }
        }
        var seenOrder: Set<String> = []
        for (index, name) in (spec.rollout.order ?? []).enumerated() {
            let field = "spec.rollout.order[\(index)]"
            check(isDNSLabel(name), field, "\(quoted(name)) is not a DNS label (lowercase letters, digits, '-'; at most 63)")
            check(seenOrder.insert(name).inserted, field, "duplicate cluster \(quoted(name))")
        }
        check(spec.rollout.bakeSeconds >= 0, "spec.rollout.bakeSeconds", "must be 0 or more, got \(spec.rollout.bakeSeconds)")
        check(spec.rollout.progressDeadlineSeconds >= FraudModelDefaults.minimumProgressDeadlineSeconds,
              "spec.rollout.progressDeadlineSeconds", "must be 1 or more, got \(spec.rollout.progressDeadlineSeconds)")
        if let traffic = spec.traffic { problems += Self.problems(in: traffic) }
        return problems
    }

    /// Every problem in `spec.traffic`, with field paths; empty when valid.
    public static func problems(in traffic: TrafficSpec) -> [FraudModelDecodingError.Problem] {
        var problems: [FraudModelDecodingError.Problem] = []
        func check(_ ok: Bool, _ field: String, _ message: @autoclosure () -> String) {
            if !ok { problems.append(.init(field: field, message: message())) }
        }
        check(isHostname(traffic.hostname), "spec.traffic.hostname",
              "\(quoted(traffic.hostname)) is not a DNS name such as \"fraud.api.example.com\" (lowercase labels of letters, digits, '-'; at most 253)")
        switch (traffic.policy, traffic.primary) {
        case (.failover, nil):
            problems.append(.init(field: "spec.traffic.primary", message: "Required value: policy Failover needs the cluster that takes traffic while healthy"))
        case (_, let primary?):
            check(isDNSLabel(primary), "spec.traffic.primary", "\(quoted(primary)) is not a DNS label (lowercase letters, digits, '-'; at most 63)")
        default:
            break
        }
        for (cluster, weight) in (traffic.weights ?? [:]).sorted(by: { $0.key < $1.key }) {
            let field = "spec.traffic.weights.\(cluster)"
            check(isDNSLabel(cluster), field, "\(quoted(cluster)) is not a cluster name (a DNS label)")
            check(FraudModelDefaults.weightRange.contains(weight), field, "must be between 0 and 255, got \(weight)")
        }
        for key in (traffic.service.annotations ?? [:]).keys.sorted() {
            let field = "spec.traffic.service.annotations[\(key)]"
            check(!key.isEmpty, field, "an annotation key cannot be empty")
            if ExternalDNSAnnotations.isRoutingKey(key) {
                problems.append(.init(field: field, message:
                    "is set by tandem-operator from spec.traffic and cluster health; use spec.traffic.hostname, policy, primary or weights"))
            } else if !ExternalDNSAnnotations.isAllowedInSpec(key) {
                problems.append(.init(field: field, message:
                    "ExternalDNS keys other than \(ExternalDNSAnnotations.specSuffixes.joined(separator: " and ")) would publish DNS records beyond spec.traffic.hostname; they are refused"))
            }
        }
        for (index, range) in (traffic.service.loadBalancerSourceRanges ?? []).enumerated() {
            check(CIDRNotation.isValid(range), "spec.traffic.service.loadBalancerSourceRanges[\(index)]",
                  "\(quoted(range)) is not a CIDR such as \"10.0.0.0/8\" or \"2001:db8::/32\"")
        }
        return problems
    }

    /// True for an RFC 1123 label of at most 63 characters.
    public static func isDNSLabel(_ text: String) -> Bool {
        text.utf8.count <= 63 && matches(text, dnsLabelPattern)
    }

    /// True for a DNS name of `hostnamePattern` of at most 253 characters.
    public static func isHostname(_ text: String) -> Bool {
        text.utf8.count <= FraudModelDefaults.maximumHostnameLength && matches(text, hostnamePattern)
    }

    /// True when all of `text` matches `pattern` (compiled once per pattern, then cached:
    /// validation runs on every reconcile).
    public static func matches(_ text: String, _ pattern: String) -> Bool {
        let regex = compiled.withLock { cache -> Regex<AnyRegexOutput>? in
            if let regex = cache[pattern] { return regex }
            let regex = try? Regex(pattern)
            cache[pattern] = regex
            return regex
        }
        guard let regex else { return false }
        return (try? regex.wholeMatch(in: text)) != nil
    }

    private static let compiled = Mutex<[String: Regex<AnyRegexOutput>]>([:])

    /// `text` in double quotes for a message, cut to 80 characters.
    static func quoted(_ text: String) -> String {
        "\"\(text.count > 80 ? String(text.prefix(80)) + "…" : text)\""
    }
}
