import KubeEmulator
import TandemTestSupport
import Testing

/// Real TLS handshakes on 127.0.0.1 between a NIOSSL server built from ``EmulatorPKI`` and a NIOSSL client.
@Suite("EmulatorPKI TLS handshakes")
struct EmulatorPKIHandshakeTests {
    @Test func clientWithoutCertificateConnectsWhenClientCertificatesAreRequested() async throws {
        let pki = try EmulatorPKI.generate(clusterName: "dev")
        try await withDeadline {
            try await IdentityEchoServer.run(pki: pki, requestClientCertificates: true) { port, outcomes in
                let reply = try await IdentityEchoClient.roundTrip(port: port, configuration: IdentityEchoClient.configuration(trusting: pki))
                #expect(reply == "anonymous")
                #expect(await outcomes.first { _ in true } == .identified(nil))
            }
        }
    }

    @Test func clientVerifiesTheServerByItsIPAddress() async throws {
        let pki = try EmulatorPKI.generate(clusterName: "dev")
        try await withDeadline {
            try await IdentityEchoServer.run(pki: pki, requestClientCertificates: false) { port, _ in
                let reply = try await IdentityEchoClient.roundTrip(
                    port: port,
                    serverHostname: nil,
                    configuration: IdentityEchoClient.configuration(trusting: pki)
                )
                #expect(reply == "anonymous")
            }
        }
    }

    @Test func clientWithCASignedCertificateIsIdentified() async throws {
        let pki = try EmulatorPKI.generate(clusterName: "dev")
        let credentials = try pki.issueClientCertificate(user: "alice", groups: ["system:masters", "dev-team"])
        let expected = ClientIdentity(user: "alice", groups: ["system:masters", "dev-team"])
        try await withDeadline {
            try await IdentityEchoServer.run(pki: pki, requestClientCertificates: true) { port, outcomes in
                let reply = try await IdentityEchoClient.roundTrip(
                    port: port,
                    configuration: IdentityEchoClient.configuration(trusting: pki, presenting: credentials)
                )
                #expect(reply == "user=alice groups=system:masters,dev-team")
                #expect(await outcomes.first { _ in true } == .identified(expected))
            }
        }
    }

    @Test func clientWithCertificateFromAnotherCAIsRejected() async throws {
        let pki = try EmulatorPKI.generate(clusterName: "dev")
        let foreign = try EmulatorPKI.generate(clusterName: "dev").issueClientCertificate(user: "mallory", groups: ["system:masters"])
        try await withDeadline {
            try await IdentityEchoServer.run(pki: pki, requestClientCertificates: true) { port, outcomes in
                await #expect(throws: (any Error).self) {
                    try await IdentityEchoClient.roundTrip(
                        port: port,
                        configuration: IdentityEchoClient.configuration(trusting: pki, presenting: foreign)
                    )
                }
                let outcome = await outcomes.first { _ in true }
                guard case .failed(let reason) = outcome else {
                    Issue.record("the server accepted a certificate from another CA: \(String(describing: outcome))")
                    return
                }
                #expect(reason.contains("CERTIFICATE_VERIFY_FAILED") || reason.contains("handshakeFailed"))
            }
        }
    }

    @Test func clientCertificateIsIgnoredWhenClientCertificatesAreNotRequested() async throws {
        let pki = try EmulatorPKI.generate(clusterName: "dev")
        let credentials = try pki.issueClientCertificate(user: "alice", groups: [])
        try await withDeadline {
            try await IdentityEchoServer.run(pki: pki, requestClientCertificates: false) { port, _ in
                let reply = try await IdentityEchoClient.roundTrip(
                    port: port,
                    configuration: IdentityEchoClient.configuration(trusting: pki, presenting: credentials)
                )
                #expect(reply == "anonymous")
            }
        }
    }

    @Test func clientRejectsAServerCertificateFromAnotherCA() async throws {
        let pki = try EmulatorPKI.generate(clusterName: "dev")
        let other = try EmulatorPKI.generate(clusterName: "dev")
        try await withDeadline {
            try await IdentityEchoServer.run(pki: pki, requestClientCertificates: true) { port, outcomes in
                // The client fails the handshake; which error surfaces first (the handshake's, or the write's
                // on the channel the failure closed) is a race, so the server's side is what is checked.
                await #expect(throws: (any Error).self) {
                    try await IdentityEchoClient.roundTrip(port: port, configuration: IdentityEchoClient.configuration(trusting: other))
                }
                let outcome = await outcomes.first { _ in true }
                guard case .failed = outcome else {
                    Issue.record("the handshake succeeded with an untrusted server certificate: \(String(describing: outcome))")
                    return
                }
            }
        }
    }
}
