import Foundation
import KubeAPI
import KubeClient
import KubeEmulator
import KubeEmulatorTestSupport
import TandemTestSupport
import Testing

/// A v1 plugin running `script`, never interactive.
func execConfig(_ script: String, env: [(name: String, value: String)] = []) -> Kubeconfig.ExecConfig {
    Kubeconfig.ExecConfig(apiVersion: ExecCredentialPlugin.v1, command: script, env: env, interactiveMode: "Never")
}

@Suite("Exec credential plugins that misbehave")
struct ExecPluginTimeoutTests {
    @Test("a plugin ignoring SIGTERM is killed with its whole process group: an error within timeout + grace, no process left")
    func stubbornPluginIsKilled() async throws {
        try await withPluginScript(PluginScripts.stubborn) { script, processes in
            let plugin = ExecCredentialPlugin(config: execConfig(script), timeout: .seconds(1))
            // 1 s timeout + 2 s grace: 10 s is only the ceiling of a broken bound.
            let error = try await withDeadline(.seconds(10), "the plugin's error") {
                await #expect(throws: KubeClientError.self) { try await plugin.credentials() }
            }
            #expect("\(error.map { "\($0)" } ?? "")".contains("did not finish within"))
            #expect(processes.pids.count == 2)
            try await eventually("the plugin and its child are gone", within: .seconds(5)) { processes.running.isEmpty }
        }
    }

    @Test("a plugin that exits while a child holds its stdout: the run ends with the plugin, the child is killed", arguments: [false, true])
    func leftoverChildDoesNotHoldTheRun(printsCredential: Bool) async throws {
        try await withPluginScript(PluginScripts.leakyWrapper) { script, processes in
            // The plugin's own timeout is a minute: the run must end long before it, when the wrapper exits.
            let plugin = ExecCredentialPlugin(config: execConfig(script, env: [("PRINT", printsCredential ? "yes" : "no")]), timeout: .seconds(60))
            let result: Result<Credentials, any Error> = try await withDeadline(.seconds(10), "the plugin's result") {
                do { return .success(try await plugin.credentials()) } catch { return .failure(error) }
            }
            switch result {
            case .success(let credentials):
                #expect(printsCredential && credentials.bearerToken == "wrapped-token")
            case .failure(let error):
                #expect(!printsCredential && "\(error)".contains("did not print an ExecCredential"))
            }
            try await eventually("the wrapper and its child are gone", within: .seconds(5)) { processes.pids.count == 2 && processes.running.isEmpty }
        }
    }

    @Test("requests sharing one hung plugin run each fail within their request timeout; the run still ends by its own timeout")
    func sharedHungRunIsBoundedPerRequest() async throws {
        try await withTLSEmulator { emulator, _ in
            try await withPluginScript(PluginScripts.stubborn) { script, processes in
                let plugin = ExecCredentialPlugin(config: execConfig(script), timeout: .seconds(4))
                var configuration = clientConfiguration(emulator, authentication: .provider(plugin))
                configuration.requestTimeout = .seconds(1)
                configuration.retry = .none
                try await withClient(configuration) { client in
                    let outcomes = try await withDeadline(.seconds(10), "every request's outcome") {
                        await withTaskGroup(of: String.self) { group in
                            for _ in 0..<3 {
                                group.addTask { (try? await client.resource(.configMaps).list()).map { _ in "listed" } ?? "failed" }
                            }
                            return await group.reduce(into: [String]()) { $0.append($1) }
                        }
                    }
                    #expect(outcomes == ["failed", "failed", "failed"])
                    let error = await #expect(throws: KubeClientError.self) { try await client.resource(.configMaps).list() }
                    #expect("\(error.map { "\($0)" } ?? "")".contains("no credentials within"))
                    #expect(processes.pids.count == 2, "the requests share one run")
                    #expect(emulator.requestCount(verb: "list", resource: "configmaps") == 0, "no request went out without credentials")
                }
                try await eventually("the run ended by its own timeout, leaving no process", within: .seconds(15)) {
                    processes.pids.count == 2 && processes.running.isEmpty
                }
            }
        }
    }
}
