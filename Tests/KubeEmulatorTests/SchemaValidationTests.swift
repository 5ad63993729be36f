import KubeAPI
import KubeEmulator
import KubeEmulatorTestSupport
import Testing

@Suite("custom resource validation, defaulting and pruning")
struct SchemaValidationTests {
    func create(_ client: EmulatorTestClient, spec: JSONValue, query: String = "") async throws -> EmulatorTestClient.Response {
        var widget = Fixtures.widget("w")
        widget["spec"] = spec
        return try await client.post(Fixtures.widgets(), widget, query: query)
    }

    struct Violation: Sendable, CustomTestStringConvertible {
        var spec: JSONValue
        var field: String
        var reason: String
        var message: String

        init(spec: JSONValue, field: String, reason: String, _ message: String) {
            self.spec = spec
            self.field = field
            self.reason = reason
            self.message = message
        }

        var testDescription: String { "\(field): \(reason)" }
    }

    static let cases: [Violation] = [
        Violation(spec: ["color": "red"], field: "spec.size", reason: "FieldValueRequired", "Required value"),
        Violation(spec: ["size": "three"], field: "spec.size", reason: "FieldValueTypeInvalid", #"Invalid value: "string": spec.size in body must be of type integer: "string""#),
        Violation(spec: ["size": 11], field: "spec.size", reason: "FieldValueInvalid", "Invalid value: 11: spec.size in body should be less than or equal to 10"),
        Violation(spec: ["size": 0], field: "spec.size", reason: "FieldValueInvalid", "Invalid value: 0: spec.size in body should be greater than or equal to 1"),
        Violation(spec: ["size": 1, "color": "green"], field: "spec.color", reason: "FieldValueNotSupported", #"Unsupported value: "green": supported values: "red", "blue""#),
        Violation(spec: ["size": 1, "code": "XYZ1"], field: "spec.code", reason: "FieldValueInvalid", #"Invalid value: "XYZ1": spec.code in body should match '^[a-f0-9]{4}$'"#),
        Violation(spec: ["size": 1, "label": "a"], field: "spec.label", reason: "FieldValueInvalid", #"Invalid value: "a": spec.label in body should be at least 2 chars long"#),
        Violation(spec: ["size": 1, "label": "abcdef"], field: "spec.label", reason: "FieldValueTooLong", "Too long: may not be more than 5 bytes"),
        Violation(spec: ["size": 1, "owners": [["name": "a"], ["name": "b"], ["name": "c"]]], field: "spec.owners", reason: "FieldValueTooMany", "Too many: 3: must have at most 2 items"),
        Violation(spec: ["size": 1, "tags": []], field: "spec.tags", reason: "FieldValueInvalid", "Invalid value: []: spec.tags in body should have at least 1 items"),
        Violation(spec: ["size": 1, "owners": [["nick": "a"]]], field: "spec.owners[0].name", reason: "FieldValueRequired", "Required value"),
    ]

    @Test("each violation is a 422 Invalid cause with kube-apiserver's wording", arguments: cases)
    func violations(_ violation: Violation) async throws {
        let (spec, field, reason, message) = (violation.spec, violation.field, violation.reason, violation.message)
        try await withEmulator { client in
            try await client.installWidgetCRD()
            let response = try await create(client, spec: spec)
            #expect(response.status == 422)
            let status = try #require(response.statusObject)
            #expect(status.reason == "Invalid")
            #expect(status.kind == "Widget" && status.group == "example.com" && status.name == "w")
            let cause = try #require(status.causes.first { $0.field == field })
            #expect(cause.reason == reason)
            #expect(cause.message == message)
            #expect(status.message.hasPrefix(#"Widget.example.com "w" is invalid: "#))
        }
    }

    @Test("several violations are listed together in brackets")
    func severalViolations() async throws {
        try await withEmulator { client in
            try await client.installWidgetCRD()
            let response = try await create(client, spec: ["size": 50, "color": "green"])
            let status = try #require(response.statusObject)
            #expect(status.causes.count == 2)
            #expect(status.message.contains(": [spec."))
        }
    }

    @Test("defaults fill missing fields; nullable fields keep null; integers stay integers")
    func defaulting() async throws {
        try await withEmulator { client in
            try await client.installWidgetCRD()
            let response = try await create(client, spec: ["size": 2, "ratio": nil])
            #expect(response.status == 201)
            #expect(response.json[path: ["spec", "color"]] == "red")
            #expect(response.json[path: ["spec", "replicas"]] == 1)
            #expect(response.json[path: ["spec", "ratio"]] == .null)
            #expect(response.text.contains(#""size":2"#))
        }
    }

    @Test("unknown fields: pruned with a Warning by default, rejected under Strict, silent under Ignore")
    func fieldValidation() async throws {
        try await withEmulator { client in
            try await client.installWidgetCRD()
            let spec: JSONValue = ["size": 2, "bogus": 1, "extra": ["anything": ["goes": true]]]
            let strict = try await create(client, spec: spec, query: "?fieldValidation=Strict")
            #expect(strict.status == 400)
            #expect(strict.statusObject?.message == #"strict decoding error: unknown field "spec.bogus""#)
            let warned = try await create(client, spec: spec)
            #expect(warned.status == 201)
            #expect(warned.headers["Warning"] == [#"299 - "unknown field \"spec.bogus\"""#])
            #expect(warned.json[path: ["spec", "bogus"]] == nil)
            #expect(warned.json[path: ["spec", "extra", "anything", "goes"]] == true)
            _ = try await client.delete(Fixtures.widgets() + "/w")
            let ignored = try await create(client, spec: spec, query: "?fieldValidation=Ignore")
            #expect(ignored.status == 201)
            #expect(ignored.headers["Warning"].isEmpty)
            #expect(ignored.json[path: ["spec", "bogus"]] == nil)
        }
    }

    @Test("unknown metadata fields are unknown fields too")
    func unknownMetadata() async throws {
        try await withEmulator { client in
            try await client.installWidgetCRD()
            var widget = Fixtures.widget("w")
            widget[path: ["metadata", "colour"]] = "x"
            let response = try await client.post(Fixtures.widgets(), widget, query: "?fieldValidation=Strict")
            #expect(response.statusObject?.message == #"strict decoding error: unknown field "metadata.colour""#)
        }
    }

    @Test("invalid labels are rejected with the label rules")
    func labels() async throws {
        try await withEmulator { client in
            try await client.installWidgetCRD()
            let response = try await client.post(Fixtures.widgets(), Fixtures.widget("w", labels: ["tier": "not ok!"]))
            #expect(response.status == 422)
            #expect(response.statusObject?.causes.first?.field == "metadata.labels")
        }
    }

    @Test("an invalid CRD is rejected naming the field")
    func invalidCRD() async throws {
        try await withEmulator { client in
            var crd = Fixtures.widgetCRD()
            crd[path: ["metadata", "name"]] = "wrong.example.com"
            let response = try await client.post(Fixtures.crdPath, crd)
            #expect(response.status == 422)
            #expect(response.statusObject?.causes.first?.field == "metadata.name")
            var noSchema = Fixtures.widgetCRD()
            noSchema[path: ["spec", "versions"]] = [["name": "v1", "served": true, "storage": true]]
            let missing = try await client.post(Fixtures.crdPath, noSchema)
            #expect(missing.statusObject?.causes.first?.field == "spec.versions[0].schema.openAPIV3Schema")
        }
    }
}
