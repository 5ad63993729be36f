import Foundation

/// How the node agent runs pods. Every default is the one `kube-emulator --run-pods` uses.
public struct NodeAgentConfiguration: Sendable {
    /// The node's name, written into `spec.nodeName` and endpoints. Defaults to `emulated-node`.
    public var nodeName = "emulated-node"
    /// The cluster's name; names the state directory and the host's network device.
    public var clusterName = "kube"
    /// Where pods' files (volumes, logs, writable layers) live; one subdirectory per running
    /// emulator, swept at the next start if the emulator died. Defaults to `/tmp/kube-emulator-nodes`.
    public var stateRoot = "/tmp/kube-emulator-nodes"
    /// The pod network (an IPv4 /16); nil picks the first of 10.201.0.0/16 … 10.254.0.0/16 that
    /// overlaps no address or route on this machine. Defaults to nil.
    public var podCIDR: String?
    /// IPv4 CIDRs of this machine pods may reach besides their API server and each other
    /// (`--pod-egress`), e.g. another emulator's API server at its pod-network address.
    public var podEgress: [String] = []
    /// What each image reference contains. Defaults to an empty catalog (every pull fails).
    public var images = ImageCatalog()
    /// The first crash-loop back-off; it doubles up to `maxBackoff`. Defaults to 10 s, as kubelet.
    public var initialBackoff: Duration = .seconds(10)
    /// The longest crash-loop back-off. Defaults to 300 s, as kubelet.
    public var maxBackoff: Duration = .seconds(300)
    /// Bytes of output kept per container instance (current and previous). Defaults to 1 MiB.
    public var logBytesPerContainer = 1 << 20
    /// How often pod status is re-examined without any event (probe results, exits). Defaults to 100 ms.
    public var housekeepingInterval: Duration = .milliseconds(100)

    public init() {}

    /// The defaults, in one place.
    public enum Defaults {
        /// The `PATH` of a container whose image sets none (Docker's default).
        public static let path = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
        /// kubelet's default termination grace period: 30 s.
        public static let terminationGracePeriodSeconds = 30
        /// Where the service-account token volume is mounted.
        public static let serviceAccountMountPath = "/var/run/secrets/kubernetes.io/serviceaccount"
        /// The projected token's lifetime: 1 hour (kube-apiserver's default for bound tokens is
        /// 1 h, extended by the kubelet's refresh).
        public static let tokenExpirationSeconds = 3607
    }
}
