import FraudModelAPI

/// The Service annotations that ask each cloud for a layer-4 load balancer of the requested
/// exposure; set on `LoadBalancer` Services only, below `spec.traffic.service.annotations`, which win.
public enum LoadBalancerAnnotations {
    /// EKS: a Network Load Balancer from the AWS Load Balancer Controller
    /// (`aws-load-balancer-type: external` hands the Service to it), targeting pod IPs,
    /// `internal` or `internet-facing`.
    public static func aws(_ exposure: TrafficExposure) -> [String: String] {
        [
            "service.beta.kubernetes.io/aws-load-balancer-type": "external",
            "service.beta.kubernetes.io/aws-load-balancer-nlb-target-type": "ip",
            "service.beta.kubernetes.io/aws-load-balancer-scheme": exposure == .internet ? "internet-facing" : "internal",
        ]
    }

    /// GKE: an internal passthrough Network Load Balancer, or a backend service-based external one.
    public static func gcp(_ exposure: TrafficExposure) -> [String: String] {
        exposure == .internet ? ["cloud.google.com/l4-rbs": "enabled"] : ["networking.gke.io/load-balancer-type": "Internal"]
    }

    /// The annotations for a cluster of `provider` (`aws`, `gcp`; none for any other).
    public static func annotations(provider: String, exposure: TrafficExposure) -> [String: String] {
        switch provider {
        case "aws": return aws(exposure)
        case "gcp": return gcp(exposure)
        default: return [:]
        }
    }
}
