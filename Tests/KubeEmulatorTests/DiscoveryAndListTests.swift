import KubeAPI
import KubeEmulator
import KubeEmulatorTestSupport
import Testing

@Suite("discovery, OpenAPI, lists and faults")
struct DiscoveryAndListTests {
    @Test("a CRD's resource is discoverable in the same write that creates it, and gone when it is deleted")
    func discoveryFollowsCRDs() async throws {
        try await withEmulator { client in
            #expect(try await client.get("/apis/example.com/v1").status == 404)
            try await client.installWidgetCRD()
            let list = try await client.get("/apis/example.com/v1").json
            let widgets = try #require(list["resources"]?.arrayValue?.first { $0["name"] == "widgets" })
            #expect(widgets["shortNames"] == ["wd"])
            #expect(widgets["singularName"] == "widget")
            #expect(widgets["namespaced"] == true)
            #expect(list["resources"]?.arrayValue?.contains { $0["name"] == "widgets/status" } == true)
            #expect(list["resources"]?.arrayValue?.contains { $0["name"] == "widgets/scale" } == true)
            let groups = try await client.get("/apis").json
            #expect(groups["groups"]?.arrayValue?.contains { $0["name"] == "example.com" } == true)
            let crd = try await client.get(Fixtures.crdPath + "/widgets.example.com").json
            #expect(crd[path: ["status", "conditions"]]?.arrayValue?.contains { $0["type"] == "Established" && $0["status"] == "True" } == true)
            #expect(try await client.delete(Fixtures.crdPath + "/widgets.example.com").status == 200)
            #expect(try await client.get("/apis/example.com/v1").status == 404)
        }
    }

    @Test("aggregated discovery v2 and v2beta1 are served when asked for, with the matching content type")
    func aggregatedDiscovery() async throws {
        try await withEmulator { client in
            try await client.installWidgetCRD()
            for version in ["v2", "v2beta1"] {
                let accept = "application/json;g=apidiscovery.k8s.io;v=\(version);as=APIGroupDiscoveryList,application/json"
                let response = try await client.get("/apis", headers: [("Accept", accept)])
                #expect(response.headers["Content-Type"].first == "application/json;g=apidiscovery.k8s.io;v=\(version);as=APIGroupDiscoveryList")
                let group = try #require(response.json["items"]?.arrayValue?.first { $0[path: ["metadata", "name"]] == "example.com" })
                let resource = try #require(group["versions"]?[0]?["resources"]?[0])
                #expect(resource["resource"] == "widgets" && resource["scope"] == "Namespaced")
                #expect(resource["subresources"]?.arrayValue?.count == 2)
            }
            let core = try await client.get("/api", headers: [("Accept", "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList")])
            #expect(core.json["items"]?[0]?[path: ["metadata", "name"]] == "")
            #expect(try await client.get("/api").json["versions"] == ["v1"])
        }
    }

    @Test("OpenAPI v3 declares fieldValidation on PATCH, carries the CRD schema, and changes hash with it")
    func openAPI() async throws {
        try await withEmulator { client in
            #expect(try await client.get("/openapi/v2").status == 404)
            try await client.installWidgetCRD()
            let index = try await client.get("/openapi/v3").json
            let url = try #require(index[path: ["paths", "apis/example.com/v1", "serverRelativeURL"]]?.stringValue)
            let document = try await client.get(url).json
            let patch = try #require(document[path: ["paths", "/apis/example.com/v1/namespaces/{namespace}/widgets/{name}", "patch"]])
            #expect(patch["parameters"]?.arrayValue?.contains { $0["name"] == "fieldValidation" } == true)
            #expect(patch["x-kubernetes-group-version-kind"] == ["group": "example.com", "version": "v1", "kind": "Widget"])
            let schema = try #require(document[path: ["components", "schemas", "com.example.v1.Widget"]])
            #expect(schema[path: ["properties", "spec", "properties", "size", "maximum"]] == 10)
            #expect(schema["x-kubernetes-group-version-kind"]?[0]?["kind"] == "Widget")
            var changed = try await client.get(Fixtures.crdPath + "/widgets.example.com").json
            changed[path: ["spec", "versions"]] = .array([Fixtures.widgetCRD()[path: ["spec", "versions"]]![0]!.merging(path: ["schema", "openAPIV3Schema", "description"], "changed")])
            #expect(try await client.put(Fixtures.crdPath + "/widgets.example.com", changed).status == 200)
            let newURL = try await client.get("/openapi/v3").json[path: ["paths", "apis/example.com/v1", "serverRelativeURL"]]?.stringValue
            #expect(newURL != url)
        }
    }

    @Test("paging with limit and continue visits every object once, over 1,200 objects")
    func paging() async throws {
        try await withEmulator { client in
            for index in 0..<1_200 {
                let response = try await client.post("/api/v1/namespaces/default/configmaps", ["apiVersion": "v1", "kind": "ConfigMap", "metadata": ["name": .string("cm-\(index)")]])
                #expect(response.status == 201)
            }
            var names: [String] = []
            var token = ""
            var pages = 0
            repeat {
                let page = try await client.get("/api/v1/namespaces/default/configmaps?limit=500" + (token.isEmpty ? "" : "&continue=\(token)")).json
                names += page["items"]?.arrayValue?.compactMap { $0[path: ["metadata", "name"]]?.stringValue } ?? []
                token = page[path: ["metadata", "continue"]]?.stringValue ?? ""
                pages += 1
                if !token.isEmpty { #expect(page[path: ["metadata", "remainingItemCount"]]?.intValue ?? 0 > 0) }
            } while !token.isEmpty && pages < 10
            #expect(pages == 3)
            #expect(names.count == 1_200 && Set(names).count == 1_200)
            #expect(try await client.get("/api/v1/namespaces/default/configmaps?limit=5&continue=garbage").status == 400)
        }
    }

    @Test("label selectors on lists")
    func listSelectors() async throws {
        try await withEmulator { client in
            try await client.installWidgetCRD()
            try await client.createWidget("a", labels: ["tier": "gold"])
            try await client.createWidget("b", labels: ["tier": "silver"])
            try await client.createWidget("c")
            func names(_ query: String) async throws -> [String] {
                try await client.get(Fixtures.widgets() + "?labelSelector=" + query).json["items"]?.arrayValue?.compactMap { $0[path: ["metadata", "name"]]?.stringValue } ?? []
            }
            #expect(try await names("tier%3Dgold") == ["a"])
            #expect(try await names("tier%21%3Dgold") == ["b", "c"])
            #expect(try await names("tier%20in%20(gold,silver)") == ["a", "b"])
            #expect(try await names("!tier") == ["c"])
            let all = try await client.get("/apis/example.com/v1/widgets").json
            #expect(all["items"]?.arrayValue?.count == 3)
        }
    }

    @Test("injected faults fail the next matching requests, with Retry-After for 429, and are counted")
    func faults() async throws {
        try await withEmulator { client in
            try await client.installWidgetCRD()
            _ = try await client.send(.POST, "/_emulator/faults", json: ["verb": "list", "resource": "widgets", "status": 429, "retryAfterSeconds": 2, "count": 2])
            let first = try await client.get(Fixtures.widgets())
            #expect(first.status == 429)
            #expect(first.headers["Retry-After"] == ["2"])
            #expect(try await client.get(Fixtures.widgets()).status == 429)
            #expect(try await client.get(Fixtures.widgets()).status == 200)
            #expect(client.emulator.requestCount(verb: "list", resource: "widgets", code: 429) == 2)
            let counters = try await client.get("/_emulator/counters").json
            #expect(counters["items"]?.arrayValue?.contains { $0["verb"] == "list" && $0["code"] == 200 } == true)
        }
    }

    @Test("an outage refuses requests until lifted; admin requests still pass")
    func outage() async throws {
        try await withEmulator { client in
            _ = try await client.send(.POST, "/_emulator/outage", json: ["mode": "refuse"])
            await #expect(throws: (any Error).self) { _ = try await client.get("/api/v1/namespaces") }
            _ = try await client.send(.DELETE, "/_emulator/outage")
            #expect(try await client.get("/api/v1/namespaces").status == 200)
        }
    }
}

extension JSONValue {
    func merging(path: [String], _ value: JSONValue) -> JSONValue {
        var copy = self
        copy[path: path] = value
        return copy
    }
}
