import X509

/// Who a client certificate says its holder is, read the way the Kubernetes x509 authenticator reads it:
/// the subject's common name (CN) is the user, each organization (O) is a group.
public struct ClientIdentity: Sendable, Hashable {
    /// The user name (the certificate subject's CN).
    public var user: String
    /// The groups (the certificate subject's O attributes), in certificate order.
    public var groups: [String]

    /// Creates an identity from its parts.
    public init(user: String, groups: [String]) {
        self.user = user
        self.groups = groups
    }

    /// Reads the identity from a certificate's subject. This does not check who signed the certificate.
    ///
    /// If the subject holds several CNs the first is used.
    /// - Throws: ``EmulatorPKIError/peerCertificateWithoutCommonName(subject:)`` if there is no CN.
    public init(subjectOf certificate: Certificate) throws(EmulatorPKIError) {
        var user: String?
        var groups: [String] = []
        for relativeName in certificate.subject {
            for attribute in relativeName {
                guard let value = String(attribute.value) else { continue }
                switch attribute.type {
                case .RDNAttributeType.commonName where user == nil:
                    user = value
                case .RDNAttributeType.organizationName:
                    groups.append(value)
                default:
                    continue
                }
            }
        }
        guard let user else {
            throw .peerCertificateWithoutCommonName(subject: String(describing: certificate.subject))
        }
        self.init(user: user, groups: groups)
    }
}
