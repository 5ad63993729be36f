import KubeAPI
import KubeEmulator
import KubeEmulatorTestSupport
import Testing

@Suite("object semantics: metadata, resourceVersion, generation, subresources")
struct ObjectSemanticsTests {
    @Test("create sets uid, creationTimestamp, resourceVersion and generation 1")
    func createSetsServerFields() async throws {
        try await withEmulator { client in
            try await client.installWidgetCRD()
            let created = try await client.createWidget("a")
            let metadata = try #require(created["metadata"])
            #expect(metadata["uid"]?.stringValue?.count == 36)
            #expect(metadata["creationTimestamp"]?.stringValue?.hasSuffix("Z") == true)
            #expect(metadata["generation"] == 1)
            #expect(metadata["namespace"] == "default")
            let list = try await client.get(Fixtures.widgets())
            #expect(list.json[path: ["metadata", "resourceVersion"]] == .string(String(client.emulator.currentResourceVersion)))
            #expect(list.json["kind"] == "WidgetList")
        }
    }

    @Test("one global resourceVersion increases with every write, across kinds")
    func globalResourceVersion() async throws {
        try await withEmulator { client in
            try await client.installWidgetCRD()
            let a = try await client.createWidget("a")
            let cm = try await client.post("/api/v1/namespaces/default/configmaps", ["apiVersion": "v1", "kind": "ConfigMap", "metadata": ["name": "c"]])
            let b = try await client.createWidget("b")
            let versions = [a, cm.json, b].compactMap { $0[path: ["metadata", "resourceVersion"]]?.stringValue.flatMap { Int($0) } }
            #expect(versions.count == 3)
            #expect(versions == versions.sorted() && Set(versions).count == 3)
        }
    }

    @Test("concurrent writers with the same resourceVersion: exactly one wins, the rest get 409 Conflict")
    func concurrentConflictingWriters() async throws {
        try await withEmulator { client in
            try await client.installWidgetCRD()
            let created = try await client.createWidget("a")
            let statuses = try await withThrowingTaskGroup(of: Int.self) { group in
                for size in 1...8 {
                    var changed = created
                    changed[path: ["spec", "size"]] = .int(Int64(size))
                    group.addTask { try await client.put(Fixtures.widgets() + "/a", changed).status }
                }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            #expect(statuses.filter { $0 == 200 }.count == 1)
            #expect(statuses.filter { $0 == 409 }.count == 7)
            let stale = try await client.put(Fixtures.widgets() + "/a", created)
            #expect(stale.status == 409)
            #expect(stale.statusObject?.reason == "Conflict")
            #expect(stale.statusObject?.message.contains("the object has been modified") == true)
        }
    }

    @Test("custom resources need resourceVersion on update; built-in kinds do not")
    func unconditionalUpdate() async throws {
        try await withEmulator { client in
            try await client.installWidgetCRD()
            var widget = try await client.createWidget("a")
            widget[path: ["metadata", "resourceVersion"]] = nil
            let rejected = try await client.put(Fixtures.widgets() + "/a", widget)
            #expect(rejected.status == 422)
            #expect(rejected.statusObject?.causes.first?.field == "metadata.resourceVersion")
            _ = try await client.post("/api/v1/namespaces/default/configmaps", ["apiVersion": "v1", "kind": "ConfigMap", "metadata": ["name": "c"], "data": ["a": "1"]])
            let updated = try await client.put("/api/v1/namespaces/default/configmaps/c", ["apiVersion": "v1", "kind": "ConfigMap", "metadata": ["name": "c"], "data": ["a": "2"]])
            #expect(updated.status == 200)
            #expect(updated.json[path: ["data", "a"]] == "2")
        }
    }

    @Test("with a status subresource, only spec changes bump generation")
    func generationWithStatusSubresource() async throws {
        try await withEmulator { client in
            try await client.installWidgetCRD()
            try await client.createWidget("a")
            let path = Fixtures.widgets() + "/a"
            let labelled = try await client.patch(path, ["metadata": ["labels": ["x": "y"]]])
            #expect(labelled.json[path: ["metadata", "generation"]] == 1)
            let status = try await client.patch(path + "/status", ["status": ["phase": "Ready"]])
            #expect(status.json[path: ["metadata", "generation"]] == 1)
            let spec = try await client.patch(path, ["spec": ["size": 5]])
            #expect(spec.json[path: ["metadata", "generation"]] == 2)
        }
    }

    @Test("without a status subresource, every non-metadata change bumps generation, status included")
    func generationWithoutStatusSubresource() async throws {
        try await withEmulator { client in
            try await client.installWidgetCRD(statusSubresource: false)
            try await client.createWidget("a")
            let path = Fixtures.widgets() + "/a"
            let status = try await client.patch(path, ["status": ["phase": "Ready"]])
            #expect(status.json[path: ["metadata", "generation"]] == 2)
            #expect(status.json[path: ["status", "phase"]] == "Ready")
            let labelled = try await client.patch(path, ["metadata": ["annotations": ["a": "b"]]])
            #expect(labelled.json[path: ["metadata", "generation"]] == 2)
            let missing = try await client.get(path + "/status")
            #expect(missing.status == 404)
        }
    }

    @Test("the main resource ignores status; /status changes only status")
    func statusSubresourceRules() async throws {
        try await withEmulator { client in
            try await client.installWidgetCRD()
            try await client.createWidget("a")
            let path = Fixtures.widgets() + "/a"
            let ignored = try await client.patch(path, ["status": ["phase": "Sneaky"]])
            #expect(ignored.json["status"] == nil)
            let statusWrite = try await client.patch(path + "/status", ["spec": ["size": 9], "metadata": ["labels": ["l": "v"]], "status": ["phase": "Ready"]])
            #expect(statusWrite.status == 200)
            #expect(statusWrite.json[path: ["status", "phase"]] == "Ready")
            #expect(statusWrite.json[path: ["spec", "size"]] == 3)
            #expect(statusWrite.json[path: ["metadata", "labels"]] == nil)
            var created = try await client.get(path).json
            created["status"] = ["phase": "Replaced"]
            created[path: ["spec", "size"]] = 4
            let put = try await client.put(path + "/status", created)
            #expect(put.json[path: ["status", "phase"]] == "Replaced")
            #expect(put.json[path: ["spec", "size"]] == 3)
        }
    }

    @Test("a write that changes nothing stores nothing and bumps nothing")
    func noOpWrite() async throws {
        try await withEmulator { client in
            try await client.installWidgetCRD()
            let created = try await client.createWidget("a")
            let before = client.emulator.currentResourceVersion
            let same = try await client.put(Fixtures.widgets() + "/a", created)
            #expect(same.status == 200)
            #expect(same.json[path: ["metadata", "resourceVersion"]] == created[path: ["metadata", "resourceVersion"]])
            let patched = try await client.patch(Fixtures.widgets() + "/a", ["spec": ["size": 3]])
            #expect(patched.status == 200)
            #expect(client.emulator.currentResourceVersion == before)
        }
    }

    @Test("immutable metadata: name mismatch is rejected, uid and creationTimestamp are kept")
    func immutableMetadata() async throws {
        try await withEmulator { client in
            try await client.installWidgetCRD()
            let created = try await client.createWidget("a")
            var renamed = created
            renamed[path: ["metadata", "name"]] = "b"
            #expect(try await client.put(Fixtures.widgets() + "/a", renamed).status == 400)
            var changed = created
            changed[path: ["metadata", "creationTimestamp"]] = "2000-01-01T00:00:00Z"
            changed[path: ["spec", "size"]] = 4
            let updated = try await client.put(Fixtures.widgets() + "/a", changed)
            #expect(updated.json[path: ["metadata", "creationTimestamp"]] == created[path: ["metadata", "creationTimestamp"]])
            var otherUID = updated.json
            otherUID[path: ["metadata", "uid"]] = "00000000-0000-0000-0000-000000000000"
            #expect(try await client.put(Fixtures.widgets() + "/a", otherUID).status == 409)
        }
    }

    @Test("generateName appends a random suffix")
    func generateName() async throws {
        try await withEmulator { client in
            let response = try await client.post("/api/v1/namespaces/default/configmaps", ["apiVersion": "v1", "kind": "ConfigMap", "metadata": ["generateName": "cfg-"]])
            #expect(response.status == 201)
            let name = try #require(response.json[path: ["metadata", "name"]]?.stringValue)
            #expect(name.hasPrefix("cfg-") && name.count == 9)
        }
    }

    @Test("finalizers hold a delete until the last one is removed")
    func finalizers() async throws {
        try await withEmulator { client in
            try await client.installWidgetCRD()
            var widget = Fixtures.widget("held")
            widget[path: ["metadata", "finalizers"]] = ["example.com/cleanup"]
            #expect(try await client.post(Fixtures.widgets(), widget).status == 201)
            let deleted = try await client.delete(Fixtures.widgets() + "/held")
            #expect(deleted.status == 200)
            #expect(deleted.json[path: ["metadata", "deletionTimestamp"]] != nil)
            #expect(try await client.get(Fixtures.widgets() + "/held").status == 200)
            let released = try await client.patch(Fixtures.widgets() + "/held", ["metadata": ["finalizers": nil]])
            #expect(released.status == 200)
            #expect(try await client.get(Fixtures.widgets() + "/held").status == 404)
        }
    }

    @Test("delete preconditions on uid and resourceVersion")
    func deletePreconditions() async throws {
        try await withEmulator { client in
            try await client.installWidgetCRD()
            let created = try await client.createWidget("a")
            let wrongUID = try await client.delete(Fixtures.widgets() + "/a", ["preconditions": ["uid": "nope"]])
            #expect(wrongUID.status == 409)
            #expect(wrongUID.statusObject?.message.contains("Precondition failed: UID in precondition: nope") == true)
            let wrongRV = try await client.delete(Fixtures.widgets() + "/a", ["preconditions": ["resourceVersion": "1"]])
            #expect(wrongRV.status == 409)
            let ok = try await client.delete(Fixtures.widgets() + "/a", ["preconditions": ["uid": created[path: ["metadata", "uid"]]!]])
            #expect(ok.status == 200)
        }
    }

    @Test("deleting a namespace deletes its content, then itself; creating in it meanwhile is forbidden")
    func namespaceDeletion() async throws {
        try await withEmulator { client in
            try await client.installWidgetCRD()
            #expect(try await client.post("/api/v1/namespaces", ["apiVersion": "v1", "kind": "Namespace", "metadata": ["name": "team"]]).status == 201)
            var held = Fixtures.widget("held")
            held[path: ["metadata", "finalizers"]] = ["example.com/x"]
            #expect(try await client.post(Fixtures.widgets("team"), held).status == 201)
            try await client.createWidget("free", namespace: "team")
            let deleting = try await client.delete("/api/v1/namespaces/team")
            #expect(deleting.json[path: ["status", "phase"]] == "Terminating")
            #expect(try await client.get(Fixtures.widgets("team") + "/free").status == 404)
            let blocked = try await client.post(Fixtures.widgets("team"), Fixtures.widget("new"))
            #expect(blocked.status == 403)
            #expect(blocked.statusObject?.message.contains("because it is being terminated") == true)
            _ = try await client.patch(Fixtures.widgets("team") + "/held", ["metadata": ["finalizers": nil]])
            #expect(try await client.get("/api/v1/namespaces/team").status == 404)
        }
    }

    @Test("secrets turn stringData into base64 data; services get a cluster IP and port defaults")
    func builtinDefaults() async throws {
        try await withEmulator { client in
            let secret = try await client.post("/api/v1/namespaces/default/secrets", ["apiVersion": "v1", "kind": "Secret", "metadata": ["name": "s"], "stringData": ["k": "hunter2"]])
            #expect(secret.json[path: ["data", "k"]] == "aHVudGVyMg==")
            #expect(secret.json["stringData"] == nil)
            #expect(secret.json["type"] == "Opaque")
            let service = try await client.post("/api/v1/namespaces/default/services", [
                "apiVersion": "v1", "kind": "Service", "metadata": ["name": "web"],
                "spec": ["type": "LoadBalancer", "selector": ["app": "web"], "ports": [["port": 80]]],
            ])
            #expect(service.status == 201)
            #expect(service.json[path: ["spec", "clusterIP"]]?.stringValue?.hasPrefix("10.96.") == true)
            let port = try #require(service.json[path: ["spec", "ports"]]?[0])
            #expect(port["protocol"] == "TCP" && port["targetPort"] == 80)
            #expect((30000...32767).contains(port["nodePort"]?.intValue ?? 0))
            let badName = try await client.post("/api/v1/namespaces/default/services", ["apiVersion": "v1", "kind": "Service", "metadata": ["name": "1web"]])
            #expect(badName.status == 422)
        }
    }

    @Test("scale subresource reads and writes spec.replicas")
    func scaleSubresource() async throws {
        try await withEmulator { client in
            try await client.installWidgetCRD()
            try await client.createWidget("a")
            let scale = try await client.get(Fixtures.widgets() + "/a/scale")
            #expect(scale.json["kind"] == "Scale")
            #expect(scale.json[path: ["spec", "replicas"]] == 1)
            var desired = scale.json
            desired[path: ["spec", "replicas"]] = 4
            let put = try await client.send(.PUT, Fixtures.widgets() + "/a/scale", json: desired, contentType: nil)
            #expect(put.status == 200)
            #expect(try await client.get(Fixtures.widgets() + "/a").json[path: ["spec", "replicas"]] == 4)
            let stale = try await client.send(.PUT, Fixtures.widgets() + "/a/scale", json: desired, contentType: nil)
            #expect(stale.status == 409)
        }
    }
}

@Suite("request bodies kube-apiserver accepts")
struct RequestBodyTests {
    @Test("a DELETE whose DeleteOptions come as protobuf (Helm's storage driver) is understood")
    func protobufDeleteOptions() async throws {
        try await withEmulator { client in
            _ = try await client.post("/api/v1/namespaces/default/configmaps", Fixtures.configMap("doomed"))
            // k8s\0 + runtime.Unknown{typeMeta{apiVersion "v1", kind "DeleteOptions"}, raw: DeleteOptions{propagationPolicy: "Background"}}
            let typeMeta: [UInt8] = [0x0A, 0x02] + Array("v1".utf8) + [0x12, 0x0D] + Array("DeleteOptions".utf8)
            let options: [UInt8] = [0x22, 0x0A] + Array("Background".utf8)
            let unknown: [UInt8] = [0x0A, UInt8(typeMeta.count)] + typeMeta + [0x12, UInt8(options.count)] + options
            let body = Array("k8s".utf8) + [0] + unknown
            let response = try await client.send(.DELETE, "/api/v1/namespaces/default/configmaps/doomed", rawBody: body, contentType: "application/vnd.kubernetes.protobuf")
            #expect(response.status == 200, "\(response.text)")
            // A completed delete of a built-in kind answers with a Success Status, as kube-apiserver does.
            #expect(response.json["kind"] == "Status" && response.json["status"] == "Success")
            #expect(response.json[path: ["details", "name"]] == "doomed")
            #expect(try await client.get("/api/v1/namespaces/default/configmaps/doomed").status == 404)
        }
    }

    @Test("a CRD schema that declares `metadata: {type: object}` (as controller-gen does) does not prune or validate root metadata")
    func controllerGenMetadata() async throws {
        try await withEmulator { client in
            var crd = Fixtures.widgetCRD()
            crd[path: ["spec", "versions"]] = .array((crd[path: ["spec", "versions"]]?.arrayValue ?? []).map { version in
                var version = version
                version[path: ["schema", "openAPIV3Schema", "properties", "metadata"]] = ["type": "object"]
                return version
            })
            #expect(try await client.post(Fixtures.crdPath, crd).status == 201)
            let created = try await client.post(Fixtures.widgets(), Fixtures.widget("w", labels: ["app": "x"]), query: "?fieldValidation=Strict")
            #expect(created.status == 201, "\(created.text)")
            #expect(created.json[path: ["metadata", "labels", "app"]] == "x")
        }
    }
}
