import Foundation
import KubeAPI

/// Everything a `KubeClient` needs to talk to one API server: where, how to trust it, who to be,
/// and how to behave. Build it from a kubeconfig context (`fromKubeconfig`), in-cluster files
/// (`inCluster`), or by hand. Its description never shows a credential.
public struct KubeClientConfiguration: Sendable, CustomStringConvertible {
    /// How the server's certificate is verified and which client certificate is presented.
    public struct TLS: Sendable, CustomStringConvertible {
        /// PEM certificates to trust instead of the system roots; nil: system roots.
        public var certificateAuthorityPEM: [UInt8]?
        /// Skip verification entirely (`insecure-skip-tls-verify`); logged as a warning. Defaults to false.
        public var insecureSkipVerify: Bool
        /// The name to verify the server certificate against and send as SNI (`tls-server-name`).
        /// Needs an `HTTPClient` from `KubeClient.makeHTTPClient(for:)`, which maps the name to the
        /// server's address. Caveat: NIOSSL also accepts a certificate naming the dialled IP address.
        public var serverName: String?
        /// A PEM client certificate (chain).
        public var clientCertificatePEM: [UInt8]?
        /// The PEM private key of `clientCertificatePEM`.
        public var clientKeyPEM: [UInt8]?

        /// TLS settings; every option defaults to unset.
        public init(certificateAuthorityPEM: [UInt8]? = nil, insecureSkipVerify: Bool = false, serverName: String? = nil,
                    clientCertificatePEM: [UInt8]? = nil, clientKeyPEM: [UInt8]? = nil) {
            self.certificateAuthorityPEM = certificateAuthorityPEM
            self.insecureSkipVerify = insecureSkipVerify
            self.serverName = serverName
            self.clientCertificatePEM = clientCertificatePEM
            self.clientKeyPEM = clientKeyPEM
        }

        public var description: String {
            "TLS(ca: \(certificateAuthorityPEM == nil ? "system" : "custom"), insecure: \(insecureSkipVerify), serverName: \(serverName ?? "-"), clientCertificate: \(clientCertificatePEM == nil ? "no" : "yes"))"
        }
    }

    /// How requests authenticate. Its description never shows a secret.
    public enum Authentication: Sendable, CustomStringConvertible {
        /// No credential (or a client certificate in `tls`).
        case none
        /// A fixed bearer token.
        case token(String)
        /// A bearer token read from a file and re-read every `rereadInterval` and after a 401
        /// (projected service-account tokens rotate).
        case tokenFile(path: String, rereadInterval: Duration)
        /// HTTP basic authentication.
        case basic(username: String, password: String)
        /// An exec credential plugin (EKS `aws eks get-token`, GKE `gke-gcloud-auth-plugin`).
        case exec(Kubeconfig.ExecConfig)
        /// Any other source of credentials.
        case provider(any CredentialProvider)

        /// True for `.none`.
        var isNone: Bool {
            if case .none = self { return true }
            return false
        }

        public var description: String {
            switch self {
            case .none: return "none"
            case .token: return "token(<redacted>)"
            case .tokenFile(let path, _): return "tokenFile(\(path))"
            case .basic(let username, _): return "basic(\(username), <redacted>)"
            case .exec(let exec): return "exec(\(exec.command))"
            case .provider(let provider): return "provider(\(type(of: provider)))"
            }
        }
    }

    /// The API server URL (`https://host:port`, optionally with a path prefix).
    public var server: String
    /// The namespace of requests that name none. Defaults to `default`.
    public var namespace: String
    /// TLS settings.
    public var tls: TLS
    /// Authentication.
    public var authentication: Authentication
    /// A name for logs and metrics (the kubeconfig context, or `in-cluster`).
    public var name: String
    /// The field manager of every write that names none. Defaults to `tandem`.
    public var fieldManager: String
    /// The `User-Agent`. Defaults to `tandem-kube-client/1.0`.
    public var userAgent: String
    /// The timeout of one attempt. Defaults to 30 s.
    public var requestTimeout: Duration
    /// Retries of failed requests. Defaults to `RetryPolicy()`.
    public var retry: RetryPolicy
    /// A client-side token bucket. Defaults to nil (off, as controller-runtime: rely on the
    /// server's priority and fairness).
    public var rateLimit: RateLimit?
    /// Added to a watch's `timeoutSeconds` to get its idle timeout. Defaults to 5 s.
    public var watchIdleMargin: Duration
    /// The cluster's `client.authentication.k8s.io/exec` extension, passed to exec plugins with
    /// `provideClusterInfo`. Defaults to nil.
    public var execClusterExtension: JSONValue?
    /// Whether `authentication` is used with a plain-`http://` server, where anyone on the
    /// network path can read it. Defaults to `.send` (client-go's `rest.Config`);
    /// `fromKubeconfig` sets `.withhold` (kubectl and clientcmd read a kubeconfig user's
    /// credentials only for TLS servers). The client logs one warning either way.
    public var credentialsOverPlainHTTP: PlainHTTPCredentials

    /// What happens to credentials when the server is plain `http://`.
    public enum PlainHTTPCredentials: Sendable, Hashable {
        /// Sent anyway (client-go's `rest.Config`).
        case send
        /// Not sent: requests are anonymous (kubectl with a kubeconfig).
        case withhold
    }

    /// A configuration for `server`; everything else takes its default.
    public init(server: String, namespace: String = KubeClientDefaults.namespace, tls: TLS = TLS(), authentication: Authentication = .none, name: String? = nil) {
        var trimmed = server
        while trimmed.hasSuffix("/") { trimmed.removeLast() }
        self.server = trimmed
        self.namespace = namespace
        self.tls = tls
        self.authentication = authentication
        self.name = name ?? trimmed
        self.fieldManager = KubeClientDefaults.fieldManager
        self.userAgent = KubeClientDefaults.userAgent
        self.requestTimeout = KubeClientDefaults.requestTimeout
        self.retry = RetryPolicy()
        self.rateLimit = nil
        self.watchIdleMargin = KubeClientDefaults.watchIdleMargin
        self.credentialsOverPlainHTTP = .send
    }

    public var description: String {
        "KubeClientConfiguration(name: \(name), server: \(server), namespace: \(namespace), \(tls), auth: \(authentication))"
    }

    /// The host (and port) of `server`, the `host` label of metrics.
    public var host: String {
        guard let components = URLComponents(string: server), let host = components.host else { return server }
        return components.port.map { "\(host):\($0)" } ?? host
    }
}

// MARK: - From a kubeconfig

extension KubeClientConfiguration {
    /// The configuration of `context` (nil: the current context) in `kubeconfig`.
    /// Certificate and key files are read now; token files and exec plugins when requests need them.
    public static func fromKubeconfig(_ kubeconfig: Kubeconfig, context: String? = nil) throws(KubeClientError) -> KubeClientConfiguration {
        guard let contextName = context ?? kubeconfig.currentContext else {
            throw .configuration("the kubeconfig has no current-context; pass a context (known: \(kubeconfig.contexts.keys.sorted().joined(separator: ", ")))")
        }
        guard let entry = kubeconfig.contexts[contextName] else {
            throw .configuration("context \"\(contextName)\" is not in the kubeconfig (known: \(kubeconfig.contexts.keys.sorted().joined(separator: ", ")))")
        }
        guard let cluster = kubeconfig.clusters[entry.cluster] else {
            throw .configuration("context \"\(contextName)\" names cluster \"\(entry.cluster)\", which is not in the kubeconfig")
        }
        let user = entry.user.isEmpty ? Kubeconfig.User() : kubeconfig.users[entry.user]
        guard let user else { throw .configuration("context \"\(contextName)\" names user \"\(entry.user)\", which is not in the kubeconfig") }

        var tls = TLS(insecureSkipVerify: cluster.insecureSkipTLSVerify, serverName: cluster.tlsServerName)
        if let data = cluster.certificateAuthorityData {
            tls.certificateAuthorityPEM = data
        } else if let path = cluster.certificateAuthority {
            tls.certificateAuthorityPEM = try readFile(path, what: "cluster \"\(entry.cluster)\" certificate-authority")
        }
        if tls.insecureSkipVerify, tls.certificateAuthorityPEM != nil {
            throw .configuration("cluster \"\(entry.cluster)\": specifying a root certificate with insecure-skip-tls-verify is not allowed")
        }
        if let data = user.clientCertificateData {
            tls.clientCertificatePEM = data
        } else if let path = user.clientCertificate {
            tls.clientCertificatePEM = try readFile(path, what: "user \"\(entry.user)\" client-certificate")
        }
        if let data = user.clientKeyData {
            tls.clientKeyPEM = data
        } else if let path = user.clientKey {
            tls.clientKeyPEM = try readFile(path, what: "user \"\(entry.user)\" client-key")
        }
        if (tls.clientCertificatePEM == nil) != (tls.clientKeyPEM == nil) {
            throw .configuration("user \"\(entry.user)\": client-certificate and client-key must be given together")
        }

        let authentication: Authentication
        if user.authProvider != nil {
            throw .configuration("user \"\(entry.user)\": auth-provider \"\(user.authProvider!)\" is not supported; use an exec plugin (e.g. gke-gcloud-auth-plugin)")
        } else if let exec = user.exec {
            authentication = .exec(exec)
        } else if let path = user.tokenFile {
            // client-go: a token file's last read value takes precedence over `token`.
            authentication = .tokenFile(path: path, rereadInterval: KubeClientDefaults.tokenFileRereadInterval)
        } else if let token = user.token, !token.isEmpty {
            authentication = .token(token)
        } else if let username = user.username {
            authentication = .basic(username: username, password: user.password ?? "")
        } else {
            authentication = .none
        }
        var configuration = KubeClientConfiguration(
            server: cluster.server, namespace: entry.namespace ?? KubeClientDefaults.namespace, tls: tls,
            authentication: authentication, name: contextName)
        configuration.execClusterExtension = cluster.execExtension
        configuration.credentialsOverPlainHTTP = .withhold
        return configuration
    }

    /// The configuration of `context` in the kubeconfig at `path`, or in the default files
    /// (`KUBECONFIG`, else `~/.kube/config`) when `path` is nil.
    public static func fromKubeconfig(path: String? = nil, context: String? = nil,
                                      environment: [String: String] = ProcessInfo.processInfo.environment) throws(KubeClientError) -> KubeClientConfiguration {
        let kubeconfig: Kubeconfig
        if let path { kubeconfig = try Kubeconfig(contentsOf: path) } else { kubeconfig = try Kubeconfig.load(environment: environment) }
        return try fromKubeconfig(kubeconfig, context: context)
    }

    /// In-cluster configuration when `KUBERNETES_SERVICE_HOST` is set, the default kubeconfig otherwise
    /// (controller-runtime's `GetConfig` order, without its flags).
    public static func infer(environment: [String: String] = ProcessInfo.processInfo.environment) throws(KubeClientError) -> KubeClientConfiguration {
        if environment["KUBERNETES_SERVICE_HOST"] != nil { return try inCluster(environment: environment) }
        return try fromKubeconfig(environment: environment)
    }

    static func readFile(_ path: String, what: String) throws(KubeClientError) -> [UInt8] {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw .configuration("cannot read \(what) file \(path)")
        }
        return Array(data)
    }
}

// MARK: - In cluster

extension KubeClientConfiguration {
    /// The configuration of a pod's service account: `https://$KUBERNETES_SERVICE_HOST:$KUBERNETES_SERVICE_PORT`,
    /// trusting `ca.crt`, authenticating with `token` (re-read every minute and after a 401:
    /// projected tokens rotate), in the namespace of the `namespace` file.
    ///
    /// - Parameter directory: the service-account directory. Defaults to
    ///   `/var/run/secrets/kubernetes.io/serviceaccount`; tests point it at a temporary one.
    public static func inCluster(directory: String = KubeClientDefaults.serviceAccountDirectory,
                                 environment: [String: String] = ProcessInfo.processInfo.environment) throws(KubeClientError) -> KubeClientConfiguration {
        guard let host = environment["KUBERNETES_SERVICE_HOST"], !host.isEmpty,
              let port = environment["KUBERNETES_SERVICE_PORT"], !port.isEmpty else {
            throw .configuration("not running in a cluster: KUBERNETES_SERVICE_HOST and KUBERNETES_SERVICE_PORT must be set")
        }
        let tokenPath = "\(directory)/token"
        guard FileManager.default.isReadableFile(atPath: tokenPath) else {
            throw .configuration("in-cluster service-account token \(tokenPath) is missing or unreadable")
        }
        let ca = try readFile("\(directory)/ca.crt", what: "in-cluster service-account ca.crt")
        let namespaceText = FileManager.default.contents(atPath: "\(directory)/namespace").map { String(decoding: $0, as: UTF8.self) }
        let namespace = namespaceText?.trimmingCharacters(in: .whitespacesAndNewlines) ?? ""
        let hostPart = host.contains(":") ? "[\(host)]" : host
        return KubeClientConfiguration(
            server: "https://\(hostPart):\(port)", namespace: namespace.isEmpty ? KubeClientDefaults.namespace : namespace,
            tls: TLS(certificateAuthorityPEM: ca),
            authentication: .tokenFile(path: tokenPath, rereadInterval: KubeClientDefaults.tokenFileRereadInterval),
            name: "in-cluster")
    }
}
