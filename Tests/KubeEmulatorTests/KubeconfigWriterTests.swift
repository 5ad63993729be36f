import Foundation
import KubeEmulator
import Testing
import Yams

@Suite("KubeconfigWriter merging")
struct KubeconfigWriterTests {
    static let existingConfig = """
        apiVersion: v1
        kind: Config
        preferences:
          colors: true
        clusters:
        - name: prod
          cluster:
            server: https://prod.example:6443
            insecure-skip-tls-verify: true
            extensions:
            - name: vendor
              extension: {region: eu}
        - name: emulator
          cluster:
            server: https://127.0.0.1:1111
            proxy-url: http://stale.example
        users:
        - name: prod
          user:
            exec:
              apiVersion: client.authentication.k8s.io/v1
              command: login-helper
        - name: emulator
          user:
            token: stale-token
        contexts:
        - name: prod
          context:
            cluster: prod
            user: prod
            namespace: payments
        - name: emulator
          context:
            cluster: emulator
            user: emulator
        current-context: prod
        x-vendor-field:
          keep: [1, 2, 3]

        """

    private static func load(_ path: String) throws -> [String: Any] {
        let text = try String(contentsOfFile: path, encoding: .utf8)
        return try #require(try Yams.load(yaml: text) as? [String: Any])
    }

    /// The `field` mapping of the item named `name` in the list `list`.
    private static func item(_ list: String, _ name: String, _ field: String, in config: [String: Any]) -> [String: Any]? {
        let items = config[list] as? [[String: Any]] ?? []
        return items.first { $0["name"] as? String == name }?[field] as? [String: Any]
    }

    private static func names(_ list: String, in config: [String: Any]) -> [String] {
        (config[list] as? [[String: Any]] ?? []).compactMap { $0["name"] as? String }
    }

    private static func base64(_ text: String) -> String { Data(text.utf8).base64EncodedString() }

    @Test func mergeIntoAMissingFileCreatesItAndItsDirectoriesWithMode0600() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let path = directory.file("nested/dir/config")
        try KubeconfigWriter.merge(
            KubeconfigEntry(name: "dev", server: "https://127.0.0.1:6443", certificateAuthorityPEM: "CA PEM", credentials: .token("t0k"), namespace: "team"),
            into: path
        )
        let attributes = try FileManager.default.attributesOfItem(atPath: path)
        #expect((attributes[.posixPermissions] as? Int) == 0o600)
        let config = try Self.load(path)
        #expect(config["apiVersion"] as? String == "v1")
        #expect(config["kind"] as? String == "Config")
        #expect(config["current-context"] as? String == "dev")
        #expect(Self.item("clusters", "dev", "cluster", in: config)?["server"] as? String == "https://127.0.0.1:6443")
        #expect(Self.item("clusters", "dev", "cluster", in: config)?["certificate-authority-data"] as? String == Self.base64("CA PEM"))
        #expect(Self.item("users", "dev", "user", in: config)?["token"] as? String == "t0k")
        let context = Self.item("contexts", "dev", "context", in: config)
        #expect(context?["cluster"] as? String == "dev")
        #expect(context?["user"] as? String == "dev")
        #expect(context?["namespace"] as? String == "team")
        #expect(!FileManager.default.fileExists(atPath: path + ".lock"))
    }

    @Test func mergePreservesUnrelatedEntriesAndUnknownFields() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let path = directory.file("config")
        try Self.existingConfig.write(toFile: path, atomically: true, encoding: .utf8)
        try KubeconfigWriter.merge(KubeconfigEntry(name: "new", server: "https://127.0.0.1:7000", credentials: .token("x")), into: path)

        let config = try Self.load(path)
        #expect(config["current-context"] as? String == "prod")
        #expect((config["preferences"] as? [String: Any])?["colors"] as? Bool == true)
        #expect((config["x-vendor-field"] as? [String: Any])?["keep"] as? [Int] == [1, 2, 3])
        #expect(Self.names("clusters", in: config) == ["prod", "emulator", "new"])
        #expect(Self.names("users", in: config) == ["prod", "emulator", "new"])
        #expect(Self.names("contexts", in: config) == ["prod", "emulator", "new"])
        let prod = Self.item("clusters", "prod", "cluster", in: config)
        #expect(prod?["insecure-skip-tls-verify"] as? Bool == true)
        #expect(((prod?["extensions"] as? [[String: Any]])?.first?["extension"] as? [String: Any])?["region"] as? String == "eu")
        #expect((Self.item("users", "prod", "user", in: config)?["exec"] as? [String: Any])?["command"] as? String == "login-helper")
        #expect(Self.item("contexts", "prod", "context", in: config)?["namespace"] as? String == "payments")
    }

    @Test func mergeReplacesSameNamedEntriesWholeAndInPlace() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let path = directory.file("config")
        try Self.existingConfig.write(toFile: path, atomically: true, encoding: .utf8)
        try KubeconfigWriter.merge(
            KubeconfigEntry(
                name: "emulator",
                server: "https://127.0.0.1:2222",
                credentials: .clientCertificate(certificatePEM: "CERT", privateKeyPEM: "KEY"),
                namespace: "default"
            ),
            into: path
        )
        let config = try Self.load(path)
        #expect(Self.names("clusters", in: config) == ["prod", "emulator"])
        let cluster = try #require(Self.item("clusters", "emulator", "cluster", in: config))
        #expect(cluster["server"] as? String == "https://127.0.0.1:2222")
        #expect(cluster["proxy-url"] == nil)
        let user = try #require(Self.item("users", "emulator", "user", in: config))
        #expect(user["token"] == nil)
        #expect(user["client-certificate-data"] as? String == Self.base64("CERT"))
        #expect(user["client-key-data"] as? String == Self.base64("KEY"))
        #expect(Self.item("contexts", "emulator", "context", in: config)?["namespace"] as? String == "default")
    }

    @Test func mergeCollapsesDuplicateEntriesWithTheSameName() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let path = directory.file("config")
        try """
            clusters:
            - {name: dup, cluster: {server: "https://a"}}
            - {name: other, cluster: {server: "https://b"}}
            - {name: dup, cluster: {server: "https://c"}}
            """.write(toFile: path, atomically: true, encoding: .utf8)
        try KubeconfigWriter.merge(KubeconfigEntry(name: "dup", server: "https://new", credentials: .token("x")), into: path)
        let config = try Self.load(path)
        #expect(Self.names("clusters", in: config) == ["dup", "other"])
        #expect(Self.item("clusters", "dup", "cluster", in: config)?["server"] as? String == "https://new")
    }

    @Test(arguments: ["current-context: \"\"\n", "current-context: null\n", "current-context:\n", ""])
    func currentContextIsSetOnlyWhenTheFileHasNone(currentContextLine: String) throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let path = directory.file("config")
        try "apiVersion: v1\nkind: Config\n\(currentContextLine)clusters: null\nusers: null\ncontexts: null\n"
            .write(toFile: path, atomically: true, encoding: .utf8)
        try KubeconfigWriter.merge(KubeconfigEntry(name: "first", server: "https://127.0.0.1:1", credentials: .token("a")), into: path)
        try KubeconfigWriter.merge(KubeconfigEntry(name: "second", server: "https://127.0.0.1:2", credentials: .token("b")), into: path)
        let config = try Self.load(path)
        #expect(config["current-context"] as? String == "first")
        #expect(Self.names("contexts", in: config) == ["first", "second"])
    }

    @Test func valuesThatLookLikeNumbersOrBooleansStayStrings() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let path = directory.file("config")
        try KubeconfigWriter.merge(KubeconfigEntry(name: "123", server: "https://127.0.0.1:1", credentials: .token("00042"), namespace: "true"), into: path)
        let config = try Self.load(path)
        #expect(config["current-context"] as? String == "123")
        #expect(Self.item("users", "123", "user", in: config)?["token"] as? String == "00042")
        #expect(Self.item("contexts", "123", "context", in: config)?["namespace"] as? String == "true")
    }

    @Test func anExistingFileKeepsItsMode() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let path = directory.file("config")
        try "kind: Config\n".write(toFile: path, atomically: true, encoding: .utf8)
        try FileManager.default.setAttributes([.posixPermissions: 0o640], ofItemAtPath: path)
        try KubeconfigWriter.merge(KubeconfigEntry(name: "dev", server: "https://127.0.0.1:1", credentials: .token("a")), into: path)
        #expect((try FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? Int) == 0o640)
    }

    @Test func aSymbolicLinkIsFollowedAndKept() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let target = directory.file("real-config")
        let link = directory.file("config")
        try "kind: Config\n".write(toFile: target, atomically: true, encoding: .utf8)
        try FileManager.default.createSymbolicLink(atPath: link, withDestinationPath: target)
        try KubeconfigWriter.merge(KubeconfigEntry(name: "dev", server: "https://127.0.0.1:1", credentials: .token("a")), into: link)
        #expect(try FileManager.default.destinationOfSymbolicLink(atPath: link) == target)
        #expect(Self.names("contexts", in: try Self.load(target)) == ["dev"])
    }

    @Test func aFileThatIsNotAKubeconfigIsLeftAloneWithAHelpfulError() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let path = directory.file("config")
        try "clusters: 42\n".write(toFile: path, atomically: true, encoding: .utf8)
        #expect(throws: KubeconfigWriterError.notAKubeconfig(path: path, reason: "'clusters' is not a list")) {
            try KubeconfigWriter.merge(KubeconfigEntry(name: "dev", server: "https://127.0.0.1:1", credentials: .token("a")), into: path)
        }
        try "- just\n- a list\n".write(toFile: path, atomically: true, encoding: .utf8)
        let error = #expect(throws: KubeconfigWriterError.self) {
            try KubeconfigWriter.merge(KubeconfigEntry(name: "dev", server: "https://127.0.0.1:1", credentials: .token("a")), into: path)
        }
        #expect(error?.description.contains(path) == true)
        #expect(try String(contentsOfFile: path, encoding: .utf8) == "- just\n- a list\n")
        #expect(!FileManager.default.fileExists(atPath: path + ".lock"))
    }

    @Test func anEmptyNameIsRejected() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        #expect(throws: KubeconfigWriterError.emptyName(path: directory.file("config"))) {
            try KubeconfigWriter.merge(KubeconfigEntry(name: "", server: "https://127.0.0.1:1", credentials: .token("a")), into: directory.file("config"))
        }
    }
}
