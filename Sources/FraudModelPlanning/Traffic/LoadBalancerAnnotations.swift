/// The Service annotations that ask each cloud for an external layer-4 load balancer; set on
/// `LoadBalancer` Services only, below `spec.traffic.service.annotations`, which win.
public enum LoadBalancerAnnotations {
    /// EKS: an internet-facing Network Load Balancer from the AWS Load Balancer Controller
    /// (`aws-load-balancer-type: external` hands the Service to it), targeting pod IPs.
    public static let aws: [String: String] = [
        "service.beta.kubernetes.io/aws-load-balancer-type": "external",
        "service.beta.kubernetes.io/aws-load-balancer-nlb-target-type": "ip",
        "service.beta.kubernetes.io/aws-load-balancer-scheme": "internet-facing",
    ]
    /// GKE: a backend service-based external passthrough Network Load Balancer.
    public static let gcp: [String: String] = [
        "cloud.google.com/l4-rbs": "enabled",
    ]

    /// The annotations for a cluster of `provider` (`aws`, `gcp`; none for any other).
    public static func annotations(provider: String) -> [String: String] {
        switch provider {
        case "aws": return aws
        case "gcp": return gcp
        default: return [:]
        }
    }
}
