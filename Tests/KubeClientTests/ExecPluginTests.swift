import Foundation
import KubeAPI
import KubeClient
import KubeEmulator
import KubeEmulatorTestSupport
import Synchronization
import TandemTestSupport
import Testing

/// A credential plugin that counts its runs, records what it was given, and prints an
/// ExecCredential expiring in `EXPIRY_SECONDS` (2 by default). The first `BAD_RUNS` runs print a
/// token the emulator refuses.
let execPluginScript = #"""
#!/bin/bash
set -euo pipefail
dir="$(dirname "$0")"
count=$(( $(cat "$dir/runs" 2>/dev/null || echo 0) + 1 ))
echo "$count" > "$dir/runs"
printf '%s' "${KUBERNETES_EXEC_INFO:-}" > "$dir/exec-info.json"
echo "$*" > "$dir/args"
echo "${TANDEM_PLUGIN_ENV:-unset}" > "$dir/env"
token="$GOOD_TOKEN"
if [ "$count" -le "${BAD_RUNS:-0}" ]; then token="refused-token-$count"; fi
expiry=$(date -u -d "+${EXPIRY_SECONDS:-2} seconds" +%Y-%m-%dT%H:%M:%SZ)
printf '{"apiVersion":"%s","kind":"ExecCredential","status":{"token":"%s","expirationTimestamp":"%s"}}\n' "$API_VERSION" "$token" "$expiry"
"""#

struct ExecPluginFixture {
    let directory: TemporaryDirectory
    let kubeconfigPath: String

    init(emulator: KubeEmulator, apiVersion: String = "client.authentication.k8s.io/v1beta1", badRuns: Int = 0, expirySeconds: Int = 2) throws {
        directory = try TemporaryDirectory()
        _ = try directory.write("plugin.sh", execPluginScript, executable: true)
        let ca = Data(emulator.pki!.caCertificatePEM.utf8).base64EncodedString()
        // A relative command with a slash resolves against the kubeconfig's directory, as in client-go.
        kubeconfigPath = try directory.write("config", """
        apiVersion: v1
        kind: Config
        current-context: exec
        clusters:
        - name: emulator
          cluster:
            server: \(emulator.url)
            certificate-authority-data: \(ca)
        users:
        - name: plugin
          user:
            exec:
              apiVersion: \(apiVersion)
              command: ./plugin.sh
              args: ["get-token", "--cluster", "emulator"]
              env:
              - {name: GOOD_TOKEN, value: \(emulatorToken)}
              - {name: API_VERSION, value: \(apiVersion)}
              - {name: BAD_RUNS, value: "\(badRuns)"}
              - {name: EXPIRY_SECONDS, value: "\(expirySeconds)"}
              - {name: TANDEM_PLUGIN_ENV, value: from-kubeconfig}
              provideClusterInfo: true
              interactiveMode: Never
        contexts:
        - name: exec
          context: {cluster: emulator, user: plugin, namespace: default}
        """)
    }

    var runs: Int { Int(directory.read("runs")?.trimmingCharacters(in: .whitespacesAndNewlines) ?? "0") ?? 0 }

    func configuration() throws -> KubeClientConfiguration {
        var configuration = try KubeClientConfiguration.fromKubeconfig(path: kubeconfigPath)
        configuration.retry = RetryPolicy(maxAttempts: 3, initialBackoff: .milliseconds(20), maxBackoff: .milliseconds(100))
        return configuration
    }
}

/// A wall clock that stands still until a test moves it.
final class ManualWallClock: Sendable {
    private let current = Mutex<Date>(Date())
    var now: Date { current.withLock { $0 } }
    func advance(by seconds: TimeInterval) { current.withLock { $0 += seconds } }
}

@Suite("Exec credential plugins")
struct ExecPluginTests {
    @Test("the plugin's credential is cached until shortly before it expires, then refreshed (injected clock)")
    func cachesUntilExpiry() async throws {
        try await withTLSEmulator { emulator, _ in
            let fixture = try ExecPluginFixture(emulator: emulator)
            defer { fixture.directory.cleanup() }
            guard case .exec(let exec) = try fixture.configuration().authentication else { Issue.record("expected exec"); return }
            let clock = ManualWallClock()
            let plugin = ExecCredentialPlugin(config: exec, environment: ProcessInfo.processInfo.environment, now: { clock.now })
            let first = try await plugin.credentials()
            let second = try await plugin.credentials()
            #expect(first == second && fixture.runs == 1)
            // The credential expires 2 s after the plugin ran (however slowly it started): a minute
            // later it must be refreshed. The frozen clock before that keeps it cached.
            clock.advance(by: 60)
            _ = try await plugin.credentials()
            let runCount = await plugin.runCount
            #expect(fixture.runs == 2 && runCount == 2)
        }
    }

    @Test("a client refreshes the plugin's 2-second credential as requests go on")
    func refreshesInRealTime() async throws {
        try await withTLSEmulator { emulator, _ in
            let fixture = try ExecPluginFixture(emulator: emulator)
            defer { fixture.directory.cleanup() }
            try await withClient(try fixture.configuration()) { client in
                let maps = client.resource(.configMaps)
                _ = try await maps.list()
                #expect(fixture.runs == 1)
                try await eventually("a refresh before expiry", within: .seconds(8)) {
                    _ = try await maps.list()
                    return fixture.runs >= 2
                }
                #expect(emulator.requestCount(code: 401) == 0)
            }
        }
    }

    @Test("the plugin gets its args, env and KUBERNETES_EXEC_INFO with the cluster")
    func execInfo() async throws {
        try await withTLSEmulator { emulator, _ in
            let fixture = try ExecPluginFixture(emulator: emulator, apiVersion: "client.authentication.k8s.io/v1")
            defer { fixture.directory.cleanup() }
            try await withClient(try fixture.configuration()) { client in
                _ = try await client.resource(.configMaps).list()
            }
            #expect(fixture.directory.read("args")?.contains("get-token --cluster emulator") == true)
            #expect(fixture.directory.read("env")?.contains("from-kubeconfig") == true)
            let info = try JSONValue(parsing: fixture.directory.read("exec-info.json") ?? "")
            #expect(info["apiVersion"] == "client.authentication.k8s.io/v1" && info["kind"] == "ExecCredential")
            #expect(info[path: ["spec", "interactive"]] == false)
            #expect(info[path: ["spec", "cluster", "server"]]?.stringValue == emulator.url)
            let ca = try #require(info[path: ["spec", "cluster", "certificate-authority-data"]]?.stringValue)
            #expect(Data(base64Encoded: ca).map { String(decoding: $0, as: UTF8.self) } == emulator.pki!.caCertificatePEM)
        }
    }

    @Test("a 401 runs the plugin once more and retries the request")
    func unauthorizedRefreshesOnce() async throws {
        try await withTLSEmulator { emulator, _ in
            let fixture = try ExecPluginFixture(emulator: emulator, badRuns: 1, expirySeconds: 3600)
            defer { fixture.directory.cleanup() }
            try await withClient(try fixture.configuration()) { client in
                let created = try await client.resource(.configMaps).create(configMap("after-refresh"))
                #expect(created.name == "after-refresh")
                #expect(fixture.runs == 2)
                #expect(emulator.requestCount(code: 401) == 1)
                #expect(emulator.requestCount(verb: "create", resource: "configmaps", code: 201) == 1)
            }
        }
    }

    @Test("a plugin whose tokens are always refused: one refresh, then the 401 is thrown")
    func unauthorizedOnlyOnce() async throws {
        try await withTLSEmulator { emulator, _ in
            let fixture = try ExecPluginFixture(emulator: emulator, badRuns: 100, expirySeconds: 3600)
            defer { fixture.directory.cleanup() }
            try await withClient(try fixture.configuration()) { client in
                let error = try await #require(throws: KubeError.self) { try await client.resource(.configMaps).get("x") }
                #expect(error.isUnauthorized)
                #expect(fixture.runs == 2)
                #expect(emulator.requestCount(code: 401) == 2)
            }
        }
    }

    @Test("a long-running watch keeps working across credential refreshes; each reconnect uses a fresh credential")
    func watchAcrossRefreshes() async throws {
        try await withTLSEmulator { emulator, admin in
            let fixture = try ExecPluginFixture(emulator: emulator)
            defer { fixture.directory.cleanup() }
            try await withClient(try fixture.configuration()) { client in
                let maps = client.resource(.configMaps, namespace: "default", as: ConfigMap.self)
                let start = try await maps.list()
                let names = (0..<12).map { "watched-\($0)" }
                // timeoutSeconds 1: the server ends each connection after a second, so the watch
                // reconnects about five times while credentials expire every two seconds.
                let watch = maps.watchResuming(WatchParameters(resourceVersion: start.metadata.resourceVersion, timeoutSeconds: 1))
                async let seen: [String] = withDeadline(.seconds(30), "all watch events") {
                    var seen: [String] = []
                    for try await event in watch {
                        if case .added(let map) = event, let name = map.metadata.name { seen.append(name) }
                        if seen.count == names.count { break }
                    }
                    return seen
                }
                for name in names {
                    let response = try await admin.post("/api/v1/namespaces/default/configmaps", configMap(name))
                    #expect(response.status == 201)
                    try await Task.sleep(for: .milliseconds(450))
                }
                #expect(try await seen == names)
                #expect(fixture.runs >= 2)
                #expect(emulator.requestCount(verb: "watch", resource: "configmaps") >= 3)
                #expect(emulator.requestCount(code: 401) == 0)
            }
        }
    }

    @Test("a failing plugin's error names the command and its stderr")
    func failingPlugin() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.cleanup() }
        let script = try directory.write("fail.sh", "#!/bin/bash\necho 'please run aws sso login' >&2\nexit 3\n", executable: true)
        let plugin = ExecCredentialPlugin(config: Kubeconfig.ExecConfig(
            apiVersion: ExecCredentialPlugin.v1, command: script, args: [], env: [], provideClusterInfo: false, interactiveMode: "Never"))
        let error = try await #require(throws: KubeClientError.self) { try await plugin.credentials() }
        #expect("\(error)".contains("status 3") && "\(error)".contains("aws sso login"))
        let missing = ExecCredentialPlugin(config: Kubeconfig.ExecConfig(
            apiVersion: ExecCredentialPlugin.v1, command: "tandem-no-such-plugin", args: [], env: [], provideClusterInfo: false,
            interactiveMode: "Never", installHint: "install it from example.com"))
        let missingError = try await #require(throws: KubeClientError.self) { try await missing.credentials() }
        #expect("\(missingError)".contains("install it from example.com"))
    }

    @Test("refresh time is the smaller of 10 s and 10% of the lifetime before expiry")
    func refreshTime() {
        let start = Date(timeIntervalSince1970: 1_000)
        #expect(ExecCredentialPlugin.refreshTime(obtained: start, expiry: start + 2) == start + 1.8)
        #expect(ExecCredentialPlugin.refreshTime(obtained: start, expiry: start + 900) == start + 890)
        #expect(ExecCredentialPlugin.refreshTime(obtained: start, expiry: start + 50) == start + 45)
    }
}
