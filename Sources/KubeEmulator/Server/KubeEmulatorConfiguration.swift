import KubeNodeAgent

/// How a `KubeEmulator` is started. Every default is the one `kube-emulator` uses.
public struct KubeEmulatorConfiguration: Sendable {
    /// The address to listen on. Defaults to `127.0.0.1`.
    public var host = "127.0.0.1"
    /// The port; 0 picks a free one. Defaults to 0.
    public var port = 0
    /// The cluster's name (names its CA). Defaults to `kube`.
    public var name = "kube"
    /// Serve HTTPS with a generated CA. Defaults to false (plain HTTP).
    public var tls = false
    /// The bearer token that authenticates as user `admin`, a cluster admin (group
    /// `system:masters`). Defaults to nil: only service-account tokens are accepted.
    public var token: String?
    /// Authenticate client certificates issued by the emulator's CA (CN = user, O = groups).
    /// Requires `tls`. Defaults to false.
    ///
    /// With `tls`, `token` or this must be set: the emulator refuses to start with no way to
    /// authenticate. Without `tls` (the plain-HTTP port, for tests) loopback callers without
    /// credentials are `system:unsecured` in `system:masters`, as kube-apiserver's former
    /// insecure port; other callers must authenticate.
    public var clientCertificateAuth = false
    /// Watch events kept for replay; resuming from older ones gets 410 Expired. Defaults to 1000.
    public var historySize = 1000
    /// Serve the `/_emulator/` admin endpoint, to cluster admins (`system:masters`) on loopback
    /// addresses only. Defaults to false.
    public var admin = false
    /// How often watches asking for bookmarks get one. Defaults to 60 s.
    public var bookmarkInterval: Duration = .seconds(60)
    /// The largest request body accepted; larger ones get 413. Defaults to 3 MiB, as kube-apiserver.
    public var maxBodyBytes = 3 * 1024 * 1024

    /// Play the deployment/replicaset controllers and the kubelet: simulated pods, rollouts and
    /// Deployment status. Defaults to false.
    public var simulateWorkloads = false
    /// Seconds a simulated pod takes to become ready. Defaults to 0.5.
    public var podReadySeconds = 0.5
    /// A regular expression; containers whose image matches never pull (ImagePullBackOff).
    /// Defaults to nil (every image pulls).
    public var unpullableImages: String?

    /// Run pods for real (`--run-pods`): a node agent starts every pod's containers as processes
    /// in their own network and mount namespaces, maintains Endpoints and EndpointSlices, and
    /// serves `type: LoadBalancer` Services on loopback addresses. Implies the deployment and
    /// replicaset controllers of `simulateWorkloads`. Needs root. Defaults to false.
    public var runPods = false
    /// How the node agent runs pods (images, pod CIDR, back-off). Its cluster name is `name`.
    public var nodeAgent = NodeAgentConfiguration()

    public init() {}

    /// Checks that the settings fit together.
    /// - Throws: ``KubeEmulatorConfigurationError`` naming the setting that is missing.
    public func validate() throws(KubeEmulatorConfigurationError) {
        if clientCertificateAuth && !tls { throw .clientCertificatesNeedTLS }
        if tls && (token ?? "").isEmpty && !clientCertificateAuth { throw .noWayToAuthenticate }
    }
}

/// A `KubeEmulatorConfiguration` whose settings do not fit together.
public enum KubeEmulatorConfigurationError: Error, Sendable, Equatable, CustomStringConvertible {
    /// `clientCertificateAuth` without `tls`.
    case clientCertificatesNeedTLS
    /// `tls` with neither a `token` nor `clientCertificateAuth`: nobody could authenticate.
    case noWayToAuthenticate

    public var description: String {
        switch self {
        case .clientCertificatesNeedTLS:
            return "client-certificate authentication (--client-ca-auth) needs TLS (--tls)"
        case .noWayToAuthenticate:
            return "TLS (--tls) needs a way to authenticate: a bearer token (--token) or client certificates (--client-ca-auth); without one every request would be refused"
        }
    }
}
