import KubeAPI
import KubeClient
import KubeEmulator
import KubeEmulatorTestSupport
import KubeRuntime
import TandemTestSupport
import Testing

@Suite("Informer against kube-emulator")
struct InformerTests {
    /// Counts each handler event per object name and kind of event.
    static func record(_ informer: Informer, into tally: Tally) {
        informer.addHandler { event in
            switch event {
            case .added(let object): tally.add("added/\(object.name ?? "")")
            case .updated(_, let object): tally.add("updated/\(object.name ?? "")/\(object["data"]?["v"]?.stringValue ?? "")")
            case .deleted(let object): tally.add("deleted/\(object.name ?? "")")
            }
        }
    }

    /// The server's configmaps in `default`, by name → data.v.
    static func serverState(_ admin: EmulatorTestClient) async throws -> [String: String] {
        let list = try await admin.get("/api/v1/namespaces/default/configmaps").json
        var state: [String: String] = [:]
        for item in list["items"]?.arrayValue ?? [] { state[item.name ?? ""] = item["data"]?["v"]?.stringValue ?? "" }
        return state
    }

    /// The cache's configmaps in `default`, by name → data.v.
    static func cacheState(_ cache: ObjectCache) -> [String: String] {
        var state: [String: String] = [:]
        for item in cache.list(namespace: "default") { state[item.name ?? ""] = item["data"]?["v"]?.stringValue ?? "" }
        return state
    }

    /// How the changes of one round reach the informer.
    enum Path: CaseIterable {
        /// Made while the watch is closed and cannot reconnect; replayed from the resume point.
        case replayAfterClose
        /// Made while the watch is closed and cannot reconnect, then compacted away: the resume
        /// point gets 410 and only a relist sees them.
        case relistAfterCompaction
        /// Made while the watch is open.
        case live
    }

    /// Makes every watch of configmaps fail (500) until `allowWatches` is called.
    static func blockWatches(_ admin: EmulatorTestClient) async throws {
        let response = try await admin.post("/_emulator/faults", ["verb": "watch", "resource": "configmaps", "status": 500])
        #expect(response.status < 300, "fault accepted: \(response.text)")
    }

    /// Lifts `blockWatches`.
    static func allowWatches(_ admin: EmulatorTestClient) async throws {
        _ = try await admin.delete("/_emulator/faults")
    }

    // Each round creates 5 configmaps, updates one of the previous round and deletes another;
    // it also updates one of its own and creates and deletes a temporary one. The informer catches
    // up after every round, so it has seen the previous rounds' objects: their changes must reach
    // the handlers exactly once, whichever way they come. Changes to objects it has not seen yet
    // reach it as events only through a watch; a relist sees just their result (state-based, as
    // client-go's): the updated one arrives as one add, the temporary one not at all.
    @Test("no event is lost or duplicated across watch closes and a compacted history (410)")
    func closesAndCompaction() async throws {
        try await withTestClusters(["one"]) { clusters in
            let test = clusters[0]
            let informer = test.cluster.informer(for: .configMaps, namespace: "default")
            let tally = Tally()
            Self.record(informer, into: tally)
            let lists = { test.emulator.requestCount(verb: "list", resource: "configmaps", userAgentPrefix: runtimeTestUserAgent) }
            let path = "/api/v1/namespaces/default/configmaps"
            var expected: [String: Int] = [:]
            try await whileRunning({ await test.cluster.run() }) {
                try await eventually("the cache syncs") { informer.hasSynced }
                for round in 0..<6 {
                    let route = Path.allCases[round % Path.allCases.count]
                    let listsBefore = lists()
                    if route != .live {
                        try await eventually("the watch is open") { test.emulator.openWatchCount == 1 }
                        try await Self.blockWatches(test.admin)
                        test.emulator.closeAllWatches()
                    }
                    for index in 0..<5 {
                        _ = try await test.admin.post(path, configMap("cm-\(round)-\(index)", data: ["v": "0"]))
                        expected["added/cm-\(round)-\(index)"] = 1
                    }
                    if round > 0 {
                        _ = try await test.admin.patch("\(path)/cm-\(round - 1)-0", ["data": ["v": "1"]])
                        _ = try await test.admin.delete("\(path)/cm-\(round - 1)-1")
                        expected["updated/cm-\(round - 1)-0/1"] = 1
                        expected["deleted/cm-\(round - 1)-1"] = 1
                    }
                    _ = try await test.admin.patch("\(path)/cm-\(round)-2", ["data": ["v": "2"]])
                    _ = try await test.admin.post(path, configMap("tmp-\(round)"))
                    _ = try await test.admin.delete("\(path)/tmp-\(round)")
                    if route != .relistAfterCompaction {
                        expected["updated/cm-\(round)-2/2"] = 1
                        expected["added/tmp-\(round)"] = 1
                        expected["deleted/tmp-\(round)"] = 1
                    }
                    if route == .relistAfterCompaction { test.emulator.compactHistory() }
                    if route != .live { try await Self.allowWatches(test.admin) }
                    try await waitUntilCaughtUp(informer, test.emulator)
                    let relisted = lists() > listsBefore
                    #expect(relisted == (route == .relistAfterCompaction), "round \(round) (\(route)): relisted only after the compaction")
                }
                #expect(Self.cacheState(informer.cache) == (try await Self.serverState(test.admin)))
                #expect(informer.cache.count == 6 * 5 - 5)
                let delivered = tally.all
                let wrong = Set(delivered.keys).union(expected.keys).filter { delivered[$0] != expected[$0] }.sorted()
                #expect(wrong.isEmpty, "delivered ≠ expected: \(wrong.map { "\($0): \(delivered[$0] ?? 0) ≠ \(expected[$0] ?? 0)" })")
            }
        }
    }

    // The idle timeout is the watch's timeoutSeconds plus the client's margin: here 30 s − 29.5 s
    // = 0.5 s, while the emulator keeps the watch open for 30 s and sends bookmarks only every
    // 60 s — to the client, a half-open connection.
    @Test("a watch silent for its idle timeout (no events, no bookmarks) is presumed dead and restarted, losing nothing")
    func silentWatchIsRestarted() async throws {
        try await withTestClusters(["one"], configureClient: { $0.watchIdleMargin = .milliseconds(-29_500) }) { clusters in
            let test = clusters[0]
            var options = fastInformerOptions()
            options.namespace = "default"
            options.watchTimeoutSeconds = 30...30
            let idle = Tally()
            let informer = Informer(cluster: "one", client: test.client, resource: .configMaps, options: options) { result in
                if case .failure(let error) = result, case .watchIdle? = error as? KubeClientError { idle.add("idle") }
            }
            let tally = Tally()
            Self.record(informer, into: tally)
            let watches = { test.emulator.requestCount(verb: "watch", resource: "configmaps", userAgentPrefix: runtimeTestUserAgent) }
            try await whileRunning({ await informer.run() }) {
                try await eventually("the first list is done") { informer.state.resourceVersion != nil }
                let listed = informer.state.resourceVersion
                try await eventually("two silent watches are given up and a third opened") { idle.count("idle") >= 2 && watches() >= 3 }
                #expect(informer.state.resourceVersion == listed, "restarts resume from the same resourceVersion")
                try await eventually("abandoned watches are closed at the server") { test.emulator.openWatchCount <= 1 }
                _ = try await test.admin.post("/api/v1/namespaces/default/configmaps", configMap("after-silence"))
                try await waitUntilCaughtUp(informer, test.emulator)
                #expect(tally.all == ["added/after-silence": 1])
            }
            #expect(test.emulator.requestCount(verb: "list", resource: "configmaps", userAgentPrefix: runtimeTestUserAgent) == 1, "no relist")
        }
    }

    @Test("injected 500s and 429s on list and watch delay the sync but do not break it")
    func injectedFailures() async throws {
        try await withTestClusters(["one"]) { clusters in
            let test = clusters[0]
            _ = try await test.admin.post("/api/v1/namespaces/default/configmaps", configMap("before"))
            for (verb, status) in [("list", 500), ("list", 429), ("watch", 500), ("watch", 429)] {
                let fault: JSONValue = ["verb": .string(verb), "resource": "configmaps", "status": .int(Int64(status)), "count": 3, "retryAfterSeconds": 0]
                let response = try await test.admin.post("/_emulator/faults", fault)
                #expect(response.status < 300, "fault accepted: \(response.text)")
            }
            let informer = test.cluster.informer(for: .configMaps, namespace: "default")
            try await whileRunning({ await test.cluster.run() }) {
                try await eventually("the cache syncs") { informer.hasSynced }
                _ = try await test.admin.post("/api/v1/namespaces/default/configmaps", configMap("after"))
                try await eventually("the watch delivers") { informer.cache.get(namespace: "default", name: "after") != nil }
                #expect(informer.cache.get(namespace: "default", name: "before") != nil)
                #expect(test.cluster.reachability == .reachable)
            }
            #expect(test.emulator.requestCount(verb: "list", resource: "configmaps", code: 500) >= 1)
        }
    }

    @Test("a resource the server does not serve makes the cluster unreachable, saying to install its CRD")
    func missingCRD() async throws {
        try await withTestClusters(["one"]) { clusters in
            let test = clusters[0]
            _ = test.cluster.informer(for: .configMaps, namespace: "default")
            _ = test.cluster.informer(for: widgetResource, namespace: "default")
            try await whileRunning({ await test.cluster.run() }) {
                try await eventually("the missing resource is reported") {
                    if case .unreachable(let reason) = test.cluster.reachability {
                        return reason.contains("widgets.example.com") && reason.contains("CustomResourceDefinition")
                    }
                    return false
                }
                try await test.admin.installWidgetCRD()
                try await eventually("reachable once the CRD is served", within: .seconds(20)) { test.cluster.reachability == .reachable }
            }
        }
    }

    @Test("indexes by namespace, owner UID and label, and the managedFields transform")
    func indexesAndTransform() async throws {
        try await withTestClusters(["one"]) { clusters in
            let test = clusters[0]
            let owner = try await test.admin.post("/api/v1/namespaces/default/configmaps", configMap("owner", labels: ["app": "a"])).json
            var owned = configMap("owned", labels: ["app": "b"])
            owned[path: ["metadata", "ownerReferences"]] = [["apiVersion": "v1", "kind": "ConfigMap", "name": "owner", "uid": owner[path: ["metadata", "uid"]] ?? ""]]
            _ = try await test.admin.post("/api/v1/namespaces/default/configmaps", owned)
            _ = try await test.admin.post("/api/v1/namespaces/kube-system/configmaps", configMap("elsewhere", labels: ["app": "a"]))
            let informer = Informer(cluster: "one", client: test.client, resource: .configMaps,
                                    options: fastInformerOptions(transform: ObjectTransforms.stripManagedFields))
            try await whileRunning({ await informer.run() }) {
                try await eventually("the cache syncs") { informer.hasSynced }
                let cache = informer.cache
                #expect(Set(cache.list(namespace: "default").compactMap(\.name)) == ["owner", "owned"])
                #expect(cache.list(ownerUID: owner[path: ["metadata", "uid"]]?.stringValue ?? "").compactMap(\.name) == ["owned"])
                #expect(Set(cache.list(label: "app", value: "a").compactMap(\.name)) == ["owner", "elsewhere"])
                #expect(Set(cache.list(matching: LabelSelector().equals("app", "a")).compactMap(\.namespace)) == ["default", "kube-system"])
                #expect(cache.list().allSatisfy { $0[path: ["metadata", "managedFields"]] == nil })
                _ = try await test.admin.patch("/api/v1/namespaces/default/configmaps/owned", ["metadata": ["labels": ["app": "a"]]])
                try await eventually("the label index follows updates") { cache.list(label: "app", value: "b").isEmpty && cache.list(label: "app", value: "a").count == 3 }
            }
        }
    }
}
