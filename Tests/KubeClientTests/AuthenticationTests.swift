import Foundation
import KubeAPI
import KubeClient
import KubeEmulator
import KubeEmulatorTestSupport
import Testing

@Suite("Authentication: token, client certificate, in-cluster")
struct AuthenticationTests {
    @Test("a bearer token authenticates over TLS against the emulator's CA")
    func tokenAuth() async throws {
        try await withTLSEmulator { emulator, _ in
            try await withClient(clientConfiguration(emulator)) { client in
                let namespace = try await client.resource(.namespaces, as: Namespace.self).get("default")
                #expect(namespace.metadata.name == "default")
                #expect(try await client.serverVersion()["gitVersion"] != nil)
            }
        }
    }

    @Test("a wrong static token is a 401 surfaced as isUnauthorized, sent once")
    func wrongToken() async throws {
        try await withTLSEmulator { emulator, _ in
            try await withClient(clientConfiguration(emulator, authentication: .token("wrong"))) { client in
                let error = try await #require(throws: KubeError.self) { try await client.resource(.configMaps).get("x") }
                #expect(error.isUnauthorized)
                #expect(emulator.requestCount(code: 401) == 1)
            }
        }
    }

    @Test("an untrusted server certificate fails the TLS handshake")
    func untrustedServer() async throws {
        try await withTLSEmulator { emulator, _ in
            var configuration = clientConfiguration(emulator)
            configuration.tls.certificateAuthorityPEM = nil
            _ = try await withClient(configuration) { client in
                await #expect(throws: KubeClientError.self) { try await client.resource(.configMaps).get("x") }
            }
        }
    }

    @Test("a client certificate from a kubeconfig written by the emulator authenticates")
    func clientCertificateAuth() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.cleanup() }
        try await withTLSEmulator(clientCertificates: true, token: nil) { emulator, _ in
            let path = "\(directory.path)/config"
            try KubeconfigWriter.merge(try emulator.kubeconfigEntry(context: "cert-user", user: "alice"), into: path)
            var configuration = try KubeClientConfiguration.fromKubeconfig(path: path, context: "cert-user")
            #expect(configuration.tls.clientCertificatePEM != nil)
            guard case .none = configuration.authentication else { Issue.record("expected no token: \(configuration.authentication)"); return }
            configuration.retry = .none
            try await withClient(configuration) { client in
                let created = try await client.resource(.configMaps).create(configMap("by-cert"))
                #expect(created.name == "by-cert")
            }
        }
    }

    @Test("in-cluster config reads host, port, CA, namespace and token from a service-account directory; the token is re-read after a 401")
    func inCluster() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.cleanup() }
        try await withTLSEmulator { emulator, admin in
            _ = try await admin.post("/api/v1/namespaces", ["apiVersion": "v1", "kind": "Namespace", "metadata": ["name": "tandem-system"]])
            _ = try directory.write("ca.crt", emulator.pki!.caCertificatePEM)
            _ = try directory.write("namespace", "tandem-system\n")
            _ = try directory.write("token", "stale-token\n")
            let environment = ["KUBERNETES_SERVICE_HOST": "127.0.0.1", "KUBERNETES_SERVICE_PORT": String(emulator.port)]
            var configuration = try KubeClientConfiguration.inCluster(directory: directory.path, environment: environment)
            #expect(configuration.namespace == "tandem-system")
            #expect(configuration.server == "https://127.0.0.1:\(emulator.port)")
            configuration.retry = .none
            try await withClient(configuration) { client in
                let error = try await #require(throws: KubeError.self) { try await client.resource(.configMaps).list() }
                #expect(error.isUnauthorized)
                // The kubelet rotates the projected token: the next request reads the new one.
                _ = try directory.write("token", emulatorToken)
                let created = try await client.resource(.configMaps).create(configMap("in-cluster"))
                #expect(created.namespace == "tandem-system")
            }
        }
    }

    @Test("CA, client certificate and key files named relative to the kubeconfig authenticate")
    func certificateFiles() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.cleanup() }
        try await withTLSEmulator(clientCertificates: true, token: nil) { emulator, _ in
            let issued = try emulator.pki!.issueClientCertificate(user: "bob", groups: ["system:masters"])
            try FileManager.default.createDirectory(atPath: "\(directory.path)/pki", withIntermediateDirectories: true)
            _ = try directory.write("pki/ca.crt", emulator.pki!.caCertificatePEM)
            _ = try directory.write("pki/bob.crt", issued.certificatePEM)
            _ = try directory.write("pki/bob.key", issued.privateKeyPEM)
            let path = try directory.write("config", """
            current-context: files
            clusters: [{name: c, cluster: {server: "\(emulator.url)", certificate-authority: pki/ca.crt}}]
            users: [{name: bob, user: {client-certificate: pki/bob.crt, client-key: pki/bob.key}}]
            contexts: [{name: files, context: {cluster: c, user: bob, namespace: kube-public}}]
            """)
            let configuration = try KubeClientConfiguration.fromKubeconfig(path: path)
            #expect(configuration.namespace == "kube-public")
            try await withClient(configuration) { client in
                let created = try await client.resource(.configMaps).create(configMap("from-files"))
                #expect(created.namespace == "kube-public")
            }
        }
    }

    @Test("an exec plugin may return a client certificate instead of a token")
    func execClientCertificate() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.cleanup() }
        try await withTLSEmulator(clientCertificates: true, token: nil) { emulator, _ in
            let issued = try emulator.pki!.issueClientCertificate(user: "carol", groups: ["system:masters"])
            let credential: JSONValue = ["apiVersion": "client.authentication.k8s.io/v1", "kind": "ExecCredential",
                                         "status": ["clientCertificateData": .string(issued.certificatePEM), "clientKeyData": .string(issued.privateKeyPEM)]]
            _ = try directory.write("credential.json", credential.jsonString)
            let script = try directory.write("cert-plugin.sh", "#!/bin/bash\ncat \"$(dirname \"$0\")/credential.json\"\n", executable: true)
            var configuration = clientConfiguration(emulator, authentication: .exec(Kubeconfig.ExecConfig(apiVersion: ExecCredentialPlugin.v1, command: script)))
            configuration.retry = .none
            try await withClient(configuration) { client in
                let created = try await client.resource(.configMaps).create(configMap("exec-cert"))
                #expect(created.name == "exec-cert")
            }
        }
    }

    @Test("in-cluster config without the service environment explains what is missing")
    func notInCluster() throws {
        #expect(throws: KubeClientError.self) { try KubeClientConfiguration.inCluster(directory: "/nonexistent", environment: [:]) }
        #expect(throws: KubeClientError.self) {
            try KubeClientConfiguration.inCluster(directory: "/nonexistent", environment: ["KUBERNETES_SERVICE_HOST": "10.0.0.1", "KUBERNETES_SERVICE_PORT": "443"])
        }
    }
}
