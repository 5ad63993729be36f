/// Every default of `KubeClient`, in one place.
public enum KubeClientDefaults {
    /// The namespace when the context names none: `default`.
    public static let namespace = "default"
    /// The field manager set on every write: `tandem`.
    public static let fieldManager = "tandem"
    /// The `User-Agent` prefix: `tandem-kube-client/1.0`.
    public static let userAgent = "tandem-kube-client/1.0"
    /// The timeout of one request attempt (head and body; watches: until the response head): 30 s.
    public static let requestTimeout: Duration = .seconds(30)
    /// What a watch adds to its `timeoutSeconds` before declaring an idle connection dead: 5 s (kube-rs).
    public static let watchIdleMargin: Duration = .seconds(5)
    /// How long a service-account token file is cached before it is read again: 60 s (client-go).
    public static let tokenFileRereadInterval: Duration = .seconds(60)
    /// The longest an exec plugin may run: 2 minutes. A request waits for it at most its own
    /// `requestTimeout`.
    public static let execTimeout: Duration = .seconds(120)
    /// How long an exec plugin's process group has to exit after SIGTERM before SIGKILL: 2 s.
    public static let execTerminationGrace: Duration = .seconds(2)
    /// How long a finished exec plugin's output pipes may stay open (held by a child it left
    /// behind) before that child is killed and the output read so far is used: 500 ms.
    public static let execOutputGrace: Duration = .milliseconds(500)
    /// The largest response body read: 256 MiB.
    public static let maxResponseBytes = 256 * 1024 * 1024
    /// The in-cluster service-account directory.
    public static let serviceAccountDirectory = "/var/run/secrets/kubernetes.io/serviceaccount"
}
