import AsyncHTTPClient
import KubeAPI
import KubeClient
import KubeRuntime
import NIOCore
import NIOPosix
import Synchronization
import TandemTestSupport
import Testing

@Suite("Liveness: /healthz fails only when the process is wedged")
struct LivenessTests {
    @Test("a hung reconcile turns /healthz 500 naming it; ?verbose lists every check as kube-apiserver does")
    func hungReconcileFailsHealthz() async throws {
        try await withTestClusters(["one"]) { clusters in
            let set = ClusterSet(clusters.map(\.cluster))
            let controller = Controller(name: "fraudmodel", clusters: set, reconciler: ReconcileFunction { key in
                if key.name == "hangs" { try await Task.sleep(for: .seconds(3600)) }
                return .done
            })
            controller.watchPrimary(.configMaps, namespace: "default")
            let port = ControllerRuntimeTests.PortBox()
            let box = RuntimeBox()
            let runtime = ControllerRuntime(
                clusters: set, controllers: [controller],
                probes: ProbeServer(host: "127.0.0.1", port: 0, registry: nil, isReady: { set.isReady },
                                    liveness: { box.runtime?.livenessChecks() ?? [] }, onListening: { port.set($0) }),
                liveness: LivenessOptions(reconcileStallBound: .seconds(1)))
            box.runtime = runtime
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask { try await runtime.run() }
                defer { group.cancelAll() }
                try await eventually("probes listen") { port.value != nil }
                let base = "http://127.0.0.1:\(port.value!)"
                try await eventually("ready") { try await ControllerRuntimeTests.get(base + "/readyz").0 == 200 }
                let (status, body) = try await ControllerRuntimeTests.get(base + "/healthz")
                #expect(status == 200)
                #expect(body == "ok")
                let verbose = try await ControllerRuntimeTests.get(base + "/healthz?verbose").1
                #expect(verbose.contains("[+]ping ok\n[+]scheduler ok\n[+]informers ok\n[+]reconcilers ok\nhealthz check passed"))

                _ = try await clusters[0].admin.post("/api/v1/namespaces/default/configmaps", configMap("hangs"))
                try await eventually("the hung reconcile fails liveness") {
                    try await ControllerRuntimeTests.get(base + "/healthz").0 == 500
                }
                let failed = try await ControllerRuntimeTests.get(base + "/healthz").1
                #expect(failed.contains("[-]reconcilers failed: fraudmodel one/default/hangs running for"))
                #expect(failed.contains("[+]informers ok"))
                #expect(failed.hasSuffix("healthz check failed\n"))
            }
        }
    }

    @Test("an informer that takes no step past its bound fails the informers check; its next event clears it")
    func stalledInformerFailsUntilItSteps() async throws {
        try await withTestClusters(["one"]) { clusters in
            let clock = ManualClock()
            var options = InformerOptions(watchTimeoutSeconds: 300...300)
            options.clock = clock
            let cluster = Cluster(name: "one", client: clusters[0].client, informerOptions: options)
            let informer = cluster.informer(for: .configMaps, namespace: "default")
            let set = ClusterSet([cluster])
            let runtime = ControllerRuntime(clusters: set, controllers: [],
                                            liveness: LivenessOptions(informerStallBound: .seconds(900)))
            try await whileRunning({ await set.run() }) {
                try await eventually("synced and watching") {
                    if case .watching = informer.state { return true }
                    return false
                }
                #expect(runtime.livenessChecks().first { $0.name == "informers" }?.failure == nil)
                clock.advance(by: .seconds(901))
                let stalled = runtime.livenessChecks().first { $0.name == "informers" }?.failure ?? ""
                #expect(stalled.contains("one configmaps took no step for"), "\(stalled)")
                _ = try await clusters[0].admin.post("/api/v1/namespaces/default/configmaps", configMap("wakes"))
                try await eventually("the event is a step") {
                    runtime.livenessChecks().first { $0.name == "informers" }?.failure == nil
                }
            }
        }
    }

    @Test("a blocked event loop fails the scheduler check, naming the loop; it passes again once the loop runs")
    func blockedEventLoopFailsScheduler() async throws {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 2)
        let clock = ManualClock()
        let heartbeat = SchedulerHeartbeat(clock: clock, group: group)
        let release = Mutex<Bool>(false)
        let blocked = Mutex<Bool>(false)
        let loops = Array(group.makeIterator())
        heartbeat.beat()
        try await eventually("both loops beat") {
            clock.advance(by: .milliseconds(1))
            return heartbeat.check(bound: .seconds(30)).failure == nil
        }
        loops[1].execute {
            blocked.withLock { $0 = true }
            while !release.withLock({ $0 }) { usleep(1000) }
        }
        try await eventually("loop 1 blocked") { blocked.withLock { $0 } }
        clock.advance(by: .seconds(31))
        heartbeat.beat()
        try await eventually("loop 0 beat again") {
            heartbeat.check(bound: .seconds(30)).failure?.contains("event loop 0") == false
        }
        let failure = heartbeat.check(bound: .seconds(30)).failure ?? ""
        #expect(failure.contains("event loop 1 of 2 ran no task for 31 s"), "\(failure)")
        #expect(!failure.contains("concurrency pool"))
        release.withLock { $0 = true }
        try await eventually("loop 1 beats once released") { heartbeat.check(bound: .seconds(30)).failure == nil }
        try await group.shutdownGracefully()
    }
}

/// Lets a probe closure reach the runtime built after it.
private final class RuntimeBox: @unchecked Sendable {
    // Written once before the runtime runs, then only read.
    var runtime: ControllerRuntime?
}
