/// One cluster, user and context to write into a kubeconfig file, all three named ``name``.
///
/// Holds credentials: never log it.
public struct KubeconfigEntry: Sendable, Equatable {
    /// How the user authenticates to the cluster.
    public enum Credentials: Sendable, Equatable {
        /// A bearer token, written as the user's `token`.
        case token(String)
        /// A client certificate and its key, PEM encoded, written base64-encoded as the user's
        /// `client-certificate-data` and `client-key-data`.
        case clientCertificate(certificatePEM: String, privateKeyPEM: String)

        /// The client certificate credentials issued by ``EmulatorPKI/issueClientCertificate(user:groups:)``.
        public static func clientCertificate(_ credentials: ClientCredentials) -> Credentials {
            .clientCertificate(certificatePEM: credentials.certificatePEM, privateKeyPEM: credentials.privateKeyPEM)
        }
    }

    /// The name of the cluster, the user and the context written (the same for all three).
    public var name: String
    /// The API server URL, e.g. `https://127.0.0.1:6443`, written as the cluster's `server`.
    public var server: String
    /// The CA certificate that signed the server's certificate, PEM encoded, written base64-encoded as the
    /// cluster's `certificate-authority-data`. Defaults to nil: the field is omitted and clients use their
    /// system trust store.
    public var certificateAuthorityPEM: String?
    /// How the user authenticates.
    public var credentials: Credentials
    /// The context's default namespace. Defaults to nil: the field is omitted and clients use `default`.
    public var namespace: String?

    /// Creates an entry; see the properties for what each field becomes in the file.
    public init(
        name: String,
        server: String,
        certificateAuthorityPEM: String? = nil,
        credentials: Credentials,
        namespace: String? = nil
    ) {
        self.name = name
        self.server = server
        self.certificateAuthorityPEM = certificateAuthorityPEM
        self.credentials = credentials
        self.namespace = namespace
    }
}
