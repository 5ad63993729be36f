import Crypto
import Foundation
import SwiftASN1
import X509

/// An in-memory certificate authority for one emulated cluster: a CA, a serving certificate signed by it,
/// and client certificates issued on demand.
///
/// Nothing is written to disk; every key lives only as long as this value. All keys are ECDSA P-256 and
/// every certificate is signed with ECDSA-SHA256, which both BoringSSL (the server) and Go's `crypto/tls`
/// (kubectl, client-go) accept.
///
/// # Guarantees
/// - The serving certificate's subject alternative names always include IP `127.0.0.1`, IP `::1` and
///   DNS `localhost` (``Defaults/serverNames``), followed by the extra names given to ``generate(clusterName:extraServerNames:)``.
/// - Client certificates follow the Kubernetes x509 authenticator's convention: subject CN is the user name,
///   one O attribute per group, extended key usage `clientAuth`.
/// - Certificates are valid from ``Defaults/clockSkewAllowance`` before they were made; the CA for
///   ``Defaults/caValidity``, the others for ``Defaults/leafValidity``.
///
/// # Caveats
/// - A new CA is made on every call to `generate`: clients must be given the new ``caCertificatePEM``
///   (for example through ``KubeconfigWriter``) each time the emulator starts.
public struct EmulatorPKI: Sendable {
    /// The defaults used by ``EmulatorPKI``, in one place.
    public enum Defaults {
        /// How long the CA certificate is valid: 10 years.
        public static let caValidity: TimeInterval = 10 * 365 * 24 * 3600
        /// How long serving and client certificates are valid: 1 year.
        public static let leafValidity: TimeInterval = 365 * 24 * 3600
        /// How far before "now" certificates start being valid, so a peer with a slightly slow clock accepts them: 5 minutes.
        public static let clockSkewAllowance: TimeInterval = 5 * 60
        /// Names the serving certificate is always valid for: `127.0.0.1`, `::1` and `localhost`.
        public static let serverNames: [String] = ["127.0.0.1", "::1", "localhost"]
        /// The organization (O) written into the CA's and the serving certificate's subject: `Tandem kube-emulator`.
        public static let issuerOrganization = "Tandem kube-emulator"
    }

    /// The cluster name this PKI was made for; it appears in the CA's common name (`<clusterName>-ca`).
    public let clusterName: String
    /// Every name the serving certificate is valid for, in SAN order: ``Defaults/serverNames`` then the extra names.
    public let serverNames: [String]
    /// The CA certificate, PEM encoded: what clients put in `certificate-authority-data`.
    public let caCertificatePEM: String
    /// The serving certificate, PEM encoded, signed by the CA.
    public let serverCertificatePEM: String
    /// The serving certificate's private key, PKCS#8 PEM encoded.
    public let serverPrivateKeyPEM: String

    let caCertificate: Certificate
    let caPrivateKey: Certificate.PrivateKey

    /// Creates a new CA and a serving certificate signed by it.
    ///
    /// - Parameters:
    ///   - clusterName: Names the CA (`<clusterName>-ca`) so certificates from different emulated clusters are
    ///     told apart in diagnostics.
    ///   - extraServerNames: More names for the serving certificate, each an IPv4 or IPv6 address or a DNS name
    ///     (a leading `*.` wildcard is allowed). Defaults to none. Duplicates of the defaults are ignored.
    /// - Throws: ``EmulatorPKIError/invalidServerName(_:)`` for a name that is neither an IP nor a DNS name;
    ///   ``EmulatorPKIError/generationFailed(what:reason:)`` if a certificate cannot be built.
    public static func generate(
        clusterName: String,
        extraServerNames: [String] = []
    ) throws(EmulatorPKIError) -> EmulatorPKI {
        var serverNames = Defaults.serverNames
        for name in extraServerNames where !serverNames.contains(name) {
            serverNames.append(name)
        }
        let subjectAlternativeNames = try serverNames.map { name throws(EmulatorPKIError) in
            try CertificateNames.generalName(forServerName: name)
        }

        let now = Date()
        let caKey = P256.Signing.PrivateKey()
        let caName = try attempt("CA subject") {
            try DistinguishedName {
                OrganizationName(Defaults.issuerOrganization)
                CommonName("\(clusterName)-ca")
            }
        }
        let caCertificate = try attempt("CA certificate") {
            try Certificate(
                version: .v3,
                serialNumber: Certificate.SerialNumber(),
                publicKey: Certificate.PublicKey(caKey.publicKey),
                notValidBefore: now - Defaults.clockSkewAllowance,
                notValidAfter: now + Defaults.caValidity,
                issuer: caName,
                subject: caName,
                signatureAlgorithm: .ecdsaWithSHA256,
                extensions: Certificate.Extensions {
                    Critical(BasicConstraints.isCertificateAuthority(maxPathLength: 0))
                    Critical(KeyUsage(digitalSignature: true, keyCertSign: true, cRLSign: true))
                    SubjectKeyIdentifier(hash: Certificate.PublicKey(caKey.publicKey))
                },
                issuerPrivateKey: Certificate.PrivateKey(caKey)
            )
        }

        let serverKey = P256.Signing.PrivateKey()
        let serverSubject = try attempt("serving certificate subject") {
            try DistinguishedName {
                OrganizationName(Defaults.issuerOrganization)
                CommonName("kube-apiserver")
            }
        }
        let serverCertificate = try issueLeaf(
            what: "serving certificate",
            subject: serverSubject,
            publicKey: serverKey.publicKey,
            usage: .serverAuth,
            subjectAlternativeNames: subjectAlternativeNames,
            caCertificate: caCertificate,
            caPrivateKey: Certificate.PrivateKey(caKey),
            now: now
        )

        return EmulatorPKI(
            clusterName: clusterName,
            serverNames: serverNames,
            caCertificatePEM: try pem(of: caCertificate, what: "CA certificate"),
            serverCertificatePEM: try pem(of: serverCertificate, what: "serving certificate"),
            serverPrivateKeyPEM: serverKey.pemRepresentation,
            caCertificate: caCertificate,
            caPrivateKey: Certificate.PrivateKey(caKey)
        )
    }

    /// Issues a client certificate, signed by the CA, that the Kubernetes x509 authenticator reads as `user` in `groups`.
    ///
    /// Each call makes a new key pair; nothing is remembered, so issuing twice for the same user yields two
    /// independent, equally valid credentials.
    ///
    /// - Parameters:
    ///   - user: The user name, written as the subject's common name (CN). Must not be empty.
    ///   - groups: The groups, each written as one organization (O) attribute, in order. May be empty.
    /// - Throws: ``EmulatorPKIError/emptyUserName`` or ``EmulatorPKIError/emptyGroupName(user:)`` for empty
    ///   names; ``EmulatorPKIError/generationFailed(what:reason:)`` if the certificate cannot be built.
    public func issueClientCertificate(user: String, groups: [String]) throws(EmulatorPKIError) -> ClientCredentials {
        guard !user.isEmpty else { throw .emptyUserName }
        guard !groups.contains(where: \.isEmpty) else { throw .emptyGroupName(user: user) }

        let subject = try Self.attempt("client certificate subject for '\(user)'") {
            try DistinguishedName {
                for group in groups {
                    OrganizationName(group)
                }
                CommonName(user)
            }
        }
        let key = P256.Signing.PrivateKey()
        let certificate = try Self.issueLeaf(
            what: "client certificate for '\(user)'",
            subject: subject,
            publicKey: key.publicKey,
            usage: .clientAuth,
            subjectAlternativeNames: [],
            caCertificate: caCertificate,
            caPrivateKey: caPrivateKey,
            now: Date()
        )
        return ClientCredentials(
            certificatePEM: try Self.pem(of: certificate, what: "client certificate for '\(user)'"),
            privateKeyPEM: key.pemRepresentation
        )
    }

    private static func issueLeaf(
        what: String,
        subject: DistinguishedName,
        publicKey: P256.Signing.PublicKey,
        usage: ExtendedKeyUsage.Usage,
        subjectAlternativeNames: [GeneralName],
        caCertificate: Certificate,
        caPrivateKey: Certificate.PrivateKey,
        now: Date
    ) throws(EmulatorPKIError) -> Certificate {
        let certificatePublicKey = Certificate.PublicKey(publicKey)
        return try attempt(what) {
            let caKeyIdentifier = try caCertificate.extensions.subjectKeyIdentifier?.keyIdentifier
            return try Certificate(
                version: .v3,
                serialNumber: Certificate.SerialNumber(),
                publicKey: certificatePublicKey,
                notValidBefore: now - Defaults.clockSkewAllowance,
                notValidAfter: now + Defaults.leafValidity,
                issuer: caCertificate.subject,
                subject: subject,
                signatureAlgorithm: .ecdsaWithSHA256,
                extensions: Certificate.Extensions {
                    Critical(BasicConstraints.notCertificateAuthority)
                    Critical(KeyUsage(digitalSignature: true))
                    try ExtendedKeyUsage([usage])
                    SubjectKeyIdentifier(hash: certificatePublicKey)
                    AuthorityKeyIdentifier(keyIdentifier: caKeyIdentifier)
                    if !subjectAlternativeNames.isEmpty {
                        SubjectAlternativeNames(subjectAlternativeNames)
                    }
                },
                issuerPrivateKey: caPrivateKey
            )
        }
    }

    private static func pem(of certificate: Certificate, what: String) throws(EmulatorPKIError) -> String {
        try attempt(what) { try certificate.serializeAsPEM().pemString }
    }

    /// Runs `body`, turning any error into ``EmulatorPKIError/generationFailed(what:reason:)`` naming `what`.
    static func attempt<T>(_ what: String, _ body: () throws -> T) throws(EmulatorPKIError) -> T {
        do {
            return try body()
        } catch let error as EmulatorPKIError {
            throw error
        } catch {
            throw .generationFailed(what: what, reason: String(describing: error))
        }
    }
}

/// A client certificate and its private key, both PEM encoded, as issued by ``EmulatorPKI/issueClientCertificate(user:groups:)``.
///
/// These are credentials: never log them.
public struct ClientCredentials: Sendable, Equatable {
    /// The client certificate, PEM encoded: what kubeconfig's `client-certificate-data` holds (base64 of this).
    public let certificatePEM: String
    /// The client's private key, PKCS#8 PEM encoded: what kubeconfig's `client-key-data` holds (base64 of this).
    public let privateKeyPEM: String
}
