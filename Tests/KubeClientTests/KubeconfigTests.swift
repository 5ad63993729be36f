import Foundation
import KubeAPI
import KubeClient
import Testing

@Suite("Kubeconfig loading, merging and resolution")
struct KubeconfigTests {
    static let examplePath = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("examples/kubeconfig-eks-gke.yaml").path

    @Test("the EKS context runs `aws eks get-token` with its region, cluster and profile")
    func eks() throws {
        let kubeconfig = try Kubeconfig(contentsOf: Self.examplePath)
        #expect(kubeconfig.currentContext == "eks")
        let configuration = try KubeClientConfiguration.fromKubeconfig(kubeconfig)
        #expect(configuration.name == "eks" && configuration.namespace == "fraud")
        #expect(configuration.server == "https://0A1B2C3D4E5F60718293A4B5C6D7E8F9.gr7.us-east-1.eks.amazonaws.com")
        #expect(configuration.host == "0A1B2C3D4E5F60718293A4B5C6D7E8F9.gr7.us-east-1.eks.amazonaws.com")
        #expect(String(decoding: configuration.tls.certificateAuthorityPEM ?? [], as: UTF8.self).hasPrefix("-----BEGIN CERTIFICATE-----"))
        guard case .exec(let exec) = configuration.authentication else { Issue.record("EKS must use exec"); return }
        #expect(exec.command == "aws")
        #expect(exec.args == ["--region", "us-east-1", "eks", "get-token", "--cluster-name", "fraud-eks", "--output", "json"])
        #expect(exec.env.map(\.name) == ["AWS_PROFILE"] && exec.env.map(\.value) == ["fraud-prod"])
        #expect(exec.apiVersion == ExecCredentialPlugin.v1beta1 && exec.interactiveMode == "IfAvailable" && !exec.provideClusterInfo)
    }

    @Test("the GKE context runs gke-gcloud-auth-plugin with cluster info and an install hint")
    func gke() throws {
        let configuration = try KubeClientConfiguration.fromKubeconfig(path: Self.examplePath, context: "gke")
        #expect(configuration.server == "https://34.118.42.17" && configuration.namespace == "fraud")
        guard case .exec(let exec) = configuration.authentication else { Issue.record("GKE must use exec"); return }
        #expect(exec.command == "gke-gcloud-auth-plugin" && exec.args.isEmpty && exec.env.isEmpty)
        #expect(exec.provideClusterInfo && exec.installHint?.contains("cloud.google.com") == true)
        let info = ExecCredentialPlugin.clusterInfo(for: configuration)
        #expect(info["server"] == "https://34.118.42.17" && info["certificate-authority-data"] != nil)
    }

    @Test("both example contexts build clients that share one HTTPClient (their CAs parse)")
    func examplesBuildClients() async throws {
        let http = KubeClient.makeHTTPClient()
        for context in ["eks", "gke"] {
            _ = try KubeClient(configuration: try KubeClientConfiguration.fromKubeconfig(path: Self.examplePath, context: context), httpClient: http)
        }
        try await http.shutdown()
    }

    @Test("KUBECONFIG files merge as kubectl merges them: first definition and first current-context win")
    func merging() throws {
        let directory = try TemporaryDirectory()
        defer { directory.cleanup() }
        let first = try directory.write("first", """
        current-context: a
        clusters:
        - {name: shared, cluster: {server: "https://first.example:6443"}}
        users:
        - {name: u, user: {token: first-token}}
        contexts:
        - {name: a, context: {cluster: shared, user: u}}
        """)
        let secondDirectory = "\(directory.path)/nested"
        try FileManager.default.createDirectory(atPath: secondDirectory, withIntermediateDirectories: true)
        try "token-from-file\n".write(toFile: "\(secondDirectory)/token", atomically: true, encoding: .utf8)
        try """
        current-context: b
        clusters:
        - {name: shared, cluster: {server: "https://second.example:6443"}}
        - {name: other, cluster: {server: "https://other.example", insecure-skip-tls-verify: true, tls-server-name: api.other}}
        users:
        - {name: u, user: {token: second-token}}
        - {name: file-user, user: {tokenFile: token}}
        contexts:
        - {name: b, context: {cluster: other, user: file-user, namespace: team}}
        """.write(toFile: "\(secondDirectory)/second", atomically: true, encoding: .utf8)
        let environment = ["KUBECONFIG": "\(first)::\(secondDirectory)/second:\(directory.path)/missing", "HOME": "/nonexistent"]
        #expect(Kubeconfig.defaultPaths(environment: environment).count == 3)
        let merged = try Kubeconfig.load(environment: environment)
        #expect(merged.currentContext == "a")
        #expect(merged.clusters["shared"]?.server == "https://first.example:6443")
        #expect(merged.users["u"]?.token == "first-token")
        let b = try KubeClientConfiguration.fromKubeconfig(merged, context: "b")
        #expect(b.namespace == "team" && b.tls.insecureSkipVerify && b.tls.serverName == "api.other")
        guard case .tokenFile(let path, _) = b.authentication else { Issue.record("expected a token file"); return }
        #expect(path == "\(secondDirectory)/token", "relative paths resolve against the defining file")
        let a = try KubeClientConfiguration.fromKubeconfig(path: nil, environment: environment)
        #expect(a.name == "a" && a.namespace == "default")
    }

    @Test("without KUBECONFIG, ~/.kube/config is read")
    func homeDefault() throws {
        let directory = try TemporaryDirectory()
        defer { directory.cleanup() }
        try FileManager.default.createDirectory(atPath: "\(directory.path)/.kube", withIntermediateDirectories: true)
        try "current-context: c\nclusters: [{name: k, cluster: {server: 'https://k'}}]\ncontexts: [{name: c, context: {cluster: k, user: ''}}]\n"
            .write(toFile: "\(directory.path)/.kube/config", atomically: true, encoding: .utf8)
        let configuration = try KubeClientConfiguration.fromKubeconfig(environment: ["HOME": directory.path])
        #expect(configuration.server == "https://k")
        #expect(throws: KubeClientError.self) { try Kubeconfig.load(environment: ["HOME": "/nonexistent"]) }
    }

    @Test("mistakes are reported with the field to fix", arguments: [
        ("users: [{name: u, user: {exec: {apiVersion: client.authentication.k8s.io/v1, command: x}}}]", "interactiveMode is required"),
        ("users: [{name: u, user: {exec: {apiVersion: client.authentication.k8s.io/v1alpha1, command: x}}}]", "not supported"),
        ("clusters: [{name: c, cluster: {}}]", "has no server"),
        ("clusters: [{name: c, cluster: {server: s, certificate-authority-data: '%%%'}}]", "not valid base64"),
    ])
    func errors(yaml: String, expected: String) {
        do {
            _ = try Kubeconfig(yaml: yaml)
            Issue.record("expected an error containing \(expected)")
        } catch {
            #expect("\(error)".contains(expected), "\(error)")
        }
    }

    @Test("a malformed line is reported by file, line, column and field path, never by its text", arguments: [
        ("users:\n- name: admin\n  user:\n    token: s3cr3t-t0ken: oops\n", "line 4, column ", "(at users[0].user.token)"),
        ("clusters:\n- name: c\n  cluster: {server: \"https://c\"}\nusers:\n- name: a\n  user: {}\n- name: b\n  user:\n    client-key-data: \"s3cr3t-t0ken\n",
         "line ", "users[1].user.client-key-data"),
        ("users:\n- name: u\n  user:\n    password: s3cr3t-t0ken\n   token: x\n", "line 5, column ", "users[0]"),
    ])
    func yamlErrorsQuoteNoSecret(yaml: String, location: String, field: String) throws {
        let directory = try TemporaryDirectory()
        defer { directory.cleanup() }
        let path = try directory.write("config", yaml)
        let error = #expect(throws: KubeClientError.self) { try Kubeconfig(contentsOf: path) }
        let text = "\(error.map { "\($0)" } ?? "")"
        #expect(text.contains("\(path): \(location)"), "\(text)")
        #expect(text.contains(field), "\(text)")
        #expect(text.contains("invalid YAML"), "\(text)")
        #expect(!text.contains("s3cr3t"), "\(text)")
    }

    @Test("a field path names only kubeconfig fields: a key-like secret on a broken line reads *")
    func fieldPathHidesUnknownKeys() throws {
        let yaml = "users:\n- name: u\n  user:\n    eyJhbGciOiJSUzI1NiJ9.payload.sig:\n      x: [\n"
        let error = #expect(throws: KubeClientError.self) { try Kubeconfig(yaml: yaml, source: "config") }
        let text = "\(error.map { "\($0)" } ?? "")"
        #expect(text.contains("users[0].user.*"), "\(text)")
        #expect(!text.contains("eyJhbGci"), "\(text)")
    }

    @Test("contexts naming missing parts, auth-providers and insecure-with-CA are refused")
    func resolutionErrors() throws {
        let kubeconfig = try Kubeconfig(yaml: """
        clusters:
        - {name: c, cluster: {server: "https://c", insecure-skip-tls-verify: true, certificate-authority-data: "\(Data("x".utf8).base64EncodedString())"}}
        - {name: d, cluster: {server: "https://d"}}
        users:
        - {name: legacy, user: {auth-provider: {name: gcp}}}
        contexts:
        - {name: insecure, context: {cluster: c, user: ""}}
        - {name: legacy, context: {cluster: d, user: legacy}}
        - {name: dangling, context: {cluster: nowhere, user: ""}}
        """)
        for (context, expected) in [("insecure", "insecure-skip-tls-verify"), ("legacy", "auth-provider"), ("dangling", "nowhere"), ("absent", "not in the kubeconfig")] {
            do {
                _ = try KubeClientConfiguration.fromKubeconfig(kubeconfig, context: context)
                Issue.record("context \(context) should fail")
            } catch {
                #expect("\(error)".contains(expected), "\(error)")
            }
        }
        #expect(throws: KubeClientError.self) { try KubeClientConfiguration.fromKubeconfig(kubeconfig) }
    }
}
