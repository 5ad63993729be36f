import Foundation
import KubeEmulator
import Testing

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The real kubectl reads what ``KubeconfigWriter`` writes, and can still edit the file afterwards.
@Suite("KubeconfigWriter with kubectl", .enabled(if: ProcessRunner.hasKubectl, "needs kubectl at /usr/bin/kubectl"))
struct KubeconfigWriterKubectlTests {
    private static func kubectl(_ arguments: [String], kubeconfig: String) async throws -> ProcessResult {
        try await ProcessRunner.run(ProcessRunner.kubectlPath, arguments, environment: ["KUBECONFIG": kubeconfig])
    }

    @Test func kubectlReadsMergedClustersUsersAndContexts() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let path = directory.file("config")
        let pki = try EmulatorPKI.generate(clusterName: "dev")
        let credentials = try pki.issueClientCertificate(user: "alice", groups: ["system:masters"])
        try KubeconfigWriter.merge(
            KubeconfigEntry(name: "with-cert", server: "https://127.0.0.1:6443", certificateAuthorityPEM: pki.caCertificatePEM, credentials: .clientCertificate(credentials), namespace: "team"),
            into: path
        )
        try KubeconfigWriter.merge(KubeconfigEntry(name: "with-token", server: "https://127.0.0.1:6444", credentials: .token("12345")), into: path)

        let contexts = try await Self.kubectl(["config", "get-contexts", "-o", "name"], kubeconfig: path)
        #expect(contexts.status == 0, "\(contexts.standardError)")
        #expect(contexts.standardOutput.split(separator: "\n").sorted() == ["with-cert", "with-token"])

        let view = try await Self.kubectl(["config", "view", "--raw", "-o", "json"], kubeconfig: path)
        #expect(view.status == 0, "\(view.standardError)")
        let json = try #require(try JSONSerialization.jsonObject(with: Data(view.standardOutput.utf8)) as? [String: Any])
        #expect(json["current-context"] as? String == "with-cert")
        let users = try #require(json["users"] as? [[String: Any]])
        let certUser = try #require(users.first { $0["name"] as? String == "with-cert" }?["user"] as? [String: Any])
        #expect(certUser["client-certificate-data"] as? String == Data(credentials.certificatePEM.utf8).base64EncodedString())
        let tokenUser = try #require(users.first { $0["name"] as? String == "with-token" }?["user"] as? [String: Any])
        #expect(tokenUser["token"] as? String == "12345")
        let contextEntries = try #require(json["contexts"] as? [[String: Any]])
        let context = contextEntries.first { $0["name"] as? String == "with-cert" }?["context"] as? [String: Any]
        #expect(context?["namespace"] as? String == "team")
    }

    @Test func kubectlCanEditTheFileAfterAMerge() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let path = directory.file("config")
        try KubeconfigWriter.merge(KubeconfigEntry(name: "a", server: "https://127.0.0.1:1", credentials: .token("a")), into: path)
        try KubeconfigWriter.merge(KubeconfigEntry(name: "b", server: "https://127.0.0.1:2", credentials: .token("b")), into: path)

        let use = try await Self.kubectl(["config", "use-context", "b"], kubeconfig: path)
        #expect(use.status == 0, "kubectl could not edit the file (a lock file left behind?): \(use.standardError)")
        let current = try await Self.kubectl(["config", "current-context"], kubeconfig: path)
        #expect(current.standardOutput == "b\n")

        try KubeconfigWriter.merge(KubeconfigEntry(name: "c", server: "https://127.0.0.1:3", credentials: .token("c")), into: path)
        let after = try await Self.kubectl(["config", "current-context"], kubeconfig: path)
        #expect(after.standardOutput == "b\n")
    }

    @Test func aLockFileLeftByKubectlIsReportedInsteadOfIgnored() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let path = directory.file("config")
        // kubectl locks by creating FILE.lock exclusively with no permission bits.
        let descriptor = open(path + ".lock", O_CREAT | O_EXCL | O_WRONLY, 0)
        try #require(descriptor >= 0)
        close(descriptor)
        #expect(throws: KubeconfigWriterError.lockHeldByAnotherProgram(path: path, lockPath: path + ".lock")) {
            try KubeconfigWriter.merge(KubeconfigEntry(name: "a", server: "https://127.0.0.1:1", credentials: .token("a")), into: path)
        }
        #expect(!FileManager.default.fileExists(atPath: path))
    }
}
