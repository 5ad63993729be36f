import KubeAPI
import KubeClient
import KubeEmulator
import KubeEmulatorTestSupport
import KubeRuntime
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

    static func cacheState(_ cache: ObjectCache) -> [String: String] {
        var state: [String: String] = [:]
        for item in cache.list(namespace: "default") { state[item.name ?? ""] = item["data"]?["v"]?.stringValue ?? "" }
        return state
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
