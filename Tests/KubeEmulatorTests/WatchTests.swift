import KubeAPI
import KubeEmulator
import KubeEmulatorTestSupport
import Testing

@Suite("watch")
struct WatchTests {
    @Test("resourceVersion 0 starts with synthetic ADDED events, then live changes")
    func initialEvents() async throws {
        try await withEmulator { client in
            try await client.installWidgetCRD()
            try await client.createWidget("a")
            try await client.createWidget("b")
            let watch = try await client.watch(Fixtures.widgets() + "?watch=true&resourceVersion=0")
            let first = try #require(try await watch.next(within: .seconds(5)))
            let second = try #require(try await watch.next(within: .seconds(5)))
            #expect([first, second].map { $0["type"] } == ["ADDED", "ADDED"])
            #expect([first, second].compactMap { $0[path: ["object", "metadata", "name"]]?.stringValue } == ["a", "b"])
            _ = try await client.patch(Fixtures.widgets() + "/a", ["spec": ["size": 7]])
            let modified = try await watch.waitFor { $0["type"] == "MODIFIED" }
            #expect(modified[path: ["object", "spec", "size"]] == 7)
            #expect(modified[path: ["object", "apiVersion"]] == "example.com/v1")
        }
    }

    @Test("a watch from a resourceVersion replays exactly the events after it")
    func replay() async throws {
        try await withEmulator { client in
            try await client.installWidgetCRD()
            let a = try await client.createWidget("a")
            let start = try #require(a[path: ["metadata", "resourceVersion"]]?.stringValue)
            try await client.createWidget("b")
            _ = try await client.patch(Fixtures.widgets() + "/a", ["spec": ["size": 2]])
            _ = try await client.delete(Fixtures.widgets() + "/b")
            let watch = try await client.watch(Fixtures.widgets() + "?watch=true&resourceVersion=\(start)")
            var seen: [String] = []
            for _ in 0..<3 {
                let event = try #require(try await watch.next(within: .seconds(5)))
                seen.append("\(event["type"]!.stringValue!) \(event[path: ["object", "metadata", "name"]]!.stringValue!)")
            }
            #expect(seen == ["ADDED b", "MODIFIED a", "DELETED b"])
            await #expect(throws: WatchTimeout.self) { _ = try await watch.next(within: .milliseconds(300)) }
        }
    }

    @Test("a resourceVersion older than the history gets an ERROR event with 410 Expired")
    func expired() async throws {
        try await withEmulator({ $0.historySize = 3 }) { client in
            try await client.installWidgetCRD()
            let first = try await client.createWidget("a")
            for index in 0..<5 { try await client.createWidget("w\(index)") }
            let rv = first[path: ["metadata", "resourceVersion"]]!.stringValue!
            let watch = try await client.watch(Fixtures.widgets() + "?watch=true&resourceVersion=\(rv)")
            let event = try #require(try await watch.next(within: .seconds(5)))
            #expect(event["type"] == "ERROR")
            #expect(event[path: ["object", "code"]] == 410)
            #expect(event[path: ["object", "reason"]] == "Expired")
            #expect(try await watch.next(within: .seconds(5)) == nil)
        }
    }

    @Test("compacting the history makes resuming watches get 410")
    func compaction() async throws {
        try await withEmulator { client in
            try await client.installWidgetCRD()
            let created = try await client.createWidget("a")
            try await client.createWidget("b")
            client.emulator.compactHistory()
            let watch = try await client.watch(Fixtures.widgets() + "?watch=true&resourceVersion=\(created[path: ["metadata", "resourceVersion"]]!.stringValue!)")
            let event = try #require(try await watch.next(within: .seconds(5)))
            #expect(event[path: ["object", "code"]] == 410)
        }
    }

    @Test("bookmarks arrive periodically and before a timeoutSeconds close")
    func bookmarks() async throws {
        try await withEmulator({ $0.bookmarkInterval = .milliseconds(200) }) { client in
            try await client.installWidgetCRD()
            try await client.createWidget("a")
            let rv = client.emulator.currentResourceVersion
            let watch = try await client.watch(Fixtures.widgets() + "?watch=true&allowWatchBookmarks=true&resourceVersion=\(rv)&timeoutSeconds=1")
            let bookmark = try await watch.waitFor(within: .seconds(5)) { $0["type"] == "BOOKMARK" }
            #expect(bookmark[path: ["object", "kind"]] == "Widget")
            #expect(bookmark[path: ["object", "metadata", "resourceVersion"]] == .string(String(rv)))
            var last: JSONValue?
            while let event = try await watch.next(within: .seconds(5)) { last = event }
            #expect(last?["type"] == "BOOKMARK")
        }
    }

    @Test("without timeoutSeconds the server does not close the watch")
    func noServerClose() async throws {
        try await withEmulator { client in
            try await client.installWidgetCRD()
            let watch = try await client.watch(Fixtures.widgets() + "?watch=true&resourceVersion=\(client.emulator.currentResourceVersion)")
            // Idle for a while: the server must keep the stream open (reading with a timeout would cancel it).
            try await Task.sleep(for: .milliseconds(1500))
            try await client.createWidget("late")
            let event = try #require(try await watch.next(within: .seconds(5)))
            #expect(event[path: ["object", "metadata", "name"]] == "late")
        }
    }

    @Test("an object that stops matching the selector is sent as DELETED, one that starts as ADDED")
    func selectorTransitions() async throws {
        try await withEmulator { client in
            try await client.installWidgetCRD()
            try await client.createWidget("a", labels: ["tier": "gold"])
            let watch = try await client.watch(Fixtures.widgets() + "?watch=true&labelSelector=tier%3Dgold&resourceVersion=\(client.emulator.currentResourceVersion)")
            _ = try await client.patch(Fixtures.widgets() + "/a", ["metadata": ["labels": ["tier": "silver"]]])
            let exit = try #require(try await watch.next(within: .seconds(5)))
            #expect(exit["type"] == "DELETED")
            #expect(exit[path: ["object", "metadata", "labels", "tier"]] == "gold")
            #expect(exit[path: ["object", "metadata", "resourceVersion"]] == .string(String(client.emulator.currentResourceVersion)))
            _ = try await client.patch(Fixtures.widgets() + "/a", ["spec": ["size": 5]])
            _ = try await client.patch(Fixtures.widgets() + "/a", ["metadata": ["labels": ["tier": "gold"]]])
            let entry = try #require(try await watch.next(within: .seconds(5)))
            #expect(entry["type"] == "ADDED")
            #expect(entry[path: ["object", "spec", "size"]] == 5)
        }
    }

    @Test("field selectors filter watches by name")
    func fieldSelectorWatch() async throws {
        try await withEmulator { client in
            try await client.installWidgetCRD()
            let watch = try await client.watch(Fixtures.widgets() + "?watch=true&fieldSelector=metadata.name%3Db&resourceVersion=0")
            try await client.createWidget("a")
            try await client.createWidget("b")
            let event = try #require(try await watch.next(within: .seconds(5)))
            #expect(event[path: ["object", "metadata", "name"]] == "b")
        }
    }

    @Test("closing every watch ends the streams; the admin endpoint reports how many")
    func closeAll() async throws {
        try await withEmulator { client in
            try await client.installWidgetCRD()
            let watch = try await client.watch(Fixtures.widgets() + "?watch=true")
            try await client.createWidget("a")
            _ = try await watch.next(within: .seconds(5))
            let closed = try await client.send(.POST, "/_emulator/watches/close")
            #expect(closed.json["closed"] == 1)
            #expect(try await watch.next(within: .seconds(5)) == nil)
        }
    }

    @Test("watches ask for Tables get one-row Tables, column definitions only first")
    func tableWatch() async throws {
        try await withEmulator { client in
            try await client.installWidgetCRD()
            try await client.createWidget("a")
            let watch = try await client.watch(Fixtures.widgets() + "?watch=true&resourceVersion=0",
                headers: [("Accept", "application/json;as=Table;v=v1;g=meta.k8s.io,application/json")])
            let first = try #require(try await watch.next(within: .seconds(5)))
            #expect(first[path: ["object", "kind"]] == "Table")
            #expect(first[path: ["object", "columnDefinitions"]]?.arrayValue?.isEmpty == false)
            #expect(first[path: ["object", "rows"]]?[0]?["cells"]?[0] == "a")
            _ = try await client.patch(Fixtures.widgets() + "/a", ["spec": ["size": 4]])
            let second = try #require(try await watch.next(within: .seconds(5)))
            #expect(second[path: ["object", "columnDefinitions"]]?.arrayValue?.isEmpty == true)
            #expect(second[path: ["object", "rows"]]?[0]?["cells"]?[1] == 4)
        }
    }

    @Test("deleting a CRD deletes its objects, with DELETED events")
    func crdDeletion() async throws {
        try await withEmulator { client in
            try await client.installWidgetCRD()
            try await client.createWidget("a")
            let watch = try await client.watch(Fixtures.widgets() + "?watch=true&resourceVersion=\(client.emulator.currentResourceVersion)")
            #expect(try await client.delete(Fixtures.crdPath + "/widgets.example.com").status == 200)
            let event = try #require(try await watch.next(within: .seconds(5)))
            #expect(event["type"] == "DELETED")
            #expect(try await client.get(Fixtures.widgets()).status == 404)
        }
    }
}
