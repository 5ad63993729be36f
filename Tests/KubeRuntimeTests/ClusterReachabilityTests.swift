import Foundation
import KubeAPI
import KubeClient
import KubeEmulatorTestSupport
import KubeRuntime
import Logging
import Prometheus
import TandemTestSupport
import Testing

@Suite("Cluster reachability: silent servers and credentials that never come")
struct ClusterReachabilityTests {
    static var quietLogger: Logger {
        var logger = Logger(label: "runtime-test")
        logger.logLevel = .error
        return logger
    }

    @Test("a silent API server (connections open, nothing answered) is unreachable within 30 s with production defaults; once it answers, watches restart")
    func silentServerIsNoticed() async throws {
        try await withEmulator { admin in
            try await withTCPRelay(to: admin.emulator.port) { relay in
                // Production defaults throughout: request timeout, retries, 5–10 minute watches, the probe.
                var configuration = KubeClientConfiguration(server: "http://127.0.0.1:\(relay.port)", name: "peer")
                configuration.userAgent = "\(runtimeTestUserAgent)/1.0"
                let (metrics, factory) = RuntimeMetrics.prometheus()
                let http = KubeClient.makeHTTPClient(for: [configuration])
                let client = try KubeClient(configuration: configuration, httpClient: http, logger: Self.quietLogger, metricsFactory: factory)
                let cluster = Cluster(name: "peer", client: client, metrics: metrics, logger: Self.quietLogger)
                let informer = cluster.informer(for: .configMaps, namespace: "default")
                let reachable = { PrometheusScrape(factory.registry).samples("tandem_cluster_reachable").first { $0.labels["cluster"] == "peer" }?.value }
                do {
                    try await whileRunning({ await cluster.run() }) {
                        try await eventually("reachable and synced") { cluster.reachability.isReachable && informer.hasSynced }
                        #expect(reachable() == 1)
                        let watches = admin.emulator.requestCount(verb: "watch", resource: "configmaps")
                        relay.silence()
                        let silenced = ContinuousClock.now
                        try await eventually("the silent server reported unreachable", within: .seconds(30)) { !cluster.reachability.isReachable }
                        print("silent API server reported unreachable after \(ContinuousClock.now - silenced)")
                        guard case .unreachable(let reason) = cluster.reachability else { throw TestFailure("expected unreachable") }
                        #expect(reason.contains("did not answer"), "\(reason)")
                        #expect(reachable() == 0)
                        // Made while the relay holds everything back; seen only through a new watch.
                        let made = try await admin.post("/api/v1/namespaces/default/configmaps", configMap("made-while-silent"))
                        #expect(made.status == 201)
                        relay.resume()
                        try await eventually("reachable again, the change seen", within: .seconds(60)) {
                            cluster.reachability.isReachable && informer.cache.get(namespace: "default", name: "made-while-silent") != nil
                        }
                        #expect(admin.emulator.requestCount(verb: "watch", resource: "configmaps") > watches, "the silent watch was replaced")
                        #expect(reachable() == 1)
                    }
                    try await http.shutdown()
                } catch {
                    try? await http.shutdown()
                    throw error
                }
            }
        }
    }

    @Test("an exec plugin that hangs makes its cluster unreachable: no credentials within the request timeout")
    func hangingCredentialsMakeTheClusterUnreachable() async throws {
        try await withPluginScript(PluginScripts.stubborn) { script, processes in
            try await withEmulator { admin in
                let plugin = ExecCredentialPlugin(config: Kubeconfig.ExecConfig(
                    apiVersion: ExecCredentialPlugin.v1, command: script, interactiveMode: "Never"), timeout: .seconds(3))
                var configuration = runtimeClientConfiguration(admin.emulator, name: "plugged")
                configuration.authentication = .provider(plugin)
                configuration.requestTimeout = .seconds(1)
                let client = try KubeClient(configuration: configuration, logger: Self.quietLogger)
                let cluster = Cluster(name: "plugged", client: client, informerOptions: fastInformerOptions(), logger: Self.quietLogger)
                _ = cluster.informer(for: .configMaps, namespace: "default")
                try await whileRunning({ await cluster.run() }) {
                    try await eventually("unreachable for want of credentials", within: .seconds(20)) {
                        if case .unreachable(let reason) = cluster.reachability { return reason.contains("no credentials within") }
                        return false
                    }
                }
                try await client.shutdown()
            }
            // The run under way when the cluster stopped ends by its own timeout (3 s + 2 s grace).
            try await eventually("no plugin process left", within: .seconds(15)) { !processes.pids.isEmpty && processes.running.isEmpty }
        }
    }
}

extension PrometheusScrape {
    /// What `registry` exposes now.
    init(_ registry: PrometheusCollectorRegistry) {
        var buffer: [UInt8] = []
        registry.emit(into: &buffer)
        self.init(String(decoding: buffer, as: UTF8.self))
    }
}
