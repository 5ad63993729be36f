import KubeAPI
import KubeEmulator
import KubeEmulatorTestSupport
import TandemTestSupport
import Testing

@Suite("workload simulation: deployments, replica sets, pods")
struct WorkloadSimulationTests {
    static func simulated(_ configuration: inout KubeEmulatorConfiguration) {
        configuration.simulateWorkloads = true
        configuration.podReadySeconds = 0.2
        configuration.unpullableImages = "unpullable\\.example"
    }

    @Test("a Deployment gets the API server's defaults")
    func defaults() async throws {
        try await withEmulator { client in
            let created = try await client.post(Fixtures.deployments(), Fixtures.deployment("web"))
            #expect(created.status == 201)
            let spec = try #require(created.json["spec"])
            #expect(spec[path: ["strategy", "type"]] == "RollingUpdate")
            #expect(spec[path: ["strategy", "rollingUpdate", "maxSurge"]] == "25%")
            #expect(spec["progressDeadlineSeconds"] == 600 && spec["revisionHistoryLimit"] == 10)
            let container = try #require(spec[path: ["template", "spec", "containers"]]?[0])
            #expect(container["imagePullPolicy"] == "IfNotPresent")
            #expect(container["terminationMessagePath"] == "/dev/termination-log")
            #expect(container[path: ["ports"]]?[0]?["protocol"] == "TCP")
            var unlabelled = Fixtures.deployment("bad")
            unlabelled[path: ["spec", "template", "metadata", "labels"]] = ["app": "other"]
            let rejected = try await client.post(Fixtures.deployments(), unlabelled)
            #expect(rejected.status == 422)
            #expect(rejected.statusObject?.causes.first?.message.contains("`selector` does not match template `labels`") == true)
        }
    }

    @Test("a Deployment rolls out: replica set, ready pods, status and conditions as the controller writes them")
    func rollout() async throws {
        try await withEmulator(Self.simulated) { client in
            _ = try await client.post(Fixtures.deployments(), Fixtures.deployment("web", replicas: 3))
            let ready = try await client.eventually(Fixtures.deployments() + "/web") { $0[path: ["status", "availableReplicas"]] == 3 }
            let status = try #require(ready["status"])
            #expect(status["observedGeneration"] == 1 && status["updatedReplicas"] == 3 && status["readyReplicas"] == 3)
            #expect(status["unavailableReplicas"] == nil)
            let conditions = status["conditions"]?.arrayValue ?? []
            #expect(conditions.contains { $0["type"] == "Available" && $0["status"] == "True" && $0["reason"] == "MinimumReplicasAvailable" })
            #expect(conditions.contains { $0["type"] == "Progressing" && $0["reason"] == "NewReplicaSetAvailable" })
            let pods = try await client.get("/api/v1/namespaces/default/pods?labelSelector=app%3Dweb").json["items"]?.arrayValue ?? []
            #expect(pods.count == 3)
            let pod = try #require(pods.first)
            #expect(pod[path: ["status", "phase"]] == "Running")
            #expect(pod[path: ["metadata", "ownerReferences"]]?[0]?["kind"] == "ReplicaSet")
            let hash = try #require(pod[path: ["metadata", "labels", "pod-template-hash"]]?.stringValue)
            #expect(pod[path: ["metadata", "name"]]?.stringValue?.hasPrefix("web-\(hash)-") == true)
            let sets = try await client.get("/apis/apps/v1/namespaces/default/replicasets").json["items"]?.arrayValue ?? []
            #expect(sets.count == 1 && sets.first?[path: ["status", "readyReplicas"]] == 3)
        }
    }

    @Test("a new image rolls pods over within maxSurge and maxUnavailable, and ends with only new pods")
    func rollingUpdate() async throws {
        try await withEmulator(Self.simulated) { client in
            var deployment = Fixtures.deployment("web", replicas: 4)
            deployment[path: ["spec", "strategy"]] = ["type": "RollingUpdate", "rollingUpdate": ["maxSurge": 1, "maxUnavailable": 0]]
            _ = try await client.post(Fixtures.deployments(), deployment)
            try await client.eventually(Fixtures.deployments() + "/web") { $0[path: ["status", "availableReplicas"]] == 4 }
            let before = try await client.get("/api/v1/namespaces/default/pods").json
            var live: [String: Bool] = [:]
            for pod in before["items"]?.arrayValue ?? [] {
                live[pod[path: ["metadata", "name"]]?.stringValue ?? ""] = (pod[path: ["status", "conditions"]]?.arrayValue ?? []).contains { $0["type"] == "Ready" && $0["status"] == "True" }
            }
            #expect(live.count == 4 && live.values.allSatisfy { $0 })
            let watch = try await client.watch("/api/v1/namespaces/default/pods?watch=true&resourceVersion=\(before[path: ["metadata", "resourceVersion"]]!.stringValue!)")
            _ = try await client.patch(Fixtures.deployments() + "/web", ["spec": ["template": ["spec": ["containers": [["name": "app", "image": "registry.example/app:2"]]]]]],
                                       type: "application/strategic-merge-patch+json")
            var maxPods = 0
            var minReady = Int.max
            var trace: [String] = []
            let finished = try await client.eventually(Fixtures.deployments() + "/web") {
                $0[path: ["status", "updatedReplicas"]] == 4 && $0[path: ["status", "replicas"]] == 4 && $0[path: ["status", "availableReplicas"]] == 4
                    && $0[path: ["status", "observedGeneration"]] == 2
            }
            #expect(finished[path: ["metadata", "generation"]] == 2)
            while let event = try? await watch.next(within: .milliseconds(300)) {
                let name = event[path: ["object", "metadata", "name"]]?.stringValue ?? ""
                if event["type"] == "DELETED" { live[name] = nil } else {
                    live[name] = (event[path: ["object", "status", "conditions"]]?.arrayValue ?? []).contains { $0["type"] == "Ready" && $0["status"] == "True" }
                }
                trace.append("\(event["type"]?.stringValue ?? "") \(name) ready=\(live[name] ?? false) -> \(live.count) pods, \(live.values.filter { $0 }.count) ready")
                maxPods = max(maxPods, live.count)
                if live.count >= 4 { minReady = min(minReady, live.values.filter { $0 }.count) }
            }
            #expect(maxPods <= 5, "\(trace.joined(separator: "\n"))")
            #expect(minReady >= 4, "\(trace.joined(separator: "\n"))")
            let pods = try await client.get("/api/v1/namespaces/default/pods").json["items"]?.arrayValue ?? []
            #expect(pods.count == 4)
            #expect(pods.allSatisfy { $0[path: ["spec", "containers"]]?[0]?["image"] == "registry.example/app:2" })
        }
    }

    @Test("an unpullable image never gets ready and the rollout exceeds its progress deadline; fixing the image recovers")
    func stuckRollout() async throws {
        try await withEmulator(Self.simulated) { client in
            var deployment = Fixtures.deployment("web", image: "unpullable.example/app:1", replicas: 2)
            deployment[path: ["spec", "progressDeadlineSeconds"]] = 1
            _ = try await client.post(Fixtures.deployments(), deployment)
            let stuck = try await client.eventually(Fixtures.deployments() + "/web") { deployment in
                (deployment[path: ["status", "conditions"]]?.arrayValue ?? []).contains { $0["reason"] == "ProgressDeadlineExceeded" && $0["status"] == "False" }
            }
            #expect(stuck[path: ["status", "availableReplicas"]] == nil)
            let pod = try #require(try await client.get("/api/v1/namespaces/default/pods").json["items"]?[0])
            #expect(pod[path: ["status", "containerStatuses"]]?[0]?[path: ["state", "waiting", "reason"]] == "ImagePullBackOff")
            try client.emulator.setUnpullableImages(nil)
            try await client.eventually(Fixtures.deployments() + "/web") { $0[path: ["status", "availableReplicas"]] == 2 }
        }
    }

    @Test("scaling through the scale subresource changes the pods; Scale reports the selector")
    func scale() async throws {
        try await withEmulator(Self.simulated) { client in
            _ = try await client.post(Fixtures.deployments(), Fixtures.deployment("web", replicas: 1))
            let scale = try await client.patch(Fixtures.deployments() + "/web/scale", ["spec": ["replicas": 3]])
            #expect(scale.json[path: ["status", "selector"]] == "app=web")
            try await client.eventually(Fixtures.deployments() + "/web") { $0[path: ["status", "readyReplicas"]] == 3 }
            _ = try await client.patch(Fixtures.deployments() + "/web/scale", ["spec": ["replicas": 0]])
            try await client.eventually("/api/v1/namespaces/default/pods") { $0["items"]?.arrayValue?.isEmpty == true }
        }
    }

    @Test("once converged the simulator writes nothing at all")
    func quietWhenConverged() async throws {
        try await withEmulator(Self.simulated) { client in
            _ = try await client.post(Fixtures.deployments(), Fixtures.deployment("a", replicas: 2))
            _ = try await client.post(Fixtures.deployments(), Fixtures.deployment("b", replicas: 3))
            try await client.installWidgetCRD()
            try await client.createWidget("w")
            try await client.eventually(Fixtures.deployments() + "/b") { $0[path: ["status", "availableReplicas"]] == 3 }
            try await client.eventually(Fixtures.deployments() + "/a") { $0[path: ["status", "availableReplicas"]] == 2 }
            try await Task.sleep(for: .milliseconds(300))
            let settled = client.emulator.currentResourceVersion
            try await Task.sleep(for: .seconds(1.5))
            #expect(client.emulator.currentResourceVersion == settled)
            #expect(try await client.get(Fixtures.widgets() + "/w").json["status"] == nil)
        }
    }
}

@Suite("deletion propagation and garbage collection")
struct GarbageCollectionTests {
    @Test("background: dependents of a deleted owner are collected, across kinds")
    func background() async throws {
        try await withEmulator { client in
            try await client.installWidgetCRD()
            let owner = try await client.createWidget("owner")
            _ = try await client.post("/api/v1/namespaces/default/configmaps", Fixtures.configMap("owned", owner: owner))
            _ = try await client.post("/api/v1/namespaces/default/configmaps", Fixtures.configMap("free"))
            #expect(try await client.delete(Fixtures.widgets() + "/owner").status == 200)
            try await client.eventually("/api/v1/namespaces/default/configmaps") { list in
                let names = list["items"]?.arrayValue?.compactMap { $0[path: ["metadata", "name"]]?.stringValue } ?? []
                return names == ["free"]
            }
        }
    }

    @Test("orphan: dependents stay and lose their owner reference")
    func orphan() async throws {
        try await withEmulator { client in
            let owner = try await client.post("/api/v1/namespaces/default/configmaps", Fixtures.configMap("owner")).json
            _ = try await client.post("/api/v1/namespaces/default/configmaps", Fixtures.configMap("owned", owner: owner))
            #expect(try await client.delete("/api/v1/namespaces/default/configmaps/owner", ["propagationPolicy": "Orphan"]).status == 200)
            let owned = try await client.eventually("/api/v1/namespaces/default/configmaps/owned") { $0[path: ["metadata", "ownerReferences"]] == nil }
            #expect(owned[path: ["metadata", "name"]] == "owned")
            #expect(try await client.get("/api/v1/namespaces/default/configmaps/owner").status == 404)
        }
    }

    @Test("foreground: the owner waits with foregroundDeletion until its dependents are gone")
    func foreground() async throws {
        try await withEmulator { client in
            let owner = try await client.post("/api/v1/namespaces/default/configmaps", Fixtures.configMap("owner")).json
            var held = Fixtures.configMap("held", owner: owner)
            held[path: ["metadata", "finalizers"]] = ["example.com/hold"]
            _ = try await client.post("/api/v1/namespaces/default/configmaps", held)
            let deleting = try await client.delete("/api/v1/namespaces/default/configmaps/owner", ["propagationPolicy": "Foreground"])
            #expect(deleting.json[path: ["metadata", "finalizers"]] == ["foregroundDeletion"])
            #expect(deleting.json[path: ["metadata", "deletionTimestamp"]] != nil)
            let dependent = try await client.get("/api/v1/namespaces/default/configmaps/held").json
            #expect(dependent[path: ["metadata", "deletionTimestamp"]] != nil)
            #expect(try await client.get("/api/v1/namespaces/default/configmaps/owner").status == 200)
            _ = try await client.patch("/api/v1/namespaces/default/configmaps/held", ["metadata": ["finalizers": nil]])
            try await client.eventually("/api/v1/namespaces/default/configmaps") { $0["items"]?.arrayValue?.isEmpty == true }
        }
    }

    @Test("deleting a Deployment collects its replica sets and pods")
    func deploymentCascade() async throws {
        try await withEmulator(WorkloadSimulationTests.simulated) { client in
            _ = try await client.post(Fixtures.deployments(), Fixtures.deployment("web", replicas: 2))
            try await client.eventually(Fixtures.deployments() + "/web") { $0[path: ["status", "readyReplicas"]] == 2 }
            _ = try await client.delete(Fixtures.deployments() + "/web")
            try await client.eventually("/api/v1/namespaces/default/pods") { $0["items"]?.arrayValue?.isEmpty == true }
            try await client.eventually("/apis/apps/v1/namespaces/default/replicasets") { $0["items"]?.arrayValue?.isEmpty == true }
        }
    }

    @Test("an object created with an owner that does not exist is collected")
    func danglingOwner() async throws {
        try await withEmulator { client in
            let ghost: JSONValue = ["apiVersion": "v1", "kind": "ConfigMap", "metadata": ["name": "ghost", "uid": "00000000-0000-0000-0000-000000000001"]]
            _ = try await client.post("/api/v1/namespaces/default/configmaps", Fixtures.configMap("orphaned", owner: ghost))
            try await client.eventually("/api/v1/namespaces/default/configmaps/orphaned") { $0["code"] == 404 }
        }
    }
}

@Suite("more kinds: events.k8s.io, RBAC, PDB")
struct MoreKindsTests {
    @Test("events.k8s.io/v1 and v1 events share storage, each in its own shape, with regarding/involvedObject selectors")
    func events() async throws {
        try await withEmulator { client in
            let event: JSONValue = [
                "apiVersion": "events.k8s.io/v1", "kind": "Event",
                "metadata": ["name": "e1"], "eventTime": "2026-01-01T00:00:00.000000Z",
                "regarding": ["kind": "Widget", "name": "w", "namespace": "default", "uid": "u-1"],
                "note": "Rolled out", "reason": "RolloutStarted", "type": "Normal",
                "reportingController": "tandem.dev/operator", "reportingInstance": "op-1", "action": "Rollout",
            ]
            #expect(try await client.post("/apis/events.k8s.io/v1/namespaces/default/events", event).status == 201)
            let core = try await client.get("/api/v1/namespaces/default/events/e1").json
            #expect(core["involvedObject"]?["name"] == "w")
            #expect(core["message"] == "Rolled out")
            #expect(core["reportingComponent"] == "tandem.dev/operator")
            let modern = try await client.get("/apis/events.k8s.io/v1/namespaces/default/events?fieldSelector=regarding.name%3Dw").json
            #expect(modern["items"]?[0]?["note"] == "Rolled out")
            #expect(modern["items"]?[0]?["apiVersion"] == "events.k8s.io/v1")
            let selected = try await client.get("/api/v1/namespaces/default/events?fieldSelector=involvedObject.uid%3Du-1,involvedObject.kind%3DWidget").json
            #expect(selected["items"]?.arrayValue?.count == 1)
        }
    }

    @Test("RBAC objects and PodDisruptionBudgets are stored and served", arguments: [
        ("/apis/rbac.authorization.k8s.io/v1/namespaces/default/roles", "Role"),
        ("/apis/rbac.authorization.k8s.io/v1/clusterroles", "ClusterRole"),
        ("/apis/rbac.authorization.k8s.io/v1/namespaces/default/rolebindings", "RoleBinding"),
        ("/apis/rbac.authorization.k8s.io/v1/clusterrolebindings", "ClusterRoleBinding"),
        ("/apis/policy/v1/namespaces/default/poddisruptionbudgets", "PodDisruptionBudget"),
    ])
    func storedKinds(path: String, kind: String) async throws {
        try await withEmulator { client in
            let group = path.contains("rbac") ? "rbac.authorization.k8s.io/v1" : "policy/v1"
            let object: JSONValue = ["apiVersion": .string(group), "kind": .string(kind), "metadata": ["name": "x"], "rules": [["apiGroups": [""], "resources": ["pods"], "verbs": ["get"]]]]
            let created = try await client.post(path, object)
            #expect(created.status == 201)
            #expect(try await client.get(path + "/x").json["kind"] == .string(kind))
        }
    }
}
