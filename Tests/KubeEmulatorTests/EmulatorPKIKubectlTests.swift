import Foundation
import KubeEmulator
import TandemTestSupport
import Testing

/// kubectl (Go's crypto/tls) against a NIOSSL server built from ``EmulatorPKI``, with credentials written
/// by ``KubeconfigWriter``: the serving certificate, the optional client certificate request and the
/// kubeconfig format all have to suit the real client.
@Suite("EmulatorPKI with kubectl", .enabled(if: ProcessRunner.hasKubectl, "needs kubectl at /usr/bin/kubectl"))
struct EmulatorPKIKubectlTests {
    private static func kubectlRaw(port: Int, pki: EmulatorPKI, credentials: KubeconfigEntry.Credentials) async throws -> ProcessResult {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let kubeconfig = directory.file("config")
        try KubeconfigWriter.merge(
            KubeconfigEntry(
                name: "emulator",
                server: "https://127.0.0.1:\(port)",
                certificateAuthorityPEM: pki.caCertificatePEM,
                credentials: credentials
            ),
            into: kubeconfig
        )
        return try await ProcessRunner.run(
            ProcessRunner.kubectlPath,
            ["get", "--raw", "/whoami", "--request-timeout=20s"],
            environment: ["KUBECONFIG": kubeconfig]
        )
    }

    @Test func kubectlWithATokenConnectsWithoutAClientCertificate() async throws {
        let pki = try EmulatorPKI.generate(clusterName: "dev")
        try await withDeadline(.seconds(60)) {
            try await IdentityEchoServer.run(pki: pki, requestClientCertificates: true, http: true) { port, _ in
                let result = try await Self.kubectlRaw(port: port, pki: pki, credentials: .token("secret-token"))
                #expect(result.status == 0, "kubectl failed: \(result.standardError)")
                #expect(result.standardOutput == "anonymous")
            }
        }
    }

    @Test func kubectlWithAClientCertificateIsIdentified() async throws {
        let pki = try EmulatorPKI.generate(clusterName: "dev")
        let credentials = try pki.issueClientCertificate(user: "alice", groups: ["system:masters"])
        try await withDeadline(.seconds(60)) {
            try await IdentityEchoServer.run(pki: pki, requestClientCertificates: true, http: true) { port, _ in
                let result = try await Self.kubectlRaw(port: port, pki: pki, credentials: .clientCertificate(credentials))
                #expect(result.status == 0, "kubectl failed: \(result.standardError)")
                #expect(result.standardOutput == "user=alice groups=system:masters")
            }
        }
    }

    @Test func kubectlWithACertificateFromAnotherCAIsRejected() async throws {
        let pki = try EmulatorPKI.generate(clusterName: "dev")
        let foreign = try EmulatorPKI.generate(clusterName: "dev").issueClientCertificate(user: "mallory", groups: [])
        try await withDeadline(.seconds(60)) {
            try await IdentityEchoServer.run(pki: pki, requestClientCertificates: true, http: true) { port, _ in
                let result = try await Self.kubectlRaw(port: port, pki: pki, credentials: .clientCertificate(foreign))
                #expect(result.status != 0)
                #expect(!result.standardOutput.contains("mallory"))
            }
        }
    }
}
