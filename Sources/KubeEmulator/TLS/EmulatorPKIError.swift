/// Errors raised while generating or using the emulator's in-memory certificate authority.
///
/// Every message names what was being done and what was expected, so it can be shown to a user as is.
public enum EmulatorPKIError: Error, Sendable, Equatable, CustomStringConvertible {
    /// A certificate or key could not be created or encoded; `what` names it, `reason` is the underlying error.
    case generationFailed(what: String, reason: String)
    /// `user` was empty: a client certificate needs a common name, which Kubernetes reads as the user name.
    case emptyUserName
    /// A group name was empty: Kubernetes reads each organization (O) as a group and an empty one is meaningless.
    case emptyGroupName(user: String)
    /// An extra server name was neither an IP address nor a valid DNS name.
    case invalidServerName(String)
    /// The peer's certificate could not be parsed as X.509.
    case unreadablePeerCertificate(reason: String)
    /// The peer's certificate was not signed by this emulator's CA (the TLS configuration did not verify it).
    case peerCertificateNotIssuedByCA(subject: String)
    /// The peer's certificate carries no common name (CN), so it names no user.
    case peerCertificateWithoutCommonName(subject: String)

    public var description: String {
        switch self {
        case .generationFailed(let what, let reason):
            return "could not generate the emulator's \(what): \(reason)"
        case .emptyUserName:
            return "cannot issue a client certificate for an empty user name: pass the user as it should appear in the certificate's CN"
        case .emptyGroupName(let user):
            return "cannot issue a client certificate for user '\(user)': one of its groups is empty; pass only non-empty group names"
        case .invalidServerName(let name):
            return "extra server name '\(name)' is neither an IPv4/IPv6 address nor a DNS name (letters, digits, '-', '.', optional leading '*.')"
        case .unreadablePeerCertificate(let reason):
            return "the client's certificate is not valid X.509: \(reason)"
        case .peerCertificateNotIssuedByCA(let subject):
            return "the client's certificate '\(subject)' was not signed by the emulator's CA; was the server built with makeServerTLSConfiguration(requestClientCertificates: true)?"
        case .peerCertificateWithoutCommonName(let subject):
            return "the client's certificate '\(subject)' has no common name (CN); Kubernetes reads the user name from it"
        }
    }
}
