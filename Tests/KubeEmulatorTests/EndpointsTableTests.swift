import KubeAPI
import KubeEmulator
import KubeEmulatorTestSupport
import Testing

@Suite("Endpoints and EndpointSlices as built-in kinds")
struct EndpointsTableTests {
    @Test("discovery lists endpoints (ep) in v1 and endpointslices in discovery.k8s.io/v1")
    func discovery() async throws {
        try await withEmulator { client in
            let groups = try await client.get("/apis").json
            #expect(groups["groups"]?.arrayValue?.contains { $0["name"] == "discovery.k8s.io" } == true)
            let core = try await client.get("/api/v1").json
            let resources = core["resources"]?.arrayValue ?? []
            let index = try #require(resources.firstIndex { $0["name"]?.stringValue == "endpoints" })
            #expect(resources[index]["kind"] == "Endpoints")
            #expect(resources[index]["shortNames"] == ["ep"])
            let discovery = try await client.get("/apis/discovery.k8s.io/v1").json
            #expect(discovery["resources"]?.arrayValue?.map { $0["name"] } == ["endpointslices"])
        }
    }

    @Test("kubectl's columns: ENDPOINTS as ip:port (or <none>), slices with address type, ports and addresses")
    func columns() async throws {
        try await withEmulator { client in
            let endpoints: JSONValue = [
                "apiVersion": "v1", "kind": "Endpoints", "metadata": ["name": "web", "namespace": "default"],
                "subsets": [[
                    "addresses": [["ip": "10.1.0.5"], ["ip": "10.1.0.6"]], "notReadyAddresses": [["ip": "10.1.0.7"]],
                    "ports": [["port": 8080, "protocol": "TCP"]],
                ]],
            ]
            #expect(try await client.post("/api/v1/namespaces/default/endpoints", endpoints).status == 201)
            #expect(try await client.post("/api/v1/namespaces/default/endpoints",
                                          ["apiVersion": "v1", "kind": "Endpoints", "metadata": ["name": "empty", "namespace": "default"]]).status == 201)
            let table = try await client.get("/api/v1/namespaces/default/endpoints", headers: tableAccept).json
            #expect(table["columnDefinitions"]?.arrayValue?.compactMap { $0["name"]?.stringValue } == ["Name", "Endpoints", "Age"])
            #expect(table["rows"]?.arrayValue?.compactMap { $0["cells"]?[1] } == ["<none>", "10.1.0.5:8080,10.1.0.6:8080"])

            let slice: JSONValue = [
                "apiVersion": "discovery.k8s.io/v1", "kind": "EndpointSlice",
                "metadata": ["name": "web-x7k2q", "namespace": "default", "labels": ["kubernetes.io/service-name": "web"]],
                "addressType": "IPv4",
                "endpoints": .array((5...9).map { ["addresses": .array([.string("10.1.0.\($0)")]), "conditions": ["ready": true]] }),
                "ports": [["name": "", "port": 8080, "protocol": "TCP"]],
            ]
            #expect(try await client.post("/apis/discovery.k8s.io/v1/namespaces/default/endpointslices", slice).status == 201)
            let sliceTable = try await client.get("/apis/discovery.k8s.io/v1/namespaces/default/endpointslices", headers: tableAccept).json
            #expect(sliceTable["columnDefinitions"]?.arrayValue?.compactMap { $0["name"]?.stringValue } == ["Name", "AddressType", "Ports", "Endpoints", "Age"])
            let cells = try #require(sliceTable["rows"]?[0]?["cells"]?.arrayValue)
            #expect(Array(cells.prefix(4)) == ["web-x7k2q", "IPv4", "8080", "10.1.0.5,10.1.0.6,10.1.0.7 + 2 more..."])
        }
    }
}
