import KubeAPI
@testable import KubeRuntime
import Testing

@Suite("Object cache and predicates")
struct CacheAndPredicateTests {
    static func object(_ name: String, version: String, generation: Int64 = 1, uid: String = "u1", labels: [String: String] = [:]) -> JSONValue {
        var object: JSONValue = ["metadata": ["name": .string(name), "namespace": "ns", "resourceVersion": .string(version),
                                              "generation": .int(generation), "uid": .string(uid)]]
        if !labels.isEmpty { object[path: ["metadata", "labels"]] = .object(labels.mapValues { .string($0) }) }
        return object
    }

    @Test("a relist delivers exactly the differences and marks the cache synced")
    func relistDiffs() {
        let cache = ObjectCache(cluster: "eks", resource: .configMaps)
        #expect(!cache.hasSynced)
        #expect(cache.replaceAll([Self.object("a", version: "1"), Self.object("b", version: "1")]).count == 2)
        #expect(cache.hasSynced)
        let events = cache.replaceAll([Self.object("a", version: "1"), Self.object("b", version: "2"), Self.object("c", version: "3")])
        var kinds: [String] = []
        for event in events {
            switch event {
            case .added(let object): kinds.append("added \(object.name!)")
            case .updated(_, let object): kinds.append("updated \(object.name!)")
            case .deleted(let object): kinds.append("deleted \(object.name!)")
            }
        }
        #expect(kinds.sorted() == ["added c", "updated b"])
        #expect(cache.replaceAll([Self.object("c", version: "3")]).count == 2, "a and b deleted")
        #expect(cache.keys == [ObjectKey(cluster: "eks", namespace: "ns", name: "c")])
    }

    @Test("an event with a cached resourceVersion is not delivered twice; deletes of unknown objects are ignored")
    func noDuplicates() {
        let cache = ObjectCache(cluster: "eks", resource: .configMaps)
        #expect(cache.upsert(Self.object("a", version: "1")) != nil)
        #expect(cache.upsert(Self.object("a", version: "1")) == nil)
        #expect(cache.upsert(Self.object("a", version: "2")) != nil)
        #expect(cache.remove(Self.object("a", version: "3")) != nil)
        #expect(cache.remove(Self.object("a", version: "3")) == nil)
        #expect(cache.count == 0)
    }

    @Test("label and namespace indexes follow updates and deletes")
    func indexes() {
        let cache = ObjectCache(cluster: "eks", resource: .configMaps)
        _ = cache.upsert(Self.object("a", version: "1", labels: ["app": "x"]))
        _ = cache.upsert(Self.object("b", version: "1", labels: ["app": "x", "tier": "web"]))
        #expect(cache.list(label: "app", value: "x").count == 2)
        #expect(cache.list(matching: LabelSelector().equals("app", "x").equals("tier", "web")).compactMap(\.name) == ["b"])
        _ = cache.upsert(Self.object("a", version: "2", labels: ["app": "y"]))
        #expect(cache.list(label: "app", value: "x").compactMap(\.name) == ["b"])
        _ = cache.remove(Self.object("b", version: "3"))
        #expect(cache.list(label: "app", value: "x").isEmpty)
        #expect(cache.list(namespace: "ns").compactMap(\.name) == ["a"])
    }

    @Test("generation-changed predicate: status-only updates are skipped; spec changes, recreation and deletion pass")
    func generationChanged() {
        let predicate = EventPredicate.generationChanged
        let old = Self.object("a", version: "1", generation: 3)
        #expect(!predicate.accepts(.updated(old: old, new: Self.object("a", version: "2", generation: 3))))
        #expect(predicate.accepts(.updated(old: old, new: Self.object("a", version: "2", generation: 4))))
        #expect(predicate.accepts(.updated(old: old, new: Self.object("a", version: "2", generation: 3, uid: "u2"))))
        var deleting = Self.object("a", version: "2", generation: 3)
        deleting[path: ["metadata", "deletionTimestamp"]] = "2026-01-01T00:00:00Z"
        #expect(predicate.accepts(.updated(old: old, new: deleting)))
        #expect(predicate.accepts(.added(old)))
        #expect(predicate.accepts(.deleted(old)))
    }

    @Test("owner references map to the owner's key by kind and group, controller references only")
    func ownerKeys() {
        var object = Self.object("dep", version: "1")
        object[path: ["metadata", "ownerReferences"]] = [
            ["apiVersion": "tandem.dev/v1alpha1", "kind": "FraudModel", "name": "fm", "uid": "1", "controller": true],
            ["apiVersion": "v1", "kind": "ConfigMap", "name": "cm", "uid": "2"],
        ]
        #expect(OwnerReferences.ownerKeys(of: object, cluster: "gke", kind: "FraudModel", group: "tandem.dev", controllerOnly: true)
                == [ObjectKey(cluster: "gke", namespace: "ns", name: "fm")])
        #expect(OwnerReferences.ownerKeys(of: object, cluster: "gke", kind: "ConfigMap", group: "", controllerOnly: true).isEmpty)
        #expect(OwnerReferences.ownerKeys(of: object, cluster: "gke", kind: "ConfigMap", group: "", controllerOnly: false).count == 1)
        #expect(ObjectTransforms.stripManagedFields(["metadata": ["name": "x", "managedFields": [["manager": "m"]]]]) == ["metadata": ["name": "x"]])
    }
}
