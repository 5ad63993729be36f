import AsyncHTTPClient
import KubeAPI
import KubeEmulator
import KubeEmulatorTestSupport
import KubeNodeAgent
import NIOCore
import TandemTestSupport
import Testing

/// `GET pods/NAME/log` over HTTP: the query as kube-apiserver validates it, container resolution,
/// the log source's stream, and what simulated pods answer.
@Suite("pods/log")
struct PodLogTests {
    static let source = FakePodLogSource(lines: ["app": ["one", "two", "three"], "a": ["from a"], "b": ["from b"]])

    private func withLogSource<Result: Sendable>(_ source: FakePodLogSource, _ body: (EmulatorTestClient) async throws -> Result) async throws -> Result {
        try await withEmulator { client in
            client.emulator.setPodLogSource(source)
            return try await body(client)
        }
    }

    @Test("the only container is used when none is named, and the source's chunks are the text/plain body")
    func onlyContainer() async throws {
        let source = FakePodLogSource(lines: ["app": ["one", "two"]])
        try await withLogSource(source) { client in
            let pod = try await NodeFixtures.createPod(client, NodeFixtures.pod("p", containers: ["app"]), podIP: "10.0.0.5")
            let response = try await client.get(NodeFixtures.podPath("p") + "/log")
            #expect(response.status == 200)
            #expect(response.text == "one\ntwo\n")
            #expect(response.headers["content-type"].first == "text/plain")
            let call = try #require(source.calls.first)
            #expect(call.namespace == "default" && call.pod == "p")
            #expect(call.uid == pod[path: ["metadata", "uid"]]?.stringValue)
            #expect(call.options == PodLogOptions(container: "app"))
        }
    }

    @Test("every query parameter reaches the source")
    func optionsReachTheSource() async throws {
        let source = FakePodLogSource(lines: ["app": ["one", "two", "three"]])
        try await withLogSource(source) { client in
            try await NodeFixtures.createPod(client, NodeFixtures.pod("p", containers: ["app"]), podIP: "10.0.0.5")
            let response = try await client.get(NodeFixtures.podPath("p") + "/log?container=app&tailLines=2&timestamps=true&limitBytes=100&sinceSeconds=30&previous=false")
            #expect(response.status == 200)
            #expect(response.text == "two\nthree\n")
            var expected = PodLogOptions(container: "app")
            expected.tailLines = 2
            expected.timestamps = true
            expected.limitBytes = 100
            expected.sinceSeconds = 30
            #expect(source.calls.last?.options == expected)
            _ = try await client.get(NodeFixtures.podPath("p") + "/log?sinceTime=2026-01-02T03:04:05Z")
            #expect(source.calls.last?.options.sinceTime == Timestamp.parse("2026-01-02T03:04:05Z"))
        }
    }

    @Test("several containers and none named: 400 listing them; an unknown name: 400")
    func containerResolution() async throws {
        try await withLogSource(Self.source) { client in
            try await NodeFixtures.createPod(client, NodeFixtures.pod("multi", containers: ["a", "b"]), podIP: "10.0.0.6")
            let unnamed = try await client.get(NodeFixtures.podPath("multi") + "/log")
            #expect(unnamed.status == 400)
            #expect(unnamed.statusObject?.message == "a container name must be specified for pod multi, choose one of: [a b]")
            let unknown = try await client.get(NodeFixtures.podPath("multi") + "/log?container=c")
            #expect(unknown.status == 400)
            #expect(unknown.statusObject?.message == "container c is not valid for pod multi")
            let named = try await client.get(NodeFixtures.podPath("multi") + "/log?container=b")
            #expect(named.text == "from b\n")
        }
    }

    @Test("a missing pod is 404 NotFound")
    func missingPod() async throws {
        try await withLogSource(Self.source) { client in
            let response = try await client.get(NodeFixtures.podPath("ghost") + "/log")
            #expect(response.status == 404)
            #expect(response.statusObject?.message == "pods \"ghost\" not found")
        }
    }

    @Test("values kube-apiserver rejects: 422 Invalid for out-of-range ones, 400 for undecodable ones")
    func validation() async throws {
        try await withLogSource(Self.source) { client in
            try await NodeFixtures.createPod(client, NodeFixtures.pod("p", containers: ["app"]), podIP: "10.0.0.5")
            let base = NodeFixtures.podPath("p") + "/log?"
            let both = try await client.get(base + "sinceSeconds=10&sinceTime=2026-01-02T03:04:05Z")
            #expect(both.status == 422)
            #expect(both.statusObject?.message == "PodLogOptions \"p\" is invalid: : Forbidden: at most one of `sinceTime` or `sinceSeconds` may be specified")
            let negativeTail = try await client.get(base + "tailLines=-1")
            #expect(negativeTail.status == 422)
            #expect(negativeTail.statusObject?.message == "PodLogOptions \"p\" is invalid: tailLines: Invalid value: -1: must be greater than or equal to 0")
            #expect(negativeTail.statusObject?.causes.first?.field == "tailLines")
            #expect(try await client.get(base + "limitBytes=0").status == 422)
            #expect(try await client.get(base + "sinceSeconds=0").status == 422)
            let notANumber = try await client.get(base + "tailLines=ten")
            #expect(notANumber.status == 400)
            #expect(notANumber.statusObject?.message.contains("tailLines") == true)
            let badTime = try await client.get(base + "sinceTime=yesterday")
            #expect(badTime.status == 400)
            #expect(badTime.statusObject?.message.contains("RFC 3339") == true)
            #expect(try await client.send(.POST, NodeFixtures.podPath("p") + "/log", json: [:]).status == 405)
        }
    }

    @Test("the source's refusal (previous without a restart) is its Status")
    func sourceRefusal() async throws {
        try await withLogSource(Self.source) { client in
            try await NodeFixtures.createPod(client, NodeFixtures.pod("p", containers: ["app"]), podIP: "10.0.0.5")
            let response = try await client.get(NodeFixtures.podPath("p") + "/log?previous=true")
            #expect(response.status == 400)
            #expect(response.statusObject?.message == "previous terminated container \"app\" in pod \"p\" not found")
        }
    }

    @Test("without a log source: the kubelet's waiting message, else one that names simulated mode")
    func simulatedPods() async throws {
        try await withEmulator { client in
            try await NodeFixtures.createPod(client, NodeFixtures.pod("waiting", containers: ["app"]), podIP: nil)
            let waiting = try await client.get(NodeFixtures.podPath("waiting") + "/log")
            #expect(waiting.status == 400)
            #expect(waiting.statusObject?.message == "container \"app\" in pod \"waiting\" is waiting to start: ContainerCreating")
            try await NodeFixtures.createPod(client, NodeFixtures.pod("running", containers: ["app"]), podIP: "10.0.0.7")
            let running = try await client.get(NodeFixtures.podPath("running") + "/log")
            #expect(running.status == 400)
            #expect(running.statusObject?.message.contains("simulates pods") == true)
        }
    }

    @Test("follow: chunks arrive while the response is open; it ends when the source ends")
    func follow() async throws {
        let source = FakePodLogSource(lines: ["app": ["first"]])
        try await withDeadline(.seconds(30)) {
            try await withLogSource(source) { client in
                try await NodeFixtures.createPod(client, NodeFixtures.pod("p", containers: ["app"]), podIP: "10.0.0.5")
                let response = try await client.http.execute(
                    HTTPClientRequest(url: client.emulator.url + NodeFixtures.podPath("p") + "/log?follow=true"), timeout: .seconds(30))
                #expect(response.status == .ok)
                var body = response.body.makeAsyncIterator()
                var streams = source.followStreams.makeAsyncIterator()
                let live = try #require(await streams.next())
                #expect(try await Self.read(&body, until: "first\n") == "first\n")
                live.continuation.yield(Array("second\n".utf8))
                #expect(try await Self.read(&body, until: "second\n") == "second\n")
                live.continuation.finish()
                #expect(try await body.next() == nil)
            }
        }
    }

    @Test("follow: the client going away ends the source's stream")
    func followEndsWithTheClient() async throws {
        let source = FakePodLogSource(lines: ["app": ["first"]])
        try await withDeadline(.seconds(30)) {
            try await withLogSource(source) { client in
                try await NodeFixtures.createPod(client, NodeFixtures.pod("p", containers: ["app"]), podIP: "10.0.0.5")
                let url = client.emulator.url + NodeFixtures.podPath("p") + "/log?follow=true"
                let http = client.http
                let reader = Task {
                    let response = try await http.execute(HTTPClientRequest(url: url), timeout: .seconds(30))
                    var body = response.body.makeAsyncIterator()
                    _ = try await Self.read(&body, until: "first\n")
                    try await Task.sleep(for: .seconds(3600))
                }
                var streams = source.followStreams.makeAsyncIterator()
                let live = try #require(await streams.next())
                reader.cancel()
                var ended = live.ended.makeAsyncIterator()
                #expect(await ended.next() != nil)
            }
        }
    }

    /// Reads until the collected text ends with `suffix`.
    private static func read(_ body: inout HTTPClientResponse.Body.AsyncIterator, until suffix: String) async throws -> String {
        var text = ""
        while !text.hasSuffix(suffix) {
            guard let chunk = try await body.next() else { break }
            text += String(buffer: chunk)
        }
        return text
    }
}
