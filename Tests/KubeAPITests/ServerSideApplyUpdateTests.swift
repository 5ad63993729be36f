import Testing

@testable import KubeAPI

@Suite("server-side apply: tracking non-apply writes")
struct ServerSideApplyUpdateTests {
    let now = ServerSideApplyFixtures.now

    func configMap(_ data: JSONValue) -> JSONValue {
        ["apiVersion": "v1", "kind": "ConfigMap", "metadata": ["name": "settings", "namespace": "default", "uid": "u1", "resourceVersion": "7"], "data": data]
    }

    func fieldsV1(of manager: String, in object: JSONValue) throws -> JSONValue? {
        try ManagedFieldsEntry.entries(of: object).first { $0.manager == manager }?.fields.fieldsV1
    }

    @Test("a create gives the creator every field it set, less server-set metadata")
    func createOwnsEverything() throws {
        let created = ServerSideApply.recordUpdate(from: nil, to: configMap(["a": "1"]), manager: "kubectl-create", now: now)
        let entries = try ManagedFieldsEntry.entries(of: created)
        #expect(entries.count == 1)
        #expect(entries[0].operation == .update)
        #expect(entries[0].apiVersion == "v1")
        #expect(entries[0].time == now)
        #expect(entries[0].fields.fieldsV1 == (try JSONValue(parsing: #"{"f:data":{".":{},"f:a":{}}}"#)))
    }

    @Test("an update takes the fields it changes from their owners and drops removed fields from every set")
    func updateMovesOwnership() throws {
        let created = ServerSideApply.recordUpdate(from: nil, to: configMap(["a": "1", "b": "1", "c": "1"]), manager: "creator", now: now)
        var edited = created
        edited[path: ["data", "a"]] = "2"
        edited[path: ["data", "b"]] = nil
        edited[path: ["data", "d"]] = "1"
        let updated = ServerSideApply.recordUpdate(from: created, to: edited, manager: "editor", now: "2024-05-02T00:00:00Z")
        #expect(try fieldsV1(of: "creator", in: updated) == (try JSONValue(parsing: #"{"f:data":{".":{},"f:c":{}}}"#)))
        #expect(try fieldsV1(of: "editor", in: updated) == (try JSONValue(parsing: #"{"f:data":{"f:a":{},"f:d":{}}}"#)))
    }

    @Test("an update that changes nothing leaves managedFields, times included, alone")
    func noOpUpdate() throws {
        let created = ServerSideApply.recordUpdate(from: nil, to: configMap(["a": "1"]), manager: "creator", now: now)
        let again = ServerSideApply.recordUpdate(from: created, to: created, manager: "other", now: "2030-01-01T00:00:00Z")
        #expect(again == created)
    }

    @Test("an existing object without managedFields stays untracked until it is applied")
    func untrackedStaysUntracked() {
        var edited = configMap(["a": "2"])
        edited[path: ["data", "b"]] = "1"
        let updated = ServerSideApply.recordUpdate(from: configMap(["a": "1"]), to: edited, manager: "editor", now: now)
        #expect(updated[path: ["metadata", "managedFields"]] == nil)
    }

    @Test("managedFields sent in the write replace the stored ones, and [{}] clears them")
    func managedFieldsSentByTheClient() throws {
        let created = ServerSideApply.recordUpdate(from: nil, to: configMap(["a": "1"]), manager: "creator", now: now)
        var cleared = created
        cleared[path: ["metadata", "managedFields"]] = [.emptyObject]
        #expect(ServerSideApply.recordUpdate(from: created, to: cleared, manager: "kubectl", now: now)[path: ["metadata", "managedFields"]] == nil)

        var migrated = created
        let applyEntry = ManagedFieldsEntry(manager: "kubectl", operation: .apply, apiVersion: "v1", time: now, fields: FieldSet([FieldPath(fields: "data", "a")]))
        migrated[path: ["metadata", "managedFields"]] = [applyEntry.json]
        let result = ServerSideApply.recordUpdate(from: created, to: migrated, manager: "kubectl", now: now)
        #expect(try ManagedFieldsEntry.entries(of: result) == [applyEntry])
    }

    @Test("status is nobody's on the main resource, and the status subresource records its own entries")
    func statusSubresource() throws {
        let created = ServerSideApply.recordUpdate(
            from: nil, to: configMap(["a": "1"]).merging(status: ["phase": "Pending"]), manager: "creator",
            options: .mainResource(hasStatusSubresource: true), now: now)
        #expect(try fieldsV1(of: "creator", in: created) == (try JSONValue(parsing: #"{"f:data":{".":{},"f:a":{}}}"#)))
        var reported = created
        reported[path: ["status", "phase"]] = "Ready"
        let updated = ServerSideApply.recordUpdate(from: created, to: reported, manager: "operator", options: .statusSubresource(), now: now)
        let entry = try #require(try ManagedFieldsEntry.entries(of: updated).first { $0.manager == "operator" })
        #expect(entry.subresource == "status")
        #expect(entry.fields.fieldsV1 == (try JSONValue(parsing: #"{"f:status":{"f:phase":{}}}"#)))
    }

    @Test("beyond ten update entries the oldest merge into ancient-changes")
    func updateEntriesAreCapped() throws {
        var object = ServerSideApply.recordUpdate(from: nil, to: configMap(["k0": "v"]), manager: "m0", now: "2024-01-01T00:00:00Z")
        for index in 1...11 {
            var next = object
            next[path: ["data", "k\(index)"]] = "v"
            object = ServerSideApply.recordUpdate(from: object, to: next, manager: "m\(index)", now: "2024-01-01T00:00:\(10 + index)Z")
        }
        let entries = try ManagedFieldsEntry.entries(of: object)
        #expect(entries.count == 10)
        let ancient = try #require(entries.first { $0.manager == "ancient-changes" })
        #expect(ancient.fields.contains(FieldPath(fields: "data", "k0")))
        #expect(ancient.fields.contains(FieldPath(fields: "data", "k2")))
        #expect(!entries.contains { ["m0", "m1", "m2"].contains($0.manager) })
    }
}

extension JSONValue {
    fileprivate func merging(status: JSONValue) -> JSONValue {
        var copy = self
        copy["status"] = status
        return copy
    }
}
