import KubeAPI
import KubeEmulator
import KubeEmulatorTestSupport
import Testing

@Suite("server-side apply through the API")
struct ServerSideApplyEndpointTests {
    func apply(_ client: EmulatorTestClient, _ body: JSONValue, manager: String, force: Bool = false, path: String = "/api/v1/namespaces/default/configmaps/cfg") async throws -> EmulatorTestClient.Response {
        try await client.send(.PATCH, path + "?fieldManager=\(manager)" + (force ? "&force=true" : ""), json: body, contentType: "application/apply-patch+yaml")
    }

    func configMap(_ data: JSONValue) -> JSONValue {
        ["apiVersion": "v1", "kind": "ConfigMap", "metadata": ["name": "cfg"], "data": data]
    }

    @Test("apply creates with 201 and records an Apply entry for the manager")
    func createAndOwnership() async throws {
        try await withEmulator { client in
            let created = try await apply(client, configMap(["a": "1"]), manager: "alice")
            #expect(created.status == 201)
            let entries = created.json[path: ["metadata", "managedFields"]]?.arrayValue ?? []
            #expect(entries.count == 1)
            #expect(entries.first?["manager"] == "alice" && entries.first?["operation"] == "Apply")
            #expect(entries.first?[path: ["fieldsV1", "f:data", "f:a"]] == .emptyObject)
            let again = try await apply(client, configMap(["a": "1"]), manager: "alice")
            #expect(again.status == 200)
            #expect(again.json[path: ["metadata", "resourceVersion"]] == created.json[path: ["metadata", "resourceVersion"]])
        }
    }

    @Test("a different value for a field another manager owns is a 409 naming the field; force takes it over")
    func conflicts() async throws {
        try await withEmulator { client in
            _ = try await apply(client, configMap(["a": "1", "b": "2"]), manager: "alice")
            let conflict = try await apply(client, configMap(["a": "9"]), manager: "bob")
            #expect(conflict.status == 409)
            let status = try #require(conflict.statusObject)
            #expect(status.reason == "Conflict")
            #expect(status.causes.first?.reason == "FieldManagerConflict")
            #expect(status.causes.first?.field == ".data.a")
            // kube-apiserver names the API version only for Update managers ("… using v1 at …").
            #expect(status.message == #"Apply failed with 1 conflict: conflict with "alice": .data.a"#)
            let shared = try await apply(client, configMap(["b": "2"]), manager: "bob")
            #expect(shared.status == 200)
            let forced = try await apply(client, configMap(["a": "9"]), manager: "bob", force: true)
            #expect(forced.status == 200)
            #expect(forced.json[path: ["data", "a"]] == "9")
            let managers = forced.json[path: ["metadata", "managedFields"]]?.arrayValue ?? []
            let alice = managers.first { $0["manager"] == "alice" }
            #expect(alice?[path: ["fieldsV1", "f:data", "f:a"]] == nil)
        }
    }

    @Test("fields a manager stops applying are removed unless another manager owns them")
    func removal() async throws {
        try await withEmulator { client in
            _ = try await apply(client, configMap(["a": "1", "b": "2", "c": "3"]), manager: "alice")
            _ = try await apply(client, configMap(["c": "3"]), manager: "bob")
            let shrunk = try await apply(client, configMap(["a": "1"]), manager: "alice")
            #expect(shrunk.json["data"] == ["a": "1", "c": "3"])
        }
    }

    @Test("an update by another client takes ownership of what it changed, recorded as Update")
    func updateOwnership() async throws {
        try await withEmulator { client in
            _ = try await apply(client, configMap(["a": "1"]), manager: "alice")
            let patched = try await client.send(.PATCH, "/api/v1/namespaces/default/configmaps/cfg?fieldManager=editor", json: ["data": ["a": "2"]], contentType: "application/merge-patch+json")
            let editor = patched.json[path: ["metadata", "managedFields"]]?.arrayValue?.first { $0["manager"] == "editor" }
            #expect(editor?["operation"] == "Update")
            #expect(editor?[path: ["fieldsV1", "f:data", "f:a"]] == .emptyObject)
            let conflict = try await apply(client, configMap(["a": "1"]), manager: "alice")
            #expect(conflict.status == 409)
        }
    }

    @Test("apply needs a fieldManager; force is refused on other patch types; custom resources apply too")
    func validation() async throws {
        try await withEmulator { client in
            let missing = try await client.send(.PATCH, "/api/v1/namespaces/default/configmaps/cfg", json: configMap([:]), contentType: "application/apply-patch+yaml")
            #expect(missing.status == 422)
            let forced = try await client.send(.PATCH, "/api/v1/namespaces/default/configmaps/cfg?force=true", json: ["data": [:]], contentType: "application/merge-patch+json")
            #expect(forced.status == 400)
            try await client.installWidgetCRD()
            let yaml = Array("apiVersion: example.com/v1\nkind: Widget\nmetadata:\n  name: w\nspec:\n  size: 4\n".utf8)
            let widget = try await client.send(.PATCH, Fixtures.widgets() + "/w?fieldManager=ops", rawBody: yaml, contentType: "application/apply-patch+yaml")
            #expect(widget.status == 201)
            #expect(widget.json[path: ["spec", "size"]] == 4)
            #expect(widget.json[path: ["spec", "color"]] == "red")
        }
    }
}

@Suite("fault injection")
struct FaultInjectionTests {
    @Test("a 503 fault on a fraction of requests fails only some of them")
    func fraction() async throws {
        try await withEmulator { client in
            _ = try await client.send(.POST, "/_emulator/faults", json: ["verb": "get", "resource": "namespaces", "status": 503, "fraction": 0.5])
            var failures = 0
            for _ in 0..<60 where try await client.get("/api/v1/namespaces/default").status == 503 { failures += 1 }
            #expect(failures > 5 && failures < 55)
            _ = try await client.send(.DELETE, "/_emulator/faults")
            #expect(try await client.get("/api/v1/namespaces/default").status == 200)
        }
    }

    @Test("injected latency delays matching requests")
    func latency() async throws {
        try await withEmulator { client in
            // 2 s: long enough that an undelayed request stays under it even on a loaded machine.
            _ = try await client.send(.POST, "/_emulator/faults", json: ["verb": "list", "resource": "configmaps", "latencyMs": 2000])
            let start = ContinuousClock.now
            #expect(try await client.get("/api/v1/namespaces/default/configmaps").status == 200)
            #expect(ContinuousClock.now - start >= .milliseconds(2000))
            let other = ContinuousClock.now
            _ = try await client.get("/api/v1/namespaces/default/secrets")
            #expect(ContinuousClock.now - other < .milliseconds(2000))
        }
    }

    @Test("a hanging outage accepts connections but answers nothing until lifted")
    func hang() async throws {
        try await withEmulator { client in
            _ = try await client.send(.POST, "/_emulator/outage", json: ["mode": "hang"])
            let pending = Task { try await client.get("/api/v1/namespaces").status }
            try await Task.sleep(for: .milliseconds(500))
            _ = try await client.send(.POST, "/_emulator/outage", json: ["mode": "serve"])
            // The held request's connection is closed when the outage ends; new requests succeed.
            _ = try? await pending.value
            #expect(try await client.get("/api/v1/namespaces").status == 200)
        }
    }

    @Test("counters count by verb, resource, user agent and code, and reset")
    func counters() async throws {
        try await withEmulator { client in
            _ = try await client.get("/api/v1/namespaces", headers: [("User-Agent", "probe/1.0")])
            _ = try await client.get("/api/v1/namespaces/missing", headers: [("User-Agent", "probe/1.0")])
            #expect(client.emulator.requestCount(verb: "list", resource: "namespaces", userAgentPrefix: "probe") == 1)
            #expect(client.emulator.requestCount(verb: "get", resource: "namespaces", code: 404) == 1)
            _ = try await client.send(.DELETE, "/_emulator/counters")
            #expect(client.emulator.requestCount(userAgentPrefix: "probe") == 0)
        }
    }
}
