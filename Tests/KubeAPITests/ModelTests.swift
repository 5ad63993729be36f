import KubeAPI
import Testing

@Suite("Typed models, metadata, conditions and errors")
struct ModelTests {
    @Test("ObjectMeta decodes owner references and ignores fields it does not know")
    func objectMeta() throws {
        let json: JSONValue = ["metadata": [
            "name": "w", "namespace": "n", "uid": "u", "resourceVersion": "9", "generation": 3,
            "labels": ["a": "b"], "finalizers": ["x"], "managedFields": [["manager": "m"]],
            "ownerReferences": [["apiVersion": "tandem.dev/v1alpha1", "kind": "FraudModel", "name": "f", "uid": "fu", "controller": true]],
        ]]
        let meta = json.metadata
        #expect(meta.name == "w" && meta.generation == 3 && meta.labels == ["a": "b"] && meta.finalizers == ["x"])
        #expect(meta.ownerReferences?.first?.controller == true)
        #expect(json.resourceVersion == "9" && json.uid == "u")
    }

    @Test("controller owner references come from the owner's JSON")
    func ownerReference() {
        let owner: JSONValue = ["apiVersion": "tandem.dev/v1alpha1", "kind": "FraudModel", "metadata": ["name": "f", "uid": "1"]]
        #expect(OwnerReference.controller(of: owner) == OwnerReference(apiVersion: "tandem.dev/v1alpha1", kind: "FraudModel", name: "f", uid: "1", controller: true, blockOwnerDeletion: true))
        #expect(OwnerReference.controller(of: ["kind": "X"]) == nil)
    }

    @Test("setting a condition moves lastTransitionTime only when status changes")
    func conditions() {
        var conditions: [Condition] = []
        let first = conditions.set(Condition(type: "Ready", status: .false, reason: "Starting", lastTransitionTime: "t1"))
        let second = conditions.set(Condition(type: "Ready", status: .false, reason: "Waiting", lastTransitionTime: "t2"))
        #expect(first && second)
        #expect(conditions[type: "Ready"]?.lastTransitionTime == "t1")
        let unchanged = conditions.set(Condition(type: "Ready", status: .false, reason: "Waiting", lastTransitionTime: "t3"))
        #expect(!unchanged)
        let flipped = conditions.set(Condition(type: "Ready", status: .true, reason: "Up", lastTransitionTime: "t4"))
        #expect(flipped)
        #expect(conditions[type: "Ready"]?.lastTransitionTime == "t4")
        let removed = conditions.remove(type: "Ready")
        #expect(removed && conditions.isEmpty)
    }

    @Test("Deployment, Service, Lease and both Event APIs round-trip through JSON")
    func models() throws {
        let deployment: JSONValue = [
            "apiVersion": "apps/v1", "kind": "Deployment", "metadata": ["name": "d", "generation": 2],
            "spec": ["replicas": 3, "selector": ["matchLabels": ["app": "a"]], "template": ["spec": ["containers": [["name": "c", "image": "i:1"]]]]],
            "status": ["observedGeneration": 2, "replicas": 3, "updatedReplicas": 3, "availableReplicas": 3, "readyReplicas": 3],
        ]
        let typed = try deployment.decode(as: Deployment.self)
        #expect(typed.isRolledOut && typed.spec?.template?[path: ["spec", "containers"]]?[0]?["image"] == "i:1")
        let lease = Lease(metadata: ObjectMeta(name: "l", namespace: "n"), spec: .init(holderIdentity: "me", leaseDurationSeconds: 15))
        #expect(try JSONValue(encoding: lease).decode(as: Lease.self) == lease)
        let service = Service(metadata: ObjectMeta(name: "s"), spec: .init(type: "ClusterIP", selector: ["app": "a"], ports: [.init(port: 80, targetPort: 8080)]))
        #expect(try JSONValue(encoding: service)[path: ["spec", "ports"]]?[0]?["targetPort"] == 8080)
        let event = EventsV1Event(metadata: ObjectMeta(name: "e", namespace: "n"), eventTime: "2026-01-01T00:00:00.000000Z", type: "Normal",
                                  reason: "Rolled", action: "Rollout", note: "ok", regarding: ObjectReference(to: deployment),
                                  reportingController: "tandem.dev/operator", reportingInstance: "pod-1")
        #expect(try JSONValue(encoding: event)["regarding"]?["name"] == "d")
        let legacy = CoreV1Event(metadata: ObjectMeta(name: "e"), involvedObject: ObjectReference(to: deployment), reason: "R", message: "m", type: "Warning")
        #expect(try JSONValue(encoding: legacy).decode(as: CoreV1Event.self) == legacy)
        #expect(try JSONValue(encoding: Namespace(name: "fraud"))["kind"] == "Namespace")
    }

    @Test("Status bodies become KubeErrors; other bodies are synthesized with Retry-After")
    func errors() {
        let conflict = KubeError(httpStatus: 409, body: KubeStatus.conflict(resource: "widgets", group: "example.com", name: "a", reason: KubeStatus.modifiedDetail).json.serialized())
        #expect(conflict.isConflict && conflict.name == "a")
        let throttled = KubeError(httpStatus: 429, body: Array("slow down".utf8), retryAfterHeader: " 3 ")
        #expect(throttled.isTooManyRequests && throttled.retryAfter == .seconds(3) && throttled.message.contains("slow down"))
        let unavailable = KubeError(httpStatus: 503, body: [])
        #expect(unavailable.isServerError && unavailable.reason == "ServiceUnavailable" && !unavailable.isNotFound)
        #expect(KubeError(httpStatus: 504, body: []).isTimeout)
    }

    @Test("lists decode their continue token and items")
    func lists() throws {
        let list = try ObjectList<ConfigMap>(json: ["metadata": ["resourceVersion": "5", "continue": "t"], "items": [["metadata": ["name": "a"]]]])
        #expect(list.continueToken == "t" && list.items.map(\.metadata.name) == ["a"])
        #expect(try ObjectList<JSONValue>(json: ["metadata": ["continue": ""], "items": []]).continueToken == nil)
    }
}
