import Foundation
import KubeAPI
import KubeClient
import KubeEmulator
import KubeEmulatorTestSupport
import Synchronization
import TandemTestSupport
import Testing
@testable import KubeRuntime

/// Records reconciles: per key, the peak concurrency overall and of the same key.
final class ReconcileLog: Sendable {
    private struct State {
        var counts: [ObjectKey: Int] = [:]
        var running: Set<ObjectKey> = []
        var active = 0
        var peak = 0
        var sameKeyOverlap = 0
        var firstSeen: [ObjectKey: ContinuousClock.Instant] = [:]
    }

    private let state = Mutex(State())

    func begin(_ key: ObjectKey) {
        state.withLock { state in
            if state.running.contains(key) { state.sameKeyOverlap += 1 }
            state.running.insert(key)
            state.active += 1
            state.peak = max(state.peak, state.active)
            state.counts[key, default: 0] += 1
            if state.firstSeen[key] == nil { state.firstSeen[key] = .now }
        }
    }

    func end(_ key: ObjectKey) {
        state.withLock { state in
            state.running.remove(key)
            state.active -= 1
        }
    }

    func count(_ key: ObjectKey) -> Int { state.withLock { $0.counts[key, default: 0] } }
    func firstSeen(_ key: ObjectKey) -> ContinuousClock.Instant? { state.withLock { $0.firstSeen[key] } }
    var peak: Int { state.withLock { $0.peak } }
    var sameKeyOverlap: Int { state.withLock { $0.sameKeyOverlap } }
    var total: Int { state.withLock { $0.counts.values.reduce(0, +) } }
}

@Suite("Controller against kube-emulator")
struct ControllerTests {
    @Test("caches that miss cacheSyncTimeout are reported (clustersNotSynced) while the controller keeps waiting; they start once synced")
    func cacheSyncTimeoutIsReported() async throws {
        try await withTestClusters(["slow"]) { clusters in
            let slow = clusters[0]
            let fault = try await slow.admin.post("/_emulator/faults", ["verb": "list", "resource": "configmaps", "status": 503])
            #expect(fault.status == 201)
            let set = ClusterSet(clusters.map(\.cluster))
            let log = ReconcileLog()
            let controller = Controller(name: "late", clusters: set, reconciler: ReconcileFunction { key in
                log.begin(key)
                log.end(key)
                return .done
            }, options: ControllerOptions(cacheSyncTimeout: .milliseconds(300)))
            controller.watchPrimary(.configMaps, namespace: "default")
            _ = try await slow.admin.post("/api/v1/namespaces/default/configmaps", configMap("waiting"))
            try await whileRunning({
                await withTaskGroup(of: Void.self) { group in
                    group.addTask { await set.run() }
                    group.addTask { await controller.run() }
                }
            }) {
                try await eventually("the late cluster is reported") { controller.clustersNotSynced == ["slow"] }
                #expect(log.count(ObjectKey(cluster: "slow", namespace: "default", name: "waiting")) == 0)
                _ = try await slow.admin.delete("/_emulator/faults")
                try await eventually("it syncs and reconciles", within: .seconds(30)) {
                    log.count(ObjectKey(cluster: "slow", namespace: "default", name: "waiting")) == 1
                }
                #expect(controller.clustersNotSynced.isEmpty)
            }
        }
    }

    @Test("one cluster's outage (refused, then hanging) does not stop the other's reconciles; both recover")
    func outageIsolation() async throws {
        try await withTestClusters(["eks", "gke"]) { clusters in
            let set = ClusterSet(clusters.map(\.cluster))
            let log = ReconcileLog()
            let controller = Controller(name: "outage", clusters: set, reconciler: ReconcileFunction { key in
                log.begin(key)
                defer { log.end(key) }
                // A reconcile that talks to its own cluster, as real ones do.
                _ = try await clusters.first { $0.cluster.name == key.cluster }!.client.resource(.configMaps, namespace: key.namespace).getIfExists(key.name)
                return .done
            })
            controller.watchPrimary(.configMaps, namespace: "default")
            try await whileRunning({
                await withTaskGroup(of: Void.self) { group in
                    group.addTask { await set.run() }
                    group.addTask { await controller.run() }
                }
            }) {
                let eks = clusters[0], gke = clusters[1]
                _ = try await eks.admin.post("/api/v1/namespaces/default/configmaps", configMap("first"))
                _ = try await gke.admin.post("/api/v1/namespaces/default/configmaps", configMap("first"))
                try await eventually("both clusters reconcile") {
                    log.count(ObjectKey(cluster: "eks", namespace: "default", name: "first")) >= 1
                        && log.count(ObjectKey(cluster: "gke", namespace: "default", name: "first")) >= 1
                }
                for mode in ["refuse", "hang"] {
                    eks.emulator.setOutage(mode)
                    eks.emulator.closeAllWatches()
                    try await eventually("eks is seen unreachable (\(mode))", within: .seconds(20)) { !set.reachability(of: "eks").isReachable }
                    var latencies: [Duration] = []
                    for index in 0..<5 {
                        let name = "during-\(mode)-\(index)"
                        let created = ContinuousClock.now
                        _ = try await gke.admin.post("/api/v1/namespaces/default/configmaps", configMap(name))
                        let key = ObjectKey(cluster: "gke", namespace: "default", name: name)
                        try await eventually("gke reconciles \(name) during the eks outage") { log.count(key) >= 1 }
                        latencies.append(log.firstSeen(key)! - created)
                    }
                    let worst = latencies.max()!
                    print("gke reconcile latency during eks outage (\(mode)): worst \(worst), all \(latencies)")
                    #expect(worst < .seconds(2), "the healthy cluster keeps reconciling promptly")
                    eks.emulator.setOutage("serve")
                    _ = try await eks.admin.post("/api/v1/namespaces/default/configmaps", configMap("after-\(mode)"))
                    try await eventually("eks recovers after the \(mode) outage", within: .seconds(30)) {
                        log.count(ObjectKey(cluster: "eks", namespace: "default", name: "after-\(mode)")) >= 1
                    }
                    // The probe clears its verdict at its next answer (every 5 s), not with the informers'.
                    try await eventually("eks is reachable again after the \(mode) outage", within: .seconds(15)) {
                        set.reachability(of: "eks") == .reachable
                    }
                }
                #expect(log.sameKeyOverlap == 0)
            }
            controller.shutDown()
        }
    }

    @Test("an owned object's change enqueues its owner, in its cluster or across the fleet")
    func ownerReferences() async throws {
        try await withTestClusters(["eks", "gke"]) { clusters in
            let set = ClusterSet(clusters.map(\.cluster))
            let log = ReconcileLog()
            let reconciler = ReconcileFunction { key in
                log.begin(key)
                log.end(key)
                return .done
            }
            let local = Controller(name: "local", clusters: set, reconciler: reconciler)
            local.owns(.deployments, ownerKind: "ConfigMap", ownerGroup: "", namespace: "default")
            let fleetLog = ReconcileLog()
            let fleet = Controller(name: "fleet", clusters: set, reconciler: ReconcileFunction { key in
                fleetLog.begin(key)
                fleetLog.end(key)
                return .done
            })
            fleet.owns(.deployments, ownerKind: "ConfigMap", ownerGroup: "", namespace: "default", mapping: .fleet)
            try await whileRunning({
                await withTaskGroup(of: Void.self) { group in
                    group.addTask { await set.run() }
                    group.addTask { await local.run() }
                    group.addTask { await fleet.run() }
                }
            }) {
                let owner = try await clusters[0].admin.post("/api/v1/namespaces/default/configmaps", configMap("model")).json
                var deployment = Fixtures.deployment("model-serving")
                deployment[path: ["metadata", "ownerReferences"]] = [[
                    "apiVersion": "v1", "kind": "ConfigMap", "name": "model", "uid": owner[path: ["metadata", "uid"]] ?? "", "controller": true,
                ]]
                let response = try await clusters[0].admin.post(Fixtures.deployments(), deployment)
                #expect(response.status == 201, "\(response.text)")
                try await eventually("the owner is reconciled in its cluster") { log.count(ObjectKey(cluster: "eks", namespace: "default", name: "model")) >= 1 }
                try await eventually("the fleet owner is reconciled in every cluster") {
                    fleetLog.count(ObjectKey(cluster: "eks", namespace: "default", name: "model")) >= 1
                        && fleetLog.count(ObjectKey(cluster: "gke", namespace: "default", name: "model")) >= 1
                }
                #expect(log.count(ObjectKey(cluster: "gke", namespace: "default", name: "model")) == 0)
                #expect(log.count(ObjectKey(cluster: "eks", namespace: "default", name: "model-serving")) == 0)
            }
            local.shutDown()
            fleet.shutDown()
        }
    }

    @Test("max concurrent reconciles is honoured and the same key never runs twice at once")
    func maxConcurrency() async throws {
        try await withTestClusters(["one"]) { clusters in
            let set = ClusterSet(clusters.map(\.cluster))
            let log = ReconcileLog()
            let controller = Controller(name: "concurrency", clusters: set, reconciler: ReconcileFunction { key in
                log.begin(key)
                defer { log.end(key) }
                try await Task.sleep(for: .milliseconds(20))
                return .done
            }, options: ControllerOptions(maxConcurrentReconciles: 3))
            controller.watchPrimary(.configMaps, namespace: "default", predicate: .always)
            try await whileRunning({
                await withTaskGroup(of: Void.self) { group in
                    group.addTask { await set.run() }
                    group.addTask { await controller.run() }
                }
            }) {
                try await eventually("synced") { set.clusters[0].hasSynced }
                for index in 0..<12 { _ = try await clusters[0].admin.post("/api/v1/namespaces/default/configmaps", configMap("cm-\(index)")) }
                for _ in 0..<5 {
                    for index in 0..<12 { controller.enqueue(ObjectKey(cluster: "one", namespace: "default", name: "cm-\(index)")) }
                }
                try await eventually("every key reconciled") {
                    (0..<12).allSatisfy { log.count(ObjectKey(cluster: "one", namespace: "default", name: "cm-\($0)")) >= 1 }
                        && controller.queue(for: "one")!.depth == 0 && controller.queue(for: "one")!.processingCount == 0
                }
                #expect(log.peak == 3)
                #expect(log.sameKeyOverlap == 0)
            }
            controller.shutDown()
        }
    }

    @Test("errors are retried with backoff and a shut-down controller finishes in-flight work")
    func errorsRetryAndDrain() async throws {
        try await withTestClusters(["one"]) { clusters in
            let set = ClusterSet(clusters.map(\.cluster))
            let attempts = Tally()
            let finished = Tally()
            let controller = Controller(name: "retry", clusters: set, reconciler: ReconcileFunction { key in
                attempts.add(key.name)
                if key.name == "flaky", attempts.count(key.name) < 4 { throw TestFailure("transient") }
                if key.name == "slow" {
                    try await Task.sleep(for: .milliseconds(300))
                    finished.add("slow")
                }
                return .done
            })
            controller.watchPrimary(.configMaps, namespace: "default")
            try await whileRunning({ await set.run() }) {
                try await withThrowingTaskGroup(of: Void.self) { group in
                    group.addTask { await controller.run() }
                    _ = try await clusters[0].admin.post("/api/v1/namespaces/default/configmaps", configMap("flaky"))
                    try await eventually("flaky succeeds on its 4th attempt") { attempts.count("flaky") == 4 }
                    #expect(controller.queue(for: "one")!.failures(ObjectKey(cluster: "one", namespace: "default", name: "flaky")) == 0)
                    _ = try await clusters[0].admin.post("/api/v1/namespaces/default/configmaps", configMap("slow"))
                    try await eventually("slow started") { attempts.count("slow") == 1 }
                    controller.shutDown()
                    try await group.next()
                    #expect(finished.count("slow") == 1, "the in-flight reconcile finished before run() returned")
                }
            }
        }
    }

    // client-go's ShutDownWithDrain: intake stops, in-flight items finish, then workers return.
    @Test("shutDown drains: in-flight reconciles finish uncancelled, queued keys do not start, nothing is requeued")
    func shutDownDrainsInFlightWork() async throws {
        try await withTestClusters(["one"]) { clusters in
            let set = ClusterSet(clusters.map(\.cluster))
            let progress = Tally()
            let gate = Gate()
            let controller = Controller(name: "drain", clusters: set, reconciler: ReconcileFunction { key in
                progress.add("started \(key.name)")
                await gate.wait()
                progress.add(Task.isCancelled ? "cancelled \(key.name)" : "finished \(key.name)")
                if key.name == "fails" { throw TestFailure("a failure after shutdown is not retried") }
                return .after(.milliseconds(1))
            }, options: ControllerOptions(maxConcurrentReconciles: 2))
            controller.watchPrimary(.configMaps, namespace: "default", predicate: .always)
            let queue = try #require(controller.queue(for: "one"))
            for name in ["fails", "requeues"] { _ = try await clusters[0].admin.post("/api/v1/namespaces/default/configmaps", configMap(name)) }
            try await whileRunning({ await set.run() }) {
                defer { gate.open() }
                try await withThrowingTaskGroup(of: Void.self) { group in
                    group.addTask { await controller.run() }
                    try await eventually("both workers busy") { progress.count("started fails") == 1 && progress.count("started requeues") == 1 }
                    _ = try await clusters[0].admin.post("/api/v1/namespaces/default/configmaps", configMap("queued"))
                    try await eventually("a third key waits") { queue.depth == 1 }
                    controller.shutDown()
                    #expect(queue.processingCount == 2)
                    gate.open()
                    try await group.next()
                }
            }
            #expect(progress.count("finished fails") == 1 && progress.count("finished requeues") == 1, "in-flight reconciles finished before run() returned: \(progress.all)")
            #expect(progress.count("started queued") == 0, "a key still queued at shutdown is not started")
            #expect(progress.all.filter { $0.key.hasPrefix("started") }.values.reduce(0, +) == 2, "nothing requeued after shutdown")
            #expect(queue.processingCount == 0 && queue.dueTime(ObjectKey(cluster: "one", namespace: "default", name: "requeues")) == nil)
        }
    }

    @Test("every primary object is reconciled again after the resync period (10 h by default), on the injected clock")
    func periodicResync() async throws {
        try await withTestClusters(["one"]) { clusters in
            let set = ClusterSet(clusters.map(\.cluster))
            let log = ReconcileLog()
            let clock = ManualClock()
            #expect(ControllerOptions().resyncPeriod == .seconds(36_000))
            let controller = Controller(name: "resync", clusters: set, reconciler: ReconcileFunction { key in
                log.begin(key)
                log.end(key)
                return .done
            }, options: ControllerOptions(clock: clock))
            controller.watchPrimary(.configMaps, namespace: "default")
            for name in ["a", "b"] { _ = try await clusters[0].admin.post("/api/v1/namespaces/default/configmaps", configMap(name)) }
            try await whileRunning({
                await withTaskGroup(of: Void.self) { group in
                    group.addTask { await set.run() }
                    group.addTask { await controller.run() }
                }
            }) {
                let a = ObjectKey(cluster: "one", namespace: "default", name: "a"), b = ObjectKey(cluster: "one", namespace: "default", name: "b")
                try await eventually("first reconciles") { log.count(a) == 1 && log.count(b) == 1 }
                try await eventually("resync timer waiting") { clock.sleeperCount == 1 }
                clock.advance(by: .seconds(35_999))
                #expect(log.count(a) == 1, "nothing before the period")
                clock.advance(by: .seconds(1))
                try await eventually("resynced") { log.count(a) == 2 && log.count(b) == 2 }
            }
            controller.shutDown()
        }
    }
}
