import Foundation
import KubeAPI
import KubeClient
import KubeEmulator
import KubeEmulatorTestSupport
import Testing

@Suite("Verbs: CRUD, patches, selectors, conflicts, subresources")
struct ObjectLifecycleTests {
    @Test("create, get, list, replace and delete a ConfigMap, typed and untyped")
    func crud() async throws {
        try await withTLSEmulator { emulator, _ in
            try await withClient(clientConfiguration(emulator)) { client in
                let maps = client.resource(.configMaps, as: ConfigMap.self)
                let created = try await maps.create(ConfigMap(metadata: ObjectMeta(name: "settings"), data: ["a": "1"]))
                #expect(created.metadata.uid != nil && created.metadata.namespace == "default")
                var read = try await maps.get("settings")
                #expect(read.data == ["a": "1"])
                read.data?["b"] = "2"
                let replaced = try await maps.replace(read)
                #expect(replaced.data == ["a": "1", "b": "2"] && replaced.metadata.resourceVersion != created.metadata.resourceVersion)
                #expect(try await maps.list().items.contains { $0.metadata.name == "settings" })
                let untyped = try await client.resource(.configMaps).get("settings")
                #expect(untyped[path: ["data", "b"]] == "2")
                guard case .deleted = try await maps.delete("settings") else { Issue.record("expected deleted"); return }
                #expect(try await maps.getIfExists("settings") == nil)
                let missing = try await #require(throws: KubeError.self) { try await maps.get("settings") }
                #expect(missing.isNotFound)
                let again = try await #require(throws: KubeError.self) { try await maps.delete("settings") }
                #expect(again.isNotFound)
            }
        }
    }

    @Test("every write carries the client's fieldManager")
    func fieldManagerOnWrites() async throws {
        try await withTLSEmulator { emulator, _ in
            try await withClient(clientConfiguration(emulator)) { client in
                let maps = client.resource(.configMaps)
                let created = try await maps.create(configMap("managed"))
                let managers = (created[path: ["metadata", "managedFields"]]?.arrayValue ?? []).compactMap { $0["manager"]?.stringValue }
                #expect(managers == ["tandem"])
                let patched = try await maps.patch("managed", .merge(["data": ["x": "y"]]), WriteParameters(fieldManager: "other"))
                let after = (patched[path: ["metadata", "managedFields"]]?.arrayValue ?? []).compactMap { $0["manager"]?.stringValue }
                #expect(after.contains("other"))
            }
        }
    }

    @Test("a create of an existing name is isAlreadyExists; a stale replace is isConflict")
    func conflicts() async throws {
        try await withTLSEmulator { emulator, _ in
            try await withClient(clientConfiguration(emulator)) { client in
                let maps = client.resource(.configMaps)
                let first = try await maps.create(configMap("contended", data: ["v": "1"]))
                let duplicate = try await #require(throws: KubeError.self) { try await maps.create(configMap("contended")) }
                #expect(duplicate.isAlreadyExists)
                var newer = first
                newer[path: ["data", "v"]] = "2"
                _ = try await maps.replace(newer)
                var stale = first
                stale[path: ["data", "v"]] = "3"
                let conflict = try await #require(throws: KubeError.self) { try await maps.replace(stale) }
                #expect(conflict.isConflict && conflict.code == 409)
                let precondition = try await #require(throws: KubeError.self) {
                    try await maps.delete("contended", DeleteParameters(preconditionUID: "not-the-uid"))
                }
                #expect(precondition.isConflict)
                let stalePrecondition = try await #require(throws: KubeError.self) {
                    try await maps.delete("contended", DeleteParameters(preconditionResourceVersion: first.resourceVersion))
                }
                #expect(stalePrecondition.isConflict)
                let current = try await maps.get("contended")
                _ = try await maps.delete("contended", DeleteParameters(propagationPolicy: .background, preconditionUID: current.uid,
                                                                       preconditionResourceVersion: current.resourceVersion))
                #expect(try await maps.getIfExists("contended") == nil)
            }
        }
    }

    @Test("merge, JSON (with a failing test op), strategic and apply patches")
    func patches() async throws {
        try await withTLSEmulator { emulator, admin in
            try await admin.installWidgetCRD()
            try await withClient(clientConfiguration(emulator)) { client in
                let maps = client.resource(.configMaps)
                _ = try await maps.create(configMap("patched", data: ["a": "1", "b": "2"], labels: ["keep": "yes"]))
                let merged = try await maps.patch("patched", .merge(["data": ["a": nil, "c": "3"]]))
                #expect(merged["data"] == ["b": "2", "c": "3"])
                let strategic = try await maps.patch("patched", .strategic(["metadata": ["labels": ["added": "1"]], "data": ["d": "4"]]))
                #expect(strategic[path: ["metadata", "labels"]] == ["keep": "yes", "added": "1"] && strategic[path: ["data", "d"]] == "4")
                let json = try await maps.patch("patched", .json([.test("/data/b", "2"), .replace("/data/b", "two"),
                                                                  .add(JSONPatchOperation.pointer(["metadata", "annotations"]), ["x/y": "z"])]))
                #expect(json[path: ["data", "b"]] == "two" && json[path: ["metadata", "annotations", "x/y"]] == "z")
                let failedTest = try await #require(throws: KubeError.self) {
                    try await maps.patch("patched", .json([.test("/data/b", "2"), .replace("/data/b", "never")]))
                }
                #expect(failedTest.isInvalid || failedTest.code == 422)

                let widgetsClient = client.resource(widgets)
                let applied = try await widgetsClient.apply("applied", fields: ["spec": ["size": 4, "color": "blue"]])
                #expect(applied[path: ["spec", "size"]] == 4)
                let reapplied = try await widgetsClient.apply("applied", fields: ["spec": ["size": 5, "color": "blue"]], force: true)
                #expect(reapplied[path: ["spec", "size"]] == 5)
                let managers = (reapplied[path: ["metadata", "managedFields"]]?.arrayValue ?? []).compactMap { $0["manager"]?.stringValue }
                #expect(managers.contains("tandem"))
            }
        }
    }

    @Test("label and field selectors filter list and deletecollection")
    func selectors() async throws {
        try await withTLSEmulator { emulator, _ in
            try await withClient(clientConfiguration(emulator)) { client in
                let maps = client.resource(.configMaps)
                for (name, tier) in [("s1", "web"), ("s2", "web"), ("s3", "db")] {
                    _ = try await maps.create(configMap(name, labels: ["tier": tier, "suite": "selectors"]))
                }
                let web = try await maps.list(ListParameters(labelSelector: LabelSelector().equals("tier", "web")))
                #expect(Set(web.items.compactMap(\.name)) == ["s1", "s2"])
                let notWeb = try await maps.list(ListParameters(labelSelector: try LabelSelector(parsing: "suite=selectors,tier notin (web)")))
                #expect(notWeb.items.compactMap(\.name) == ["s3"])
                let byName = try await maps.list(ListParameters(fieldSelector: FieldSelector().equals("metadata.name", "s2")))
                #expect(byName.items.compactMap(\.name) == ["s2"])
                let deleted = try await maps.deleteCollection(ListParameters(labelSelector: LabelSelector().equals("tier", "web")))
                #expect(deleted == 2)
                #expect(try await maps.list(ListParameters(labelSelector: LabelSelector().equals("suite", "selectors"))).items.compactMap(\.name) == ["s3"])
            }
        }
    }

    @Test("status and scale subresources of a custom resource")
    func subresources() async throws {
        try await withTLSEmulator { emulator, admin in
            try await admin.installWidgetCRD()
            try await withClient(clientConfiguration(emulator)) { client in
                let widgetsClient = client.resource(widgets)
                _ = try await widgetsClient.create(Fixtures.widget("scaled"))
                var withStatus = try await widgetsClient.getStatus("scaled")
                withStatus["status"] = ["replicas": 1, "phase": "Ready"]
                withStatus[path: ["spec", "size"]] = 9
                let replaced = try await widgetsClient.replaceStatus(withStatus)
                #expect(replaced[path: ["status", "phase"]] == "Ready")
                #expect(replaced[path: ["spec", "size"]] == 3, "the status subresource ignores spec changes")
                let patched = try await widgetsClient.patchStatus("scaled", .merge(["status": ["phase": "Degraded"]]))
                #expect(patched[path: ["status", "phase"]] == "Degraded")

                let scale = try await widgetsClient.getScale("scaled")
                #expect(scale.spec.replicas == 1)
                let rescaled = try await widgetsClient.patchScale("scaled", .merge(["spec": ["replicas": 4]]))
                #expect(rescaled.spec.replicas == 4)
                #expect(try await widgetsClient.get("scaled")[path: ["spec", "replicas"]] == 4)
                let replacedScale = try await widgetsClient.replaceScale("scaled", Scale(metadata: rescaled.metadata, replicas: 2))
                #expect(replacedScale.spec.replicas == 2)
            }
        }
    }

    @Test("a field unknown to this client, written by another client, survives read-modify-write and read-patch")
    func unknownFieldsSurvive() async throws {
        try await withTLSEmulator { emulator, admin in
            try await admin.installWidgetCRD()
            var widget = Fixtures.widget("future")
            widget[path: ["spec", "extra"]] = ["addedInV2": ["nested": [1, 2, 3], "flag": true]]
            let created = try await admin.post(Fixtures.widgets(), widget)
            #expect(created.status == 201)
            try await withClient(clientConfiguration(emulator)) { client in
                let widgetsClient = client.resource(widgets)
                var read = try await widgetsClient.get("future")
                read[path: ["spec", "size"]] = 7
                _ = try await widgetsClient.replace(read)
                let original = try await widgetsClient.get("future")
                var modified = original
                modified[path: ["metadata", "labels"]] = ["touched": "yes"]
                _ = try await widgetsClient.patch("future", .mergeDiff(from: original, to: modified))
                // The typed path: decode to a model to read, but write the JSON back.
                let typed = try await client.resource(widgets, as: PartialObjectMetadata.self).get("future")
                #expect(typed.metadata.labels == ["touched": "yes"])
            }
            let final = try await admin.get("\(Fixtures.widgets())/future").json
            #expect(final[path: ["spec", "extra"]] == ["addedInV2": ["nested": [1, 2, 3], "flag": true]])
            #expect(final[path: ["spec", "size"]] == 7)
            #expect(final[path: ["metadata", "labels", "touched"]] == "yes")
        }
    }
}
