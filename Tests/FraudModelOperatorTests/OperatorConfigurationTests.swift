import Foundation
import FraudModelOperator
@testable import FraudModelPlanning
import KubeClient
import Testing

@Suite struct OperatorConfigurationTests {
    // MARK: - Accepted files

    @Test func documentedExampleParsesWithPathsResolvedAgainstTheFilesFolder() throws {
        let yaml = """
            clusters:
            - name: eks                  # DNS label, unique
              provider: aws              # aws | gcp | other
              region: us-east-1
              kubeconfig: ./kubeconfig   # relative paths resolve against this file's folder
              context: eks               # or, instead of kubeconfig/context: inCluster: true
              registry: 123456789012.dkr.ecr.us-east-1.amazonaws.com
              mode: manage               # manage | observe
            - name: gke
              provider: gcp
              region: us-central1
              kubeconfig: ./kubeconfig
              context: gke
              registry: us-central1-docker.pkg.dev/my-gcp-project/my-repo
              mode: manage
            """
        let configuration = try OperatorConfiguration.parse(yaml: yaml, file: "/etc/tandem/clusters.yaml")
        #expect(configuration.file == "/etc/tandem/clusters.yaml")
        #expect(configuration.clusters == [
            MemberCluster(name: "eks", provider: .aws, region: "us-east-1",
                          access: .kubeconfig(path: "/etc/tandem/kubeconfig", context: "eks"),
                          registry: "123456789012.dkr.ecr.us-east-1.amazonaws.com", mode: .manage),
            MemberCluster(name: "gke", provider: .gcp, region: "us-central1",
                          access: .kubeconfig(path: "/etc/tandem/kubeconfig", context: "gke"),
                          registry: "us-central1-docker.pkg.dev/my-gcp-project/my-repo", mode: .manage),
        ])
        #expect(configuration.member(named: "gke")?.region == "us-central1")
    }

    @Test(arguments: ["examples/clusters-local.yaml", "examples/clusters-eks-gke.yaml"])
    func repositoryExamplesLoad(_ example: String) throws {
        let configuration = try OperatorConfiguration.load(path: "\(Self.repositoryRoot)/\(example)")
        #expect(configuration.clusters.map(\.name) == ["eks", "gke"])
        #expect(configuration.clusters.map(\.provider) == [.aws, .gcp])
        let expectedKubeconfig = example.hasSuffix("local.yaml")
            ? "\(Self.repositoryRoot)/.demo/kubeconfig" : "\(Self.repositoryRoot)/examples/kubeconfig-eks-gke.yaml"
        #expect(configuration.clusters.map(\.access) == [
            .kubeconfig(path: expectedKubeconfig, context: "eks"), .kubeconfig(path: expectedKubeconfig, context: "gke"),
        ])
    }

    /// What charts/tandem-operator's `tandem-operator.clustersConfig` renders for
    /// examples/values-eks.yaml and for the chart's default values: every value quoted, the
    /// kubeconfig at its mount path, empty regions left out.
    @Test func helmChartRenderingParses() throws {
        let valuesEKS = """
            clusters:
            - name: "eks"
              provider: "aws"
              region: "us-east-1"
              inCluster: true
              registry: "123456789012.dkr.ecr.us-east-1.amazonaws.com"
              mode: "manage"
            - name: "gke"
              provider: "gcp"
              region: "us-central1"
              kubeconfig: "/etc/tandem/kubeconfig/kubeconfig"
              context: "gke"
              registry: "us-central1-docker.pkg.dev/my-gcp-project/my-repo"
              mode: "observe"
            """
        let eks = try OperatorConfiguration.parse(yaml: valuesEKS, file: "/etc/tandem/config/clusters.yaml")
        #expect(eks.clusters.map(\.access) == [.inCluster, .kubeconfig(path: "/etc/tandem/kubeconfig/kubeconfig", context: "gke")])
        #expect(eks.clusters.map(\.mode) == [.manage, .observe])

        let defaults = """
            clusters:
            - name: "local"
              provider: "other"
              inCluster: true
              registry: "registry.local"
              mode: "manage"
            """
        let local = try OperatorConfiguration.parse(yaml: defaults, file: "/etc/tandem/config/clusters.yaml")
        #expect(local.clusters == [MemberCluster(name: "local", provider: .other, access: .inCluster, registry: "registry.local")])
    }

    @Test func inClusterMemberTakesTheDefaults() throws {
        let configuration = try OperatorConfiguration.parse(yaml: "clusters:\n- name: here\n  inCluster: true\n", file: "clusters.yaml")
        #expect(configuration.clusters == [
            MemberCluster(name: "here", provider: .other, region: nil, access: .inCluster, registry: nil, mode: .manage),
        ])
    }

    @Test func emptyRegionCountsAsNone() throws {
        let configuration = try OperatorConfiguration.parse(yaml: "clusters:\n- name: a\n  region: \"\"\n  inCluster: true\n", file: "c.yaml")
        #expect(configuration.clusters.first?.region == nil)
    }

    @Test(arguments: [
        ("/etc/tandem/clusters.yaml", "./kubeconfig", "/etc/tandem/kubeconfig"),
        ("/etc/tandem/clusters.yaml", "kube/config", "/etc/tandem/kube/config"),
        ("/work/examples/clusters.yaml", "../.demo/kubeconfig", "/work/.demo/kubeconfig"),
        ("/etc/tandem/clusters.yaml", "/var/kube/config", "/var/kube/config"),
        ("configs/clusters.yaml", "./kubeconfig", "configs/kubeconfig"),
        ("configs/clusters.yaml", "../kubeconfig", "kubeconfig"),
        ("clusters.yaml", "./kubeconfig", "kubeconfig"),
        ("clusters.yaml", "../kubeconfig", "../kubeconfig"),
        ("/etc/tandem/clusters.yaml", "~/.kube/config", "/home/operator/.kube/config"),
    ])
    func kubeconfigPathResolvesAgainstTheConfigurationFolder(_ file: String, _ written: String, _ resolved: String) throws {
        let yaml = "clusters:\n- name: a\n  kubeconfig: \(written)\n"
        let configuration = try OperatorConfiguration.parse(yaml: yaml, file: file, environment: ["HOME": "/home/operator"])
        #expect(configuration.clusters.first?.access == .kubeconfig(path: resolved, context: nil))
    }

    // MARK: - Rejected files

    @Test(arguments: ValidationCase.all)
    func validationNamesTheFileFieldAndProblem(_ rule: ValidationCase) {
        #expect(problems(rule.yaml) == rule.expected.map { "clusters.yaml: \($0)" })
    }

    @Test func everyProblemIsReportedNotJustTheFirst() {
        let yaml = """
            clusters:
            - name: eks
              provider: azure
              regsitry: example.com
            - name: eks
              inCluster: "yes"
              mode: watch
            """
        #expect(problems(yaml) == [
            "clusters.yaml: clusters[0].regsitry: unknown field (did you mean \"registry\"?)",
            "clusters.yaml: clusters[0].provider: unsupported value \"azure\": expected one of aws, gcp, other",
            "clusters.yaml: clusters[0]: needs kubeconfig (with an optional context) or inCluster: true",
            "clusters.yaml: clusters[1].inCluster: expected true or false, got a string (\"yes\")",
            "clusters.yaml: clusters[1].mode: unsupported value \"watch\": expected one of manage, observe",
            "clusters.yaml: clusters[1].name: duplicate name \"eks\" (also clusters[0])",
        ])
    }

    @Test func duplicateNamesPointAtTheFirstOccurrence() {
        let yaml = """
            clusters:
            - {name: eks, inCluster: true}
            - {name: gke, kubeconfig: k}
            - {name: eks, kubeconfig: k, context: other}
            - {name: gke, kubeconfig: k}
            """
        #expect(problems(yaml) == [
            "clusters.yaml: clusters[2].name: duplicate name \"eks\" (also clusters[0])",
            "clusters.yaml: clusters[3].name: duplicate name \"gke\" (also clusters[1])",
        ])
    }

    @Test func yamlSyntaxErrorGivesLineAndColumn() {
        let yaml = """
            clusters:
            - name: eks
              inCluster: true
              registry: "example.com
            """
        let lines = problems(yaml)
        #expect(lines.count == 1)
        #expect(lines.first?.hasPrefix("clusters.yaml: line 4, column ") == true)
        #expect(lines.first?.hasSuffix("invalid YAML: while scanning a quoted scalar (line 4, column 13), found unexpected end of stream") == true)
    }

    @Test func badIndentationGivesItsLine() {
        let yaml = "clusters:\n- name: eks\n  inCluster: true\n   mode: observe\n"
        #expect(problems(yaml) == [
            "clusters.yaml: line 4, column 8: invalid YAML: mapping values are not allowed in this context",
        ])
    }

    @Test func duplicateKeyIsAYAMLErrorWithItsLine() {
        let yaml = "clusters:\n- name: eks\n  name: gke\n  inCluster: true\n"
        #expect(problems(yaml) == ["clusters.yaml: line 2, column 3: invalid YAML: duplicate key \"name\" in a mapping"])
    }

    @Test func missingFileIsReportedWithItsPath() throws {
        let folder = try ScratchFolder()
        defer { folder.remove() }
        let path = "\(folder.path)/clusters.yaml"
        #expect(throws: OperatorConfigurationError(file: path, problems: [
            .init(location: "", message: "cannot read the configuration: no such file"),
        ])) {
            try OperatorConfiguration.load(path: path)
        }
        let error = #expect(throws: OperatorConfigurationError.self) { try OperatorConfiguration.load(path: folder.path) }
        #expect(error?.description == "\(folder.path): cannot read the configuration: is a folder, not a file")
    }

    @Test func loadResolvesAgainstTheFilesFolder() throws {
        let folder = try ScratchFolder()
        defer { folder.remove() }
        let path = try folder.write("clusters.yaml", "clusters:\n- name: a\n  kubeconfig: ./kubeconfig\n")
        let configuration = try OperatorConfiguration.load(path: path)
        #expect(configuration.file == path)
        #expect(configuration.clusters.first?.access == .kubeconfig(path: "\(folder.path)/kubeconfig", context: nil))
    }

    // MARK: - Client configuration

    @Test func clientConfigurationSelectsTheMembersContext() throws {
        let folder = try ScratchFolder()
        defer { folder.remove() }
        _ = try folder.write("kubeconfig", Self.twoContextKubeconfig)
        let configuration = try OperatorConfiguration.parse(yaml: """
            clusters:
            - {name: eks, kubeconfig: ./kubeconfig, context: eks-admin}
            - {name: gke, kubeconfig: ./kubeconfig, context: gke-admin}
            - {name: current, kubeconfig: ./kubeconfig}
            """, file: "\(folder.path)/clusters.yaml")

        let eks = try configuration.clientConfiguration(for: configuration.clusters[0])
        #expect(eks.server == "https://eks.example.com")
        #expect(eks.name == "eks")
        #expect(eks.namespace == "fraud")
        let gke = try configuration.clientConfiguration(for: configuration.clusters[1])
        #expect(gke.server == "https://34.118.42.17:6443")
        #expect(gke.name == "gke")
        #expect(gke.namespace == "default")
        #expect(!"\(gke)".contains("s3cr3t"))
        let current = try configuration.clientConfiguration(for: configuration.clusters[2])
        #expect(current.server == "https://eks.example.com")
    }

    @Test func unknownContextIsNamedWithTheClusterAndKubeconfig() throws {
        let folder = try ScratchFolder()
        defer { folder.remove() }
        let kubeconfig = try folder.write("kubeconfig", Self.twoContextKubeconfig)
        let configuration = try OperatorConfiguration.parse(
            yaml: "clusters:\n- {name: gke, kubeconfig: ./kubeconfig, context: gke}\n", file: "\(folder.path)/clusters.yaml")
        let error = #expect(throws: OperatorConfigurationError.self) { try configuration.clientConfiguration(for: configuration.clusters[0]) }
        #expect(error?.description == "\(folder.path)/clusters.yaml: cluster \"gke\": kubeconfig \(kubeconfig): context \"gke\" is not in the kubeconfig (known: eks-admin, gke-admin)")
    }

    @Test func unreadableOrInvalidKubeconfigIsNamedWithoutItsContents() throws {
        let folder = try ScratchFolder()
        defer { folder.remove() }
        let configuration = try OperatorConfiguration.parse(
            yaml: "clusters:\n- {name: eks, kubeconfig: ./kubeconfig}\n", file: "\(folder.path)/clusters.yaml")
        let member = configuration.clusters[0]
        let missing = #expect(throws: OperatorConfigurationError.self) { try configuration.clientConfiguration(for: member) }
        #expect(missing?.description == "\(folder.path)/clusters.yaml: cluster \"eks\": kubeconfig \(folder.path)/kubeconfig: no such file")

        _ = try folder.write("kubeconfig", "users:\n- name: u\n  user:\n    token: s3cr3t-token: oops\n")
        let invalid = #expect(throws: OperatorConfigurationError.self) { try configuration.clientConfiguration(for: member) }
        let text = invalid?.description ?? ""
        #expect(text.hasPrefix("\(folder.path)/clusters.yaml: cluster \"eks\": kubeconfig \(folder.path)/kubeconfig: line 4, column "))
        #expect(text.contains("invalid YAML"))
        #expect(!text.contains("s3cr3t"))

        _ = try folder.write("kubeconfig", "clusters:\n- name: c\n  cluster: {}\n")
        let noServer = #expect(throws: OperatorConfigurationError.self) { try configuration.clientConfiguration(for: member) }
        #expect(noServer?.description == "\(folder.path)/clusters.yaml: cluster \"eks\": kubeconfig \(folder.path)/kubeconfig: cluster \"c\" has no server")
    }

    @Test func inClusterMemberUsesTheServiceAccount() throws {
        let folder = try ScratchFolder()
        defer { folder.remove() }
        _ = try folder.write("token", "service-account-token")
        _ = try folder.write("ca.crt", "-----BEGIN CERTIFICATE-----\n-----END CERTIFICATE-----\n")
        _ = try folder.write("namespace", "tandem-system\n")
        let configuration = try OperatorConfiguration.parse(yaml: "clusters:\n- {name: gke, inCluster: true}\n", file: "clusters.yaml")
        let member = configuration.clusters[0]

        let client = try configuration.clientConfiguration(
            for: member, environment: ["KUBERNETES_SERVICE_HOST": "10.0.0.1", "KUBERNETES_SERVICE_PORT": "443"],
            serviceAccountDirectory: folder.path)
        #expect(client.server == "https://10.0.0.1:443")
        #expect(client.name == "gke")
        #expect(client.namespace == "tandem-system")

        let error = #expect(throws: OperatorConfigurationError.self) { try configuration.clientConfiguration(for: member, environment: [:], serviceAccountDirectory: folder.path) }
        #expect(error?.description == "clusters.yaml: cluster \"gke\": inCluster: not running in a cluster: KUBERNETES_SERVICE_HOST and KUBERNETES_SERVICE_PORT must be set")
    }

    // MARK: - Fixtures

    static let repositoryRoot: String = {
        var url = URL(fileURLWithPath: #filePath)
        for _ in 0..<3 { url.deleteLastPathComponent() }
        return url.path
    }()

    static let twoContextKubeconfig = """
        apiVersion: v1
        kind: Config
        current-context: eks-admin
        clusters:
        - name: eks-cluster
          cluster:
            server: https://eks.example.com/
        - name: gke-cluster
          cluster:
            server: https://34.118.42.17:6443
        contexts:
        - name: eks-admin
          context: {cluster: eks-cluster, user: eks-user, namespace: fraud}
        - name: gke-admin
          context: {cluster: gke-cluster, user: gke-user}
        users:
        - name: eks-user
          user: {token: s3cr3t-eks}
        - name: gke-user
          user: {token: s3cr3t-gke}
        """
}

extension OperatorConfigurationTests {
    /// One validation rule: a file breaking it and the exact lines reported (without the file prefix).
    struct ValidationCase: Sendable, CustomTestStringConvertible {
        var rule: String
        var yaml: String
        var expected: [String]

        var testDescription: String { rule }

        static let all: [ValidationCase] = [
            .init(rule: "empty file", yaml: "# nothing\n", expected: ["the file is empty; expected a mapping with a clusters list"]),
            .init(rule: "top level not a mapping", yaml: "- name: eks\n", expected: ["expected a mapping with a clusters list, got a list"]),
            .init(rule: "clusters missing, typo suggested", yaml: "cluster:\n- name: eks\n", expected: [
                "cluster: unknown field (did you mean \"clusters\"?)", "clusters: required: the list of member clusters",
            ]),
            .init(rule: "unknown top-level field", yaml: "clusters:\n- {name: a, inCluster: true}\nleader: true\n",
                  expected: ["leader: unknown field; expected clusters"]),
            .init(rule: "clusters not a list", yaml: "clusters: {name: eks}\n", expected: ["clusters: expected a list of member clusters, got a mapping"]),
            .init(rule: "clusters empty", yaml: "clusters: []\n", expected: ["clusters: must list at least one member cluster"]),
            .init(rule: "entry not a mapping", yaml: "clusters:\n- eks\n", expected: ["clusters[0]: expected a mapping (a member cluster), got a string (\"eks\")"]),
            .init(rule: "name missing", yaml: "clusters:\n- inCluster: true\n", expected: ["clusters[0].name: required: the cluster's name, a DNS label such as \"eks\""]),
            .init(rule: "name not a DNS label", yaml: "clusters:\n- {name: EKS_1, inCluster: true}\n",
                  expected: ["clusters[0].name: \"EKS_1\" is not a DNS label (lowercase letters, digits, '-'; at most 63)"]),
            .init(rule: "name longer than 63", yaml: "clusters:\n- {name: \(String(repeating: "a", count: 64)), inCluster: true}\n",
                  expected: ["clusters[0].name: \"\(String(repeating: "a", count: 64))\" is not a DNS label (lowercase letters, digits, '-'; at most 63)"]),
            .init(rule: "name not a string", yaml: "clusters:\n- {name: 123, inCluster: true}\n", expected: ["clusters[0].name: expected a string, got an integer (123)"]),
            .init(rule: "provider unsupported", yaml: "clusters:\n- {name: a, inCluster: true}\n- {name: b, provider: azure, kubeconfig: k}\n",
                  expected: ["clusters[1].provider: unsupported value \"azure\": expected one of aws, gcp, other"]),
            .init(rule: "provider not a string", yaml: "clusters:\n- {name: a, provider: 1, inCluster: true}\n",
                  expected: ["clusters[0].provider: expected one of aws, gcp, other, got an integer (1)"]),
            .init(rule: "mode unsupported", yaml: "clusters:\n- {name: a, mode: active, inCluster: true}\n",
                  expected: ["clusters[0].mode: unsupported value \"active\": expected one of manage, observe"]),
            .init(rule: "region not a string", yaml: "clusters:\n- {name: a, region: [us], inCluster: true}\n",
                  expected: ["clusters[0].region: expected a string, got a list"]),
            .init(rule: "no access", yaml: "clusters:\n- {name: a}\n", expected: ["clusters[0]: needs kubeconfig (with an optional context) or inCluster: true"]),
            .init(rule: "inCluster false and no kubeconfig", yaml: "clusters:\n- {name: a, inCluster: false}\n",
                  expected: ["clusters[0]: needs kubeconfig (with an optional context) or inCluster: true"]),
            .init(rule: "kubeconfig and inCluster", yaml: "clusters:\n- {name: a, kubeconfig: k, inCluster: true}\n",
                  expected: ["clusters[0].kubeconfig: not allowed with inCluster: true; use one or the other"]),
            .init(rule: "context with inCluster", yaml: "clusters:\n- {name: a, context: a, inCluster: true}\n",
                  expected: ["clusters[0].context: not allowed with inCluster: true; a context belongs to a kubeconfig"]),
            .init(rule: "context without kubeconfig", yaml: "clusters:\n- {name: a, context: gke}\n",
                  expected: ["clusters[0].kubeconfig: required with context \"gke\": the kubeconfig file holding that context"]),
            .init(rule: "inCluster not a boolean", yaml: "clusters:\n- {name: a, inCluster: \"yes\"}\n",
                  expected: ["clusters[0].inCluster: expected true or false, got a string (\"yes\")"]),
            .init(rule: "two inCluster members", yaml: "clusters:\n- {name: a, inCluster: true}\n- {name: b, inCluster: true}\n",
                  expected: ["clusters[1].inCluster: only one member can be inCluster: true (clusters[0] already is; it is the cluster the operator runs in)"]),
            .init(rule: "kubeconfig empty", yaml: "clusters:\n- {name: a, kubeconfig: \"\"}\n", expected: ["clusters[0].kubeconfig: must not be empty"]),
            .init(rule: "kubeconfig not a string", yaml: "clusters:\n- {name: a, kubeconfig: true}\n",
                  expected: ["clusters[0].kubeconfig: expected a string, got a boolean (true)"]),
            .init(rule: "context empty", yaml: "clusters:\n- {name: a, kubeconfig: k, context: \"\"}\n", expected: ["clusters[0].context: must not be empty"]),
            .init(rule: "home needed but unset", yaml: "clusters:\n- {name: a, kubeconfig: ~/.kube/config}\n",
                  expected: ["clusters[0].kubeconfig: cannot expand \"~/.kube/config\": HOME is not set"]),
            .init(rule: "registry empty", yaml: "clusters:\n- {name: a, registry: \"\", inCluster: true}\n", expected: ["clusters[0].registry: must not be empty"]),
            .init(rule: "registry with scheme", yaml: "clusters:\n- {name: a, registry: \"https://registry.example.com\", inCluster: true}\n",
                  expected: ["clusters[0].registry: \"https://registry.example.com\" must not include a scheme; write \"registry.example.com\""]),
            .init(rule: "registry with trailing slash", yaml: "clusters:\n- {name: a, registry: registry.example.com/team/, inCluster: true}\n",
                  expected: ["clusters[0].registry: \"registry.example.com/team/\" must not end with \"/\"; write \"registry.example.com/team\""]),
            .init(rule: "registry malformed", yaml: "clusters:\n- {name: a, registry: \"registry.example.com/Team Repo\", inCluster: true}\n",
                  expected: ["clusters[0].registry: \"registry.example.com/Team Repo\" is not a registry such as \"us-central1-docker.pkg.dev/project/repo\""]),
            .init(rule: "unknown field with suggestion", yaml: "clusters:\n- {name: a, regsitry: r.example.com, inCluster: true}\n",
                  expected: ["clusters[0].regsitry: unknown field (did you mean \"registry\"?)"]),
            .init(rule: "unknown field in another case", yaml: "clusters:\n- {name: a, incluster: true}\n", expected: [
                "clusters[0].incluster: unknown field (did you mean \"inCluster\"?)",
                "clusters[0]: needs kubeconfig (with an optional context) or inCluster: true",
            ]),
            .init(rule: "unknown field without suggestion", yaml: "clusters:\n- {name: a, color: blue, inCluster: true}\n",
                  expected: ["clusters[0].color: unknown field; expected name, provider, region, kubeconfig, context, inCluster, registry, mode, serving"]),
        ]
    }

    /// The lines of the error `yaml` gives as `clusters.yaml`, with no `HOME`; empty when it parses.
    private func problems(_ yaml: String) -> [String] {
        do {
            _ = try OperatorConfiguration.parse(yaml: yaml, file: "clusters.yaml", environment: [:])
            return []
        } catch {
            return error.description.split(separator: "\n").map(String.init)
        }
    }

    /// A fresh temporary folder for one test.
    private struct ScratchFolder {
        let path: String

        init() throws {
            path = NSTemporaryDirectory() + "operator-configuration-test-" + UUID().uuidString
            try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        }

        func write(_ name: String, _ text: String) throws -> String {
            let file = "\(path)/\(name)"
            try text.write(toFile: file, atomically: true, encoding: .utf8)
            return file
        }

        func remove() { try? FileManager.default.removeItem(atPath: path) }
    }
}
