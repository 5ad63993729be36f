import Foundation
import KubeAPI
import KubeClient
import KubeEmulator
import KubeEmulatorTestSupport
import TandemTestSupport
import Testing

@Suite("Paging and watches")
struct ListAndWatchTests {
    @Test("listAll pages through 1,200 objects in pages of 500 with continue tokens")
    func paging() async throws {
        try await withTLSEmulator { emulator, _ in
            try await withClient(clientConfiguration(emulator)) { client in
                _ = try await client.resource(.namespaces).create(["apiVersion": "v1", "kind": "Namespace", "metadata": ["name": "paging"]])
                let maps = client.resource(.configMaps, namespace: "paging")
                try await withThrowingTaskGroup(of: Void.self) { group in
                    for worker in 0..<6 {
                        group.addTask {
                            for index in stride(from: worker, to: 1200, by: 6) {
                                _ = try await maps.create(configMap(String(format: "item-%04d", index), labels: ["bulk": "yes"]))
                            }
                        }
                    }
                    try await group.waitForAll()
                }
                let listsBefore = emulator.requestCount(verb: "list", resource: "configmaps")
                let all = try await maps.listAll(ListParameters(labelSelector: LabelSelector().equals("bulk", "yes")))
                #expect(all.items.count == 1200)
                #expect(Set(all.items.compactMap(\.name)).count == 1200)
                #expect(all.metadata.resourceVersion != nil && all.continueToken == nil)
                #expect(emulator.requestCount(verb: "list", resource: "configmaps") - listsBefore == 3)
                let page = try await maps.list(ListParameters(limit: 100))
                #expect(page.items.count == 100 && page.continueToken != nil)
            }
        }
    }

    @Test("a watch delivers typed ADDED, MODIFIED and DELETED events from a resourceVersion")
    func typedEvents() async throws {
        try await withTLSEmulator { emulator, _ in
            try await withClient(clientConfiguration(emulator)) { client in
                let maps = client.resource(.configMaps, as: ConfigMap.self)
                let start = try await maps.list()
                let watch = maps.watch(WatchParameters(labelSelector: LabelSelector().equals("watched", "yes"), resourceVersion: start.metadata.resourceVersion, timeoutSeconds: 30))
                async let events: [String] = withDeadline(.seconds(15), "watch events") {
                    var events: [String] = []
                    for try await event in watch {
                        if let map = event.object { events.append("\(event.type.rawValue) \(map.metadata.name ?? "") \(map.data?["v"] ?? "-")") }
                        if events.count == 3 { break }
                    }
                    return events
                }
                try await eventually("the watch to open") { emulator.openWatchCount == 1 }
                _ = try await maps.create(ConfigMap(metadata: ObjectMeta(name: "unwatched"), data: ["v": "0"]))
                _ = try await maps.create(ConfigMap(metadata: ObjectMeta(name: "w", labels: ["watched": "yes"]), data: ["v": "1"]))
                _ = try await maps.patch("w", .merge(["data": ["v": "2"]]))
                _ = try await maps.delete("w")
                #expect(try await events == ["ADDED w 1", "MODIFIED w 2", "DELETED w 2"])
            }
        }
    }

    @Test("a resuming watch continues after the emulator closes every watch, without gaps or duplicates")
    func resumesAfterClose() async throws {
        try await withTLSEmulator { emulator, admin in
            try await withClient(clientConfiguration(emulator)) { client in
                let maps = client.resource(.configMaps)
                let start = try await maps.list()
                let watch = maps.watchResuming(WatchParameters(resourceVersion: start.metadata.resourceVersion))
                async let names: [String] = withDeadline(.seconds(20), "resumed events") {
                    var names: [String] = []
                    for try await event in watch {
                        if case .added(let object) = event, let name = object.name { names.append(name) }
                        if names.count == 4 { break }
                    }
                    return names
                }
                try await eventually("the watch to open") { emulator.openWatchCount == 1 }
                _ = try await maps.create(configMap("r1"))
                _ = try await maps.create(configMap("r2"))
                try await eventually("both events to be sent") { emulator.requestCount(verb: "create", resource: "configmaps") == 2 }
                let closed = try await admin.post("/_emulator/watches/close", [:])
                #expect(closed.status == 200)
                _ = try await maps.create(configMap("r3"))
                try await eventually("the watch to reconnect") { emulator.requestCount(verb: "watch", resource: "configmaps") >= 2 }
                _ = try await maps.create(configMap("r4"))
                #expect(try await names == ["r1", "r2", "r3", "r4"])
            }
        }
    }

    @Test("a 410 Expired is surfaced as isGone: an ERROR event on a single watch, a thrown error on a resuming one")
    func expired() async throws {
        try await withTLSEmulator { emulator, _ in
            try await withClient(clientConfiguration(emulator)) { client in
                let maps = client.resource(.configMaps)
                let old = try await maps.list().metadata.resourceVersion
                _ = try await maps.create(configMap("after"))
                emulator.compactHistory()
                var single: KubeError?
                for try await event in maps.watch(WatchParameters(resourceVersion: old)) {
                    if case .error(let status) = event { single = status }
                }
                #expect(single?.isGone == true)
                let error = try await #require(throws: KubeError.self) {
                    for try await _ in maps.watchResuming(WatchParameters(resourceVersion: old)) {}
                }
                #expect(error.isGone && error.code == 410)
            }
        }
    }

    @Test("bookmarks arrive and move the resume point")
    func bookmarks() async throws {
        try await withTLSEmulator(configure: { $0.bookmarkInterval = .milliseconds(200) }) { emulator, _ in
            try await withClient(clientConfiguration(emulator)) { client in
                let maps = client.resource(.configMaps)
                let start = try await maps.list()
                _ = try await maps.create(configMap("marked"))
                let bookmark = try await withDeadline(.seconds(10), "a bookmark") {
                    for try await event in maps.watch(WatchParameters(resourceVersion: start.metadata.resourceVersion)) {
                        if case .bookmark(let rv) = event { return rv }
                    }
                    return ""
                }
                #expect(Int(bookmark) ?? 0 >= Int(start.metadata.resourceVersion ?? "0") ?? 0)
            }
        }
    }

    @Test("cancelling the watching task closes the connection")
    func cancellationCloses() async throws {
        try await withTLSEmulator { emulator, _ in
            try await withClient(clientConfiguration(emulator)) { client in
                let maps = client.resource(.configMaps)
                try await withThrowingTaskGroup(of: Void.self) { group in
                    group.addTask {
                        for try await _ in maps.watch(WatchParameters(resourceVersion: "0")) {}
                    }
                    try await eventually("the watch to open") { emulator.openWatchCount == 1 }
                    group.cancelAll()
                    _ = try? await group.next()
                }
                try await eventually("the server to see the watch closed") { emulator.openWatchCount == 0 }
            }
        }
    }

    @Test("a silent watch connection fails with watchIdle once timeoutSeconds plus the margin pass without data")
    func idleTimeout() async throws {
        try await withTLSEmulator { emulator, _ in
            var configuration = clientConfiguration(emulator)
            // The idle timeout is timeoutSeconds + margin; a negative margin makes it 0.5 s while the
            // server keeps the (bookmark-less, event-less) watch open for 30 s.
            configuration.watchIdleMargin = .milliseconds(-29_500)
            try await withClient(configuration) { client in
                let maps = client.resource(.configMaps)
                let start = try await maps.list()
                let watch = maps.watch(WatchParameters(resourceVersion: start.metadata.resourceVersion, allowWatchBookmarks: false, timeoutSeconds: 30))
                let started = ContinuousClock.now
                let error = try await #require(throws: KubeClientError.self) {
                    try await withDeadline(.seconds(10), "the idle timeout") { for try await _ in watch {} }
                }
                guard case .watchIdle = error else { Issue.record("expected watchIdle, got \(error)"); return }
                #expect(ContinuousClock.now - started < .seconds(5))
                try await eventually("the server to see the watch closed") { emulator.openWatchCount == 0 }
            }
        }
    }
}
