import KubeAPI
import KubeClient
import KubeEmulator
import KubeEmulatorTestSupport
import KubeRuntime
import Testing

let widgetResource = ResourceDescriptor(group: "example.com", version: "v1", plural: "widgets", kind: "Widget", namespaced: true)

@Suite("Status writer, finalizers and event recorder")
struct WritersTests {
    @Test("the status writer makes zero writes when nothing changed, one when it did, and retries a conflict")
    func statusWriter() async throws {
        try await withTestClusters(["one"]) { clusters in
            let test = clusters[0]
            try await test.admin.installWidgetCRD()
            let created = try await test.admin.createWidget("w")
            let writer = StatusWriter(client: test.client, resource: widgetResource)
            let first = try await writer.update(created) { $0["phase"] = "Ready" }
            #expect(first.wrote)
            let before = test.emulator.requestCount(verb: "update", resource: "widgets/status")
            let beforeAll = test.emulator.requestCount()
            for _ in 0..<20 {
                let outcome = try await writer.update(first.object) { $0["phase"] = "Ready" }
                #expect(!outcome.wrote)
            }
            #expect(test.emulator.requestCount() == beforeAll, "no request at all when unchanged")
            // A stale copy: the writer re-reads and writes on the fresh version.
            _ = try await test.admin.patch(Fixtures.widgets() + "/w", ["spec": ["size": 4]])
            let stale = try await writer.update(first.object) { $0["phase"] = "Degraded" }
            #expect(stale.wrote)
            #expect(stale.object[path: ["status", "phase"]] == "Degraded")
            #expect(test.emulator.requestCount(verb: "update", resource: "widgets/status") == before + 2, "one conflict, one success")
        }
    }

    @Test("finalizers: added with a resourceVersion-guarded patch, cleanup runs before removal")
    func finalizers() async throws {
        try await withTestClusters(["one"]) { clusters in
            let test = clusters[0]
            try await test.admin.installWidgetCRD()
            let created = try await test.admin.createWidget("f")
            let finalizers = Finalizers("tandem.dev/cleanup", client: test.client, resource: widgetResource)
            let applied = Tally()
            _ = try await finalizers.reconcile(created, apply: { _ in applied.add("apply"); return .done }, cleanup: { _ in applied.add("cleanup") })
            #expect(applied.count("apply") == 1)
            let widgets = test.client.resource(widgetResource, namespace: "default")
            let withFinalizer = try await widgets.get("f")
            #expect(finalizers.isPresent(on: withFinalizer))
            // A stale object fails the guard instead of overwriting a concurrent change.
            await #expect(throws: KubeError.self) { _ = try await finalizers.remove(from: created.merging(finalizers: ["tandem.dev/cleanup"])) }
            try await widgets.delete("f")
            let deleting = try await widgets.get("f")
            #expect(deleting[path: ["metadata", "deletionTimestamp"]] != nil)
            _ = try await finalizers.reconcile(deleting, apply: { _ in applied.add("apply"); return .done }, cleanup: { _ in applied.add("cleanup") })
            #expect(applied.count("cleanup") == 1)
            #expect(try await widgets.getIfExists("f") == nil, "the object is gone once the finalizer is removed")
        }
    }

    @Test("a hot loop of the same event makes one create and series updates at most once per interval")
    func eventAggregation() async throws {
        try await withTestClusters(["one"]) { clusters in
            let test = clusters[0]
            let object = try await test.admin.post("/api/v1/namespaces/default/configmaps", configMap("noisy")).json
            let clock = ManualClock()
            let recorder = EventRecorder(client: test.client, reportingController: "tandem.dev/operator", reportingInstance: "test", clock: clock)
            for _ in 0..<100 {
                await recorder.record(regarding: object, type: .warning, reason: "RolloutFailed", action: "Rollout", note: "image pull failed")
            }
            #expect(test.emulator.requestCount(verb: "create", resource: "events") == 1)
            #expect(test.emulator.requestCount(verb: "patch", resource: "events") == 0)
            clock.advance(by: .seconds(30))
            await recorder.record(regarding: object, type: .warning, reason: "RolloutFailed", action: "Rollout", note: "image pull failed")
            #expect(test.emulator.requestCount(verb: "patch", resource: "events") == 1)
            for _ in 0..<9 { await recorder.record(regarding: object, type: .warning, reason: "RolloutFailed", action: "Rollout", note: "image pull failed") }
            await recorder.flush()
            #expect(test.emulator.requestCount(verb: "patch", resource: "events") == 2)
            let events = try await test.client.resource(.events, namespace: "default").list()
            #expect(events.items.count == 1)
            let event = events.items[0]
            #expect(event[path: ["series", "count"]]?.intValue == 110)
            #expect(event["reason"] == "RolloutFailed")
            #expect(event[path: ["regarding", "name"]] == "noisy")
            // A different note is a different event.
            await recorder.record(regarding: object, type: .normal, reason: "RolledOut", action: "Rollout", note: "2.1.0 serving")
            #expect(test.emulator.requestCount(verb: "create", resource: "events") == 2)
        }
    }
}

extension JSONValue {
    func merging(finalizers: [String]) -> JSONValue {
        var copy = self
        copy[path: ["metadata", "finalizers"]] = .array(finalizers.map { .string($0) })
        return copy
    }
}
