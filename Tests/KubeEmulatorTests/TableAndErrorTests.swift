import KubeAPI
import KubeEmulator
import KubeEmulatorTestSupport
import Testing

let tableAccept = [("Accept", "application/json;as=Table;v=v1;g=meta.k8s.io,application/json;as=Table;v=v1beta1;g=meta.k8s.io,application/json")]

@Suite("server-side Tables")
struct TableTests {
    @Test("printer columns with JSONPath filters, ages and priorities")
    func printerColumns() async throws {
        try await withEmulator { client in
            try await client.installWidgetCRD()
            try await client.createWidget("a", labels: ["app": "x"])
            _ = try await client.patch(Fixtures.widgets() + "/a", ["spec": ["owners": [["name": "ann"]]]])
            _ = try await client.patch(Fixtures.widgets() + "/a/status", ["status": ["conditions": [["type": "Other", "status": "False"], ["type": "Ready", "status": "True"]]]])
            let table = try await client.get(Fixtures.widgets(), headers: tableAccept).json
            #expect(table["kind"] == "Table")
            let columns = table["columnDefinitions"]?.arrayValue?.compactMap { $0["name"]?.stringValue }
            #expect(columns == ["Name", "Size", "Color", "Ready", "Owner", "Age"])
            #expect(table["columnDefinitions"]?[4]?["priority"] == 1)
            let cells = try #require(table["rows"]?[0]?["cells"]?.arrayValue)
            #expect(Array(cells.prefix(5)) == ["a", 3, "red", "True", "ann"])
            #expect(cells[5].stringValue?.hasSuffix("s") == true)
            let object = try #require(table["rows"]?[0]?["object"])
            #expect(object["kind"] == "PartialObjectMetadata")
            #expect(object[path: ["metadata", "labels", "app"]] == "x")
            #expect(table[path: ["metadata", "resourceVersion"]] != nil)
        }
    }

    @Test("events.k8s.io/v1 Events show their subject and note, as in v1")
    func eventsV1() async throws {
        try await withEmulator { client in
            let event: JSONValue = [
                "apiVersion": "events.k8s.io/v1", "kind": "Event",
                "metadata": ["name": "fm.1", "namespace": "default"],
                "eventTime": "2026-11-29T05:00:00.000000Z", "reportingController": "tandem.dev/tandem-operator",
                "reportingInstance": "test", "action": "Rollout", "reason": "ClusterPromoted", "type": "Normal",
                "regarding": ["apiVersion": "tandem.dev/v1alpha1", "kind": "FraudModel", "name": "fraud-detector", "namespace": "default"],
                "note": "eks: moving to 2.2.0",
            ]
            let created = try await client.post("/apis/events.k8s.io/v1/namespaces/default/events", event)
            #expect(created.status == 201, "\(created.text)")
            for path in ["/apis/events.k8s.io/v1/namespaces/default/events", "/api/v1/namespaces/default/events"] {
                let table = try await client.get(path, headers: tableAccept).json
                let cells = try #require(table["rows"]?[0]?["cells"]?.arrayValue)
                #expect(Array(cells[1...4]) == ["Normal", "ClusterPromoted", "fraudmodel/fraud-detector", "eks: moving to 2.2.0"], "\(path)")
            }
        }
    }

    @Test("an empty list still has column definitions; missing values are null")
    func emptyAndMissing() async throws {
        try await withEmulator { client in
            try await client.installWidgetCRD()
            let empty = try await client.get(Fixtures.widgets(), headers: tableAccept).json
            #expect(empty["rows"] == [])
            #expect(empty["columnDefinitions"]?.arrayValue?.count == 6)
            try await client.createWidget("a")
            let row = try await client.get(Fixtures.widgets() + "/a", headers: tableAccept).json["rows"]?[0]
            #expect(row?["cells"]?[3] == .null)
        }
    }

    @Test("includeObject=Object carries the full object; None carries none")
    func includeObject() async throws {
        try await withEmulator { client in
            try await client.installWidgetCRD()
            try await client.createWidget("a")
            let full = try await client.get(Fixtures.widgets() + "?includeObject=Object", headers: tableAccept).json
            #expect(full["rows"]?[0]?["object"]?["kind"] == "Widget")
            #expect(full["rows"]?[0]?[path: ["object", "spec", "size"]] == 3)
            let none = try await client.get(Fixtures.widgets() + "?includeObject=None", headers: tableAccept).json
            #expect(none["rows"]?[0]?["object"] == nil)
        }
    }

    @Test("built-in kinds have their own columns", arguments: [
        ("/api/v1/namespaces", ["Name", "Status", "Age"]),
        ("/api/v1/namespaces/default/configmaps", ["Name", "Data", "Age"]),
        ("/api/v1/namespaces/default/services", ["Name", "Type", "Cluster-IP", "External-IP", "Port(s)", "Age", "Selector"]),
        ("/api/v1/namespaces/default/events", ["Last Seen", "Type", "Reason", "Object", "Message", "Name"]),
        ("/api/v1/namespaces/default/secrets", ["Name", "Type", "Data", "Age"]),
    ])
    func builtinColumns(path: String, columns: [String]) async throws {
        try await withEmulator { client in
            let table = try await client.get(path, headers: tableAccept).json
            #expect(table["columnDefinitions"]?.arrayValue?.compactMap { $0["name"]?.stringValue } == columns)
        }
    }
}

@Suite("errors as metav1.Status")
struct ErrorReasonTests {
    @Test("each failure carries kube-apiserver's code and reason")
    func reasons() async throws {
        try await withEmulator({ $0.maxBodyBytes = 4096 }) { client in
            try await client.installWidgetCRD()
            try await client.createWidget("a")
            func expect(_ response: EmulatorTestClient.Response, _ code: Int, _ reason: String, sourceLocation: SourceLocation = #_sourceLocation) {
                #expect(response.status == code, sourceLocation: sourceLocation)
                #expect(response.statusObject?.code == code, sourceLocation: sourceLocation)
                #expect(response.statusObject?.reason == reason, sourceLocation: sourceLocation)
                #expect(response.headers["Content-Type"].first == "application/json", sourceLocation: sourceLocation)
            }
            let missing = try await client.get(Fixtures.widgets() + "/nope")
            expect(missing, 404, "NotFound")
            #expect(missing.statusObject?.message == #"widgets.example.com "nope" not found"#)
            expect(try await client.post(Fixtures.widgets(), Fixtures.widget("a")), 409, "AlreadyExists")
            var stale = Fixtures.widget("a")
            stale[path: ["metadata", "resourceVersion"]] = "1"
            expect(try await client.put(Fixtures.widgets() + "/a", stale), 409, "Conflict")
            expect(try await client.post(Fixtures.widgets(), Fixtures.widget("b", size: 99)), 422, "Invalid")
            expect(try await client.send(.POST, Fixtures.widgets(), rawBody: Array("{not json".utf8)), 400, "BadRequest")
            expect(try await client.get(Fixtures.widgets() + "?labelSelector=a%20in%20b"), 400, "BadRequest")
            expect(try await client.post(Fixtures.widgets(), ["apiVersion": "v1", "kind": "ConfigMap", "metadata": ["name": "x"]]), 400, "BadRequest")
            expect(try await client.patch(Fixtures.widgets() + "/a", ["spec": [:]], type: "application/strategic-merge-patch+json"), 415, "UnsupportedMediaType")
            expect(try await client.patch(Fixtures.widgets() + "/a", ["spec": [:]], type: "text/plain"), 415, "UnsupportedMediaType")
            expect(try await client.send(.POST, Fixtures.widgets() + "/a", json: Fixtures.widget("a")), 405, "MethodNotAllowed")
            expect(try await client.send(.POST, Fixtures.widgets(), rawBody: Array(repeating: UInt8(ascii: " "), count: 10_000)), 413, "RequestEntityTooLarge")
            expect(try await client.post("/api/v1/namespaces/nowhere/configmaps", ["apiVersion": "v1", "kind": "ConfigMap", "metadata": ["name": "c"]]), 404, "NotFound")
            expect(try await client.patch(Fixtures.widgets() + "/a", [["op": "test", "path": "/spec/size", "value": 4]], type: "application/json-patch+json"), 422, "Invalid")
        }
    }

    @Test("authentication: missing or wrong credentials are 401; health is public")
    func authentication() async throws {
        try await withEmulator({ $0.tls = true; $0.token = "secret-token" }) { client in
            #expect(try await client.get("/api/v1/namespaces").status == 200)
            let wrong = try await client.send(.GET, "/api/v1/namespaces", authorization: "Bearer nope")
            #expect(wrong.status == 401 && wrong.statusObject?.reason == "Unauthorized")
            let anonymous = EmulatorTestClient(emulator: client.emulator, http: client.http, token: nil)
            let none = try await anonymous.send(.GET, "/api/v1/namespaces", authorization: "")
            #expect(none.status == 401)
            #expect(try await anonymous.send(.GET, "/healthz", authorization: "").text == "ok")
            #expect(try await anonymous.send(.GET, "/version", authorization: "").json["minor"] == "32")
        }
    }

    @Test("client certificates issued by the emulator's CA authenticate; others do not")
    func clientCertificates() async throws {
        try await withEmulator({ $0.tls = true; $0.clientCertificateAuth = true }) { client in
            let pki = try #require(client.emulator.pki)
            let http = try EmulatorTestClient.makeHTTPClient(for: client.emulator, clientCertificate: try pki.issueClientCertificate(user: "alice", groups: ["system:masters"]))
            let withCert = EmulatorTestClient(emulator: client.emulator, http: http)
            let status = try await withCert.get("/api/v1/namespaces").status
            try await http.shutdown()
            #expect(status == 200)
            #expect(try await client.get("/api/v1/namespaces").status == 401)
        }
    }
}
