import Foundation
import KubeEmulator
import SwiftASN1
import Testing
import X509

@Suite("EmulatorPKI certificates")
struct EmulatorPKITests {
    private static func verify(_ leafPEM: String, against pki: EmulatorPKI, serverName: String? = nil, serverIP: String? = nil) async throws -> Bool {
        let ca = try Certificate(pemEncoded: pki.caCertificatePEM)
        let leaf = try Certificate(pemEncoded: leafPEM)
        var verifier = Verifier(rootCertificates: CertificateStore([ca])) {
            RFC5280Policy()
            if serverName != nil || serverIP != nil {
                ServerIdentityPolicy(serverHostname: serverName, serverIP: serverIP)
            }
        }
        let result = await verifier.validate(leaf: leaf, intermediates: CertificateStore())
        if case .validCertificate = result { return true }
        return false
    }

    @Test func servingCertificateVerifiesAgainstTheCAForLoopbackNames() async throws {
        let pki = try EmulatorPKI.generate(clusterName: "dev")
        #expect(try await Self.verify(pki.serverCertificatePEM, against: pki, serverName: "localhost"))
        #expect(try await Self.verify(pki.serverCertificatePEM, against: pki, serverIP: "127.0.0.1"))
        #expect(try await Self.verify(pki.serverCertificatePEM, against: pki, serverIP: "::1"))
        #expect(try await !Self.verify(pki.serverCertificatePEM, against: pki, serverName: "example.com"))
    }

    @Test func servingCertificateCarriesLoopbackAndExtraSANs() throws {
        let pki = try EmulatorPKI.generate(clusterName: "dev", extraServerNames: ["kube.test", "10.1.2.3", "localhost"])
        let certificate = try Certificate(pemEncoded: pki.serverCertificatePEM)
        let names = try #require(try certificate.extensions.subjectAlternativeNames)
        #expect(Array(names) == [
            .ipAddress(ASN1OctetString(contentBytes: [127, 0, 0, 1])),
            .ipAddress(ASN1OctetString(contentBytes: [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1])),
            .dnsName("localhost"),
            .dnsName("kube.test"),
            .ipAddress(ASN1OctetString(contentBytes: [10, 1, 2, 3])),
        ])
        #expect(pki.serverNames == ["127.0.0.1", "::1", "localhost", "kube.test", "10.1.2.3"])
        #expect(try certificate.extensions.extendedKeyUsage?.contains(.serverAuth) == true)
        #expect(try certificate.extensions.basicConstraints == .notCertificateAuthority)
    }

    @Test func caCertificateIsACertificateAuthorityNamedAfterTheCluster() throws {
        let pki = try EmulatorPKI.generate(clusterName: "dev")
        let ca = try Certificate(pemEncoded: pki.caCertificatePEM)
        #expect(try ca.extensions.basicConstraints == .isCertificateAuthority(maxPathLength: 0))
        #expect(try ca.extensions.keyUsage?.keyCertSign == true)
        #expect(ca.subject == ca.issuer)
        #expect(String(describing: ca.subject).contains("CN=dev-ca"))
    }

    @Test func clientCertificateNamesTheUserInCNAndEachGroupInO() async throws {
        let pki = try EmulatorPKI.generate(clusterName: "dev")
        let credentials = try pki.issueClientCertificate(user: "alice", groups: ["system:masters", "dev-team"])
        let certificate = try Certificate(pemEncoded: credentials.certificatePEM)
        #expect(try ClientIdentity(subjectOf: certificate) == ClientIdentity(user: "alice", groups: ["system:masters", "dev-team"]))
        #expect(try certificate.extensions.extendedKeyUsage.map(Array.init) == [.clientAuth])
        #expect(try await Self.verify(credentials.certificatePEM, against: pki))
        #expect(credentials.privateKeyPEM.hasPrefix("-----BEGIN PRIVATE KEY-----"))
    }

    @Test func clientCertificateWithoutGroupsHasOnlyACommonName() throws {
        let pki = try EmulatorPKI.generate(clusterName: "dev")
        let credentials = try pki.issueClientCertificate(user: "bob", groups: [])
        let identity = try ClientIdentity(subjectOf: Certificate(pemEncoded: credentials.certificatePEM))
        #expect(identity == ClientIdentity(user: "bob", groups: []))
    }

    @Test func certificatesFromAnotherCAAreNotTrusted() async throws {
        let pki = try EmulatorPKI.generate(clusterName: "dev")
        let other = try EmulatorPKI.generate(clusterName: "dev")
        let foreign = try other.issueClientCertificate(user: "mallory", groups: [])
        #expect(try await !Self.verify(foreign.certificatePEM, against: pki))
        #expect(try await !Self.verify(other.serverCertificatePEM, against: pki, serverName: "localhost"))
    }

    @Test func emptyUserOrGroupNamesAreRejected() throws {
        let pki = try EmulatorPKI.generate(clusterName: "dev")
        #expect(throws: EmulatorPKIError.emptyUserName) { try pki.issueClientCertificate(user: "", groups: []) }
        #expect(throws: EmulatorPKIError.emptyGroupName(user: "alice")) {
            try pki.issueClientCertificate(user: "alice", groups: ["ok", ""])
        }
    }

    @Test func extraServerNamesThatAreNeitherIPsNorDNSNamesAreRejected() {
        #expect(throws: EmulatorPKIError.invalidServerName("not a host")) {
            try EmulatorPKI.generate(clusterName: "dev", extraServerNames: ["not a host"])
        }
        #expect(throws: EmulatorPKIError.invalidServerName("-bad.example")) {
            try EmulatorPKI.generate(clusterName: "dev", extraServerNames: ["-bad.example"])
        }
    }

    @Test func wildcardExtraServerNamesAreAccepted() throws {
        let pki = try EmulatorPKI.generate(clusterName: "dev", extraServerNames: ["*.apps.test"])
        #expect(pki.serverNames.last == "*.apps.test")
    }

    @Test func errorMessagesNameWhatToFix() {
        #expect(EmulatorPKIError.invalidServerName("a b").description.contains("'a b'"))
        #expect(EmulatorPKIError.emptyGroupName(user: "alice").description.contains("'alice'"))
    }
}
