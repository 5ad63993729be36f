import Testing

@testable import KubeAPI

@Suite("server-side apply: merging, ownership and conflicts")
struct ServerSideApplyTests {
    let now = ServerSideApplyFixtures.now

    func configMap(_ data: JSONValue, annotations: JSONValue? = nil) -> JSONValue {
        var object: JSONValue = ["apiVersion": "v1", "kind": "ConfigMap", "metadata": ["name": "settings", "namespace": "default"], "data": data]
        if let annotations { object[path: ["metadata", "annotations"]] = annotations }
        return object
    }

    func apply(_ configuration: JSONValue, to live: JSONValue?, as manager: String, force: Bool = false) throws -> JSONValue {
        try ServerSideApply.apply(configuration, to: live, manager: manager, force: force, now: now)
    }

    func entries(_ object: JSONValue) throws -> [ManagedFieldsEntry] {
        try ManagedFieldsEntry.entries(of: object)
    }

    func fields(of manager: String, in object: JSONValue, operation: ManagedFieldsEntry.Operation = .apply) throws -> FieldSet? {
        try entries(object).first { $0.manager == manager && $0.operation == operation }?.fields
    }

    func conflict(_ body: () throws -> JSONValue) -> ApplyConflict? {
        do {
            _ = try body()
            return nil
        } catch let error as ApplyError {
            if case .conflict(let conflict) = error { return conflict }
            return nil
        } catch {
            return nil
        }
    }

    @Test("applying to a missing object creates it, owned by the applier's Apply entry")
    func applyCreates() throws {
        let created = try apply(ServerSideApplyFixtures.deployment, to: nil, as: "kubectl")
        let list = try #require(created[path: ["metadata", "managedFields"]]?.arrayValue)
        #expect(list.count == 1)
        let entry = list[0]
        #expect(entry["manager"] == "kubectl")
        #expect(entry["operation"] == "Apply")
        #expect(entry["apiVersion"] == "apps/v1")
        #expect(entry["time"] == .string(now))
        #expect(entry["fieldsType"] == "FieldsV1")
        #expect(entry["fieldsV1"] == ServerSideApplyFixtures.deploymentAppliedFields)
        var withoutFields = created
        withoutFields[path: ["metadata", "managedFields"]] = nil
        #expect(withoutFields == ServerSideApplyFixtures.deployment)
    }

    @Test("applying a value another manager applied shares the field without conflict")
    func sharedOwnership() throws {
        let first = try apply(configMap(["a": "1"]), to: nil, as: "alice")
        let second = try apply(configMap(["a": "1", "b": "2"]), to: first, as: "bob")
        let a = FieldPath(fields: "data", "a")
        #expect(try fields(of: "alice", in: second)?.contains(a) == true)
        #expect(try fields(of: "bob", in: second)?.contains(a) == true)
        #expect(second["data"] == ["a": "1", "b": "2"])
    }

    @Test("changing a field another applier owns is a conflict naming it")
    func conflictWithApplier() throws {
        let first = try apply(configMap(["a": "1"]), to: nil, as: "alice")
        let found = try #require(conflict { try apply(configMap(["a": "2"]), to: first, as: "bob") })
        #expect(found.message == #"Apply failed with 1 conflict: conflict with "alice": .data.a"#)
        #expect(found.conflicts.map(\.manager) == ["alice"])
        #expect(found.conflicts.map(\.field) == [".data.a"])
    }

    @Test("changing a field an updater owns is a conflict naming its API version")
    func conflictWithUpdater() throws {
        var deployment = ServerSideApplyFixtures.deployment
        let created = ServerSideApply.recordUpdate(from: nil, to: deployment, manager: "kubectl-client-side-apply", now: now)
        deployment[path: ["spec", "replicas"]] = 3
        let found = try #require(conflict { try apply(deployment, to: created, as: "ci") })
        #expect(found.message == #"Apply failed with 1 conflict: conflict with "kubectl-client-side-apply" using apps/v1: .spec.replicas"#)
        #expect(found.status.code == 409)
        #expect(found.status.causes == [KubeStatus.Cause(reason: "FieldManagerConflict", message: #"conflict with "kubectl-client-side-apply" using apps/v1"#, field: ".spec.replicas")])
    }

    @Test("several conflicts are listed by manager, as kube-apiserver prints them")
    func severalConflicts() throws {
        let created = ServerSideApply.recordUpdate(from: nil, to: configMap(["a": "1", "b": "1"]), manager: "m", now: now)
        let found = try #require(conflict { try apply(configMap(["a": "2", "b": "2"]), to: created, as: "other") })
        #expect(found.message == "Apply failed with 2 conflicts: conflicts with \"m\" using v1:\n- .data.a\n- .data.b")
        #expect(found.status.causes.count == 2)
    }

    @Test("force takes the conflicting fields from their owner")
    func forceTakesOwnership() throws {
        let created = ServerSideApply.recordUpdate(from: nil, to: configMap(["a": "1", "b": "1"]), manager: "m", now: now)
        let forced = try apply(configMap(["a": "2"]), to: created, as: "other", force: true)
        #expect(forced["data"] == ["a": "2", "b": "1"])
        let updater = try #require(try fields(of: "m", in: forced, operation: .update))
        #expect(!updater.contains(FieldPath(fields: "data", "a")))
        #expect(updater.contains(FieldPath(fields: "data", "b")))
        #expect(try fields(of: "other", in: forced)?.contains(FieldPath(fields: "data", "a")) == true)
    }

    @Test("a field the applier stops applying is removed, unless someone else owns it")
    func droppedFieldsAreRemoved() throws {
        let first = try apply(configMap(["a": "1", "b": "2", "c": "3"]), to: nil, as: "alice")
        let shared = try apply(configMap(["c": "3"]), to: first, as: "bob")
        let dropped = try apply(configMap(["a": "1"]), to: shared, as: "alice")
        #expect(dropped["data"] == ["a": "1", "c": "3"])
        #expect(try fields(of: "alice", in: dropped)?.contains(FieldPath(fields: "data", "c")) == false)
        #expect(try fields(of: "bob", in: dropped)?.contains(FieldPath(fields: "data", "c")) == true)
    }

    @Test("a field set by an update is kept when an applier that shared it stops applying it")
    func droppedFieldOwnedByUpdaterStays() throws {
        let created = ServerSideApply.recordUpdate(from: nil, to: configMap(["a": "1"]), manager: "editor", now: now)
        let applied = try apply(configMap(["a": "1", "b": "2"]), to: created, as: "alice")
        let dropped = try apply(configMap(["b": "2"]), to: applied, as: "alice")
        #expect(dropped["data"] == ["a": "1", "b": "2"])
        let emptied = try apply(configMap([:]), to: dropped, as: "alice")
        #expect(emptied["data"] == ["a": "1"])
    }

    @Test("containers merge by name: two appliers own different containers")
    func containersMergeByName() throws {
        func deployment(_ containers: JSONValue) -> JSONValue {
            ["apiVersion": "apps/v1", "kind": "Deployment", "metadata": ["name": "web"],
             "spec": ["template": ["spec": ["containers": containers]]]]
        }
        let first = try apply(deployment([["name": "app", "image": "app:1"]]), to: nil, as: "alice")
        let second = try apply(deployment([["name": "sidecar", "image": "proxy:1"]]), to: first, as: "bob")
        let containers = second[path: ["spec", "template", "spec", "containers"]]
        #expect(containers == [["name": "app", "image": "app:1"], ["name": "sidecar", "image": "proxy:1"]])
        let app = FieldPath([.field("spec"), .field("template"), .field("spec"), .field("containers"), .key(["name": "app"])])
        let sidecar = FieldPath([.field("spec"), .field("template"), .field("spec"), .field("containers"), .key(["name": "sidecar"])])
        #expect(try fields(of: "alice", in: second)?.contains(app) == true)
        #expect(try fields(of: "bob", in: second)?.contains(sidecar) == true)
        #expect(try fields(of: "bob", in: second)?.contains(app) == false)

        let updated = try apply(deployment([["name": "app", "image": "app:2"]]), to: second, as: "alice")
        #expect(updated[path: ["spec", "template", "spec", "containers"]] == [["name": "app", "image": "app:2"], ["name": "sidecar", "image": "proxy:1"]])
        let removed = try apply(deployment([]), to: updated, as: "bob")
        #expect(removed[path: ["spec", "template", "spec", "containers"]] == [["name": "app", "image": "app:2"]])
    }

    @Test("finalizers merge as a set, each value owned by its applier")
    func setLists() throws {
        func withFinalizers(_ values: JSONValue) -> JSONValue {
            ["apiVersion": "v1", "kind": "ConfigMap", "metadata": ["name": "settings", "finalizers": values]]
        }
        let first = try apply(withFinalizers(["example.com/a"]), to: nil, as: "alice")
        let second = try apply(withFinalizers(["example.com/b"]), to: first, as: "bob")
        #expect(second[path: ["metadata", "finalizers"]] == ["example.com/a", "example.com/b"])
        #expect(try fields(of: "bob", in: second)?.fieldsV1 == (try JSONValue(parsing: #"{"f:metadata":{"f:finalizers":{"v:\"example.com/b\"":{}}}}"#)))
        let dropped = try apply(["apiVersion": "v1", "kind": "ConfigMap", "metadata": ["name": "settings"]], to: second, as: "alice")
        #expect(dropped[path: ["metadata", "finalizers"]] == ["example.com/b"])
    }

    @Test("atomic lists are replaced whole and owned as one field")
    func atomicLists() throws {
        func withArgs(_ args: JSONValue) -> JSONValue {
            ["apiVersion": "v1", "kind": "Pod", "metadata": ["name": "p"], "spec": ["containers": [["name": "c", "args": args]]]]
        }
        let first = try apply(withArgs(["--a", "--b"]), to: nil, as: "alice")
        let found = try #require(conflict { try apply(withArgs(["--c"]), to: first, as: "bob") })
        #expect(found.conflicts.map(\.field) == [".spec.containers[name=\"c\"].args"])
        let replaced = try apply(withArgs(["--c"]), to: first, as: "alice")
        #expect(replaced[path: ["spec", "containers"]] == [["name": "c", "args": ["--c"]]])
    }

    @Test("after kubectl's kubectl-last-applied apply, an Apply entry owns the last-applied annotation")
    func kubectlLastApplied() throws {
        let annotation = "kubectl.kubernetes.io/last-applied-configuration"
        let manifest = configMap(["a": "1"])
        var clientSide = manifest
        clientSide[path: ["metadata", "annotations"]] = .object([annotation: .string(manifest.jsonString + "\n")])
        let created = ServerSideApply.recordUpdate(from: nil, to: clientSide, manager: "kubectl-client-side-apply", now: now)
        #expect(try entries(created).map(\.json) == ServerSideApplyFixtures.configMapManagedFields.arrayValue!.map {
            var entry = $0
            entry["time"] = .string(now)
            return entry
        })

        let serverSide = try apply(manifest, to: created, as: "kubectl")
        let annotationPath = FieldPath(fields: "metadata", "annotations", annotation)
        #expect(ManagedFieldsEntry.owners(of: annotationPath, in: try entries(serverSide), operation: .apply).isEmpty)

        let value = try #require(serverSide[path: ["metadata", "annotations", annotation]])
        let annotationOnly: JSONValue = ["apiVersion": "v1", "kind": "ConfigMap",
            "metadata": ["name": "settings", "namespace": "default", "annotations": .object([annotation: value])]]
        let migrated = try apply(annotationOnly, to: serverSide, as: "kubectl-last-applied")
        let owners = ManagedFieldsEntry.owners(of: annotationPath, in: try entries(migrated), operation: .apply)
        #expect(owners.map(\.manager) == ["kubectl-last-applied"])
        let expected = try JSONValue(parsing: #"{"f:metadata":{"f:annotations":{"f:kubectl.kubernetes.io/last-applied-configuration":{}}}}"#)
        #expect(owners.first?.fields.fieldsV1 == expected)
        #expect(migrated["data"] == ["a": "1"])
    }

    @Test("kubectl moving from client-side apply takes the fields its last-applied annotation still matches")
    func clientSideToServerSideUpgrade() throws {
        let annotation = "kubectl.kubernetes.io/last-applied-configuration"
        let manifest = configMap(["a": "1"])
        let clientSide = configMap(["a": "1"], annotations: .object([annotation: .string(manifest.jsonString + "\n")]))
        let created = ServerSideApply.recordUpdate(from: nil, to: clientSide, manager: "kubectl-client-side-apply", now: now)
        let changed = configMap(["a": "2"])
        let found = try #require(conflict { try apply(changed, to: created, as: "someone-else") })
        #expect(found.message == #"Apply failed with 1 conflict: conflict with "kubectl-client-side-apply" using v1: .data.a"#)

        let upgraded = try apply(changed, to: created, as: "kubectl")
        #expect(upgraded["data"] == ["a": "2"])
        #expect(upgraded[path: ["metadata", "annotations", annotation]] == .string(changed.jsonString + "\n"))
        #expect(try fields(of: "kubectl", in: upgraded)?.contains(FieldPath(fields: "data", "a")) == true)
    }

    @Test("an object without managedFields is first owned by before-first-apply")
    func beforeFirstApply() throws {
        let untracked = configMap(["a": "1"])
        let found = try #require(conflict { try apply(configMap(["a": "2"]), to: untracked, as: "alice") })
        #expect(found.message == #"Apply failed with 1 conflict: conflict with "before-first-apply" using v1: .data.a"#)
    }

    @Test("apply refuses configurations kube-apiserver refuses")
    func badRequests() {
        let cases: [(JSONValue, JSONValue?, String)] = [
            (["kind": "ConfigMap"], nil, "apiVersion must be set"),
            (["apiVersion": "apps/v1", "kind": "Deployment"], ["apiVersion": "apps/v1beta1", "kind": "Deployment"], "Incorrect version specified in apply patch"),
            (["apiVersion": "v1", "kind": "ConfigMap", "metadata": ["managedFields": []]], nil, "metadata.managedFields must be nil"),
            (["apiVersion": "v1", "kind": "Pod", "spec": ["containers": [["image": "x"]]]], nil, #".spec.containers: element 0: associative list with keys has an element that omits key field "name""#),
            (["apiVersion": "v1", "kind": "Pod", "spec": ["containers": [["name": "a"], ["name": "a"]]]], nil, #"duplicate entries for key [name="a"]"#),
        ]
        for (configuration, live, message) in cases {
            #expect(throws: ApplyError.self) { try ServerSideApply.apply(configuration, to: live, manager: "m", force: false, now: now) }
            do {
                _ = try ServerSideApply.apply(configuration, to: live, manager: "m", force: false, now: now)
            } catch {
                #expect(error.status.code == 400)
                #expect(error.description.contains(message), "\(error.description)")
            }
        }
    }

    @Test("applying to the main resource of a kind with a status subresource ignores status")
    func statusIgnored() throws {
        var configuration = configMap(["a": "1"])
        configuration["status"] = ["phase": "Ready"]
        let options = ServerSideApply.Options.mainResource(hasStatusSubresource: true)
        let created = try ServerSideApply.apply(configuration, to: nil, manager: "m", force: false, options: options, now: now)
        let owned = try #require(try fields(of: "m", in: created))
        #expect(!owned.contains(FieldPath(fields: "status", "phase")))
    }
}
