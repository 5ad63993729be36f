import AsyncHTTPClient
import KubeAPI
import KubeClient
import KubeEmulatorTestSupport
import KubeRuntime
import Logging
import Prometheus
import ServiceLifecycle
import Synchronization
import TandemTestSupport
import Testing

@Suite("Controller runtime: probes, metrics, lifecycle")
struct ControllerRuntimeTests {
    /// Collects the probe server's port.
    final class PortBox: Sendable {
        private let port = Mutex<Int?>(nil)
        func set(_ value: Int) { port.withLock { $0 = value } }
        var value: Int? { port.withLock { $0 } }
    }

    static func get(_ url: String) async throws -> (Int, String) {
        let response = try await HTTPClient.shared.execute(HTTPClientRequest(url: url), timeout: .seconds(5))
        let body = try await response.body.collect(upTo: 4 << 20)
        return (Int(response.status.code), String(buffer: body))
    }

    @Test("serves /healthz, /readyz after sync and controller-runtime metrics; graceful shutdown drains and releases the lease")
    func probesMetricsAndShutdown() async throws {
        try await withTestClusters(["one"]) { clusters in
            let (metrics, _) = RuntimeMetrics.prometheus()
            let registry = (metrics.factory as! PrometheusMetricsFactory).registry
            let set = ClusterSet(clusters.map(\.cluster))
            let reconciled = Tally()
            let controller = Controller(name: "fraudmodel", clusters: set, reconciler: ReconcileFunction { key in
                reconciled.add(key.name)
                return key.name == "fails" ? .after(.seconds(60)) : .done
            }, metrics: metrics)
            controller.watchPrimary(.configMaps, namespace: "default")
            // Patient timings: this leader must keep its lease on a loaded machine until shutdown.
            var options = LeaderElectionOptions(namespace: "default", leaseName: "runtime-test", identity: "me",
                                                leaseDuration: .seconds(8), renewDeadline: .seconds(6), retryPeriod: .milliseconds(300))
            options.releaseOnStop = true
            let elector = LeaderElector(client: clusters[0].client, options: options, metrics: metrics)
            let port = PortBox()
            let exits = Tally()
            let runtime = ControllerRuntime(
                clusters: set, controllers: [controller], elector: elector,
                probes: ProbeServer(host: "127.0.0.1", port: 0, registry: registry, isReady: { set.isReady }, onListening: { port.set($0) }),
                exit: { exits.add("exit \($0)") })
            _ = try await clusters[0].admin.post("/api/v1/namespaces/default/configmaps", configMap("fails"))
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask { try await runtime.run() }
                try await eventually("probes listen") { port.value != nil }
                let base = "http://127.0.0.1:\(port.value!)"
                #expect(try await Self.get(base + "/healthz").0 == 200)
                try await eventually("ready after sync") { try await Self.get(base + "/readyz").0 == 200 }
                _ = try await clusters[0].admin.post("/api/v1/namespaces/default/configmaps", configMap("works"))
                try await eventually("reconciled") { reconciled.count("works") == 1 && reconciled.count("fails") == 1 }
                #expect(elector.isLeader)
                let text = try await Self.get(base + "/metrics").1
                #expect(text.contains(#"controller_runtime_reconcile_total{controller="fraudmodel",result="success"}"#))
                #expect(text.contains(#"controller_runtime_reconcile_total{controller="fraudmodel",result="requeue_after"}"#))
                #expect(text.contains("controller_runtime_reconcile_time_seconds_bucket"))
                #expect(text.contains("workqueue_adds_total"))
                #expect(text.contains("workqueue_depth"))
                #expect(text.contains("workqueue_queue_duration_seconds"))
                #expect(text.contains(#"leader_election_master_status{name="runtime-test"} 1"#))
                runtime.beginShutdown()
                try await group.next()
            }
            #expect(exits.all.isEmpty)
            let lease = try await clusters[0].client.resource(.leases, namespace: "default", as: Lease.self).get("runtime-test")
            #expect(lease.spec?.holderIdentity == "", "the lease is released on shutdown")
        }
    }

    @Test("/metrics shows the client's rest_client_* series beside controller-runtime's when the clients share the factory")
    func clientAndRuntimeMetricsInOneScrape() async throws {
        let (metrics, factory) = RuntimeMetrics.prometheus()
        try await withTestClusters(["one"], metricsFactory: factory) { clusters in
            let set = ClusterSet(clusters.map(\.cluster))
            let reconciled = Tally()
            let controller = Controller(name: "scraped", clusters: set, reconciler: ReconcileFunction { key in
                reconciled.add(key.name)
                return .done
            }, metrics: metrics)
            controller.watchPrimary(.configMaps, namespace: "default")
            let port = PortBox()
            let runtime = ControllerRuntime(
                clusters: set, controllers: [controller],
                probes: ProbeServer(host: "127.0.0.1", port: 0, registry: factory.registry, isReady: { set.isReady }, onListening: { port.set($0) }),
                exit: { _ in })
            _ = try await clusters[0].admin.post("/api/v1/namespaces/default/configmaps", configMap("scraped"))
            let scrape = try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask { try await runtime.run() }
                try await eventually("reconciled") { reconciled.count("scraped") == 1 && port.value != nil }
                let text = try await Self.get("http://127.0.0.1:\(port.value!)/metrics").1
                runtime.beginShutdown()
                try await group.next()
                return PrometheusScrape(text)
            }
            let host = clusters[0].client.configuration.host
            let client = KubeClientMetrics.Names.self
            #expect(scrape.types[client.requests] == "counter")
            #expect(scrape.types[client.requestDuration] == "histogram")
            let requests = scrape.samples(client.requests)
            #expect(!requests.isEmpty && requests.allSatisfy { Set($0.labels.keys) == ["code", "method", "host"] && $0.labels["host"] == host })
            #expect(requests.contains { $0.labels["code"] == "200" && $0.labels["method"] == "GET" && $0.value >= 1 }, "the informer's list")
            #expect(scrape.samples(client.requestDuration + "_count").contains { $0.labels == ["verb": "GET", "host": host] && $0.value >= 1 })
            let bounds = scrape.samples(client.requestDuration + "_bucket").filter { $0.labels["verb"] == "GET" }.compactMap { $0.labels["le"].flatMap(Double.init) }
            #expect(bounds.filter(\.isFinite) == [0.005, 0.025, 0.1, 0.25, 0.5, 1, 2, 4, 8, 15, 30, 60], "client-go's buckets")
            let runtimeNames = RuntimeMetrics.Names.self
            #expect(scrape.samples(runtimeNames.reconcileTotal).contains { $0.labels == ["controller": "scraped", "result": "success"] && $0.value >= 1 })
            #expect(scrape.samples(runtimeNames.adds).contains { $0.labels == ["name": "scraped", "controller": "scraped", "cluster": "one"] && $0.value >= 1 })
            #expect(scrape.types[runtimeNames.reconcileTime] == "histogram")
        }
    }

    @Test("losing the lease stops reconciling at once and calls the exit hook with 1")
    func leaseLossExits() async throws {
        try await withTestClusters(["one"]) { clusters in
            let set = ClusterSet(clusters.map(\.cluster))
            let started = Tally()
            let controller = Controller(name: "loss", clusters: set, reconciler: ReconcileFunction { key in
                started.add("started")
                await waitForCancellation()
                started.add("cancelled")
                return .done
            })
            controller.watchPrimary(.configMaps, namespace: "default")
            let options = LeaderElectionOptions(namespace: "default", leaseName: "loss-test", identity: "me",
                                                leaseDuration: .seconds(2), renewDeadline: .milliseconds(1500), retryPeriod: .milliseconds(200))
            let elector = LeaderElector(client: clusters[0].client, options: options)
            let exits = Tally()
            let runtime = ControllerRuntime(clusters: set, controllers: [controller], elector: elector, exit: { exits.add("exit \($0)") })
            _ = try await clusters[0].admin.post("/api/v1/namespaces/default/configmaps", configMap("busy"))
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask {
                    await #expect(throws: KubeRuntimeError.self) { try await runtime.run() }
                }
                try await eventually("a reconcile is in flight") { started.count("started") == 1 }
                try await takeLease("loss-test", as: "someone-else", client: clusters[0].client)
                try await group.next()
            }
            #expect(exits.count("exit 1") == 1)
            #expect(started.count("cancelled") == 1, "the in-flight reconcile was cancelled")
        }
    }

    @Test("SIGTERM through a ServiceGroup stops intake, finishes the in-flight reconcile and returns normally")
    func gracefulShutdownThroughServiceGroup() async throws {
        try await withTestClusters(["one"]) { clusters in
            let set = ClusterSet(clusters.map(\.cluster))
            let progress = Tally()
            let controller = Controller(name: "drain", clusters: set, reconciler: ReconcileFunction { key in
                progress.add("started \(key.name)")
                try await Task.sleep(for: .milliseconds(300))
                progress.add("finished \(key.name)")
                return .done
            })
            controller.watchPrimary(.configMaps, namespace: "default")
            let exits = Tally()
            let runtime = ControllerRuntime(clusters: set, controllers: [controller], exit: { exits.add("exit \($0)") })
            var logger = Logger(label: "runtime-test")
            logger.logLevel = .error
            let group = ServiceGroup(configuration: .init(services: [.init(service: runtime)], logger: logger))
            _ = try await clusters[0].admin.post("/api/v1/namespaces/default/configmaps", configMap("slow"))
            try await withThrowingTaskGroup(of: Void.self) { tasks in
                tasks.addTask { try await group.run() }
                try await eventually("the reconcile is in flight") { progress.count("started slow") == 1 }
                await group.triggerGracefulShutdown()
                try await tasks.next()
            }
            #expect(progress.count("finished slow") == 1, "in-flight work finished before the service returned")
            #expect(exits.all.isEmpty)
        }
    }
}
