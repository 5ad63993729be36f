import ArgumentParser
import AsyncHTTPClient
import Foundation
import KubeAPI
import NIOCore
import NIOHTTP1

/// `kube-emulator-bench`: measures a running kube-emulator over HTTP — creates per second of a
/// custom resource, list latency with many objects, and watch delivery delay to several watchers.
@main
struct EmulatorBenchmark: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "kube-emulator-bench",
        abstract: "Load-tests a kube-emulator (plain HTTP, loopback) and prints medians and p99s.")

    @Option(help: "The emulator's URL (http://127.0.0.1:PORT).")
    var url: String

    @Option(help: "Objects to hold for the list measurement.")
    var objects = 5_000

    @Option(help: "Concurrent writers for the create measurement.")
    var writers = 16

    @Option(help: "Seconds of creating.")
    var createSeconds = 5.0

    @Option(help: "Lists to time.")
    var lists = 20

    @Option(help: "Concurrent watchers.")
    var watchers = 10

    @Option(help: "Updates whose delivery to every watcher is timed.")
    var updates = 200

    func run() async throws {
        var configuration = HTTPClient.Configuration(timeout: .init(connect: .seconds(5), read: .seconds(60)))
        // Watchers hold their connections; writers need their own.
        configuration.connectionPool.concurrentHTTP1ConnectionsPerHostSoftLimit = writers + watchers + 8
        let http = HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
        let bench = BenchClient(http: http, base: url)
        do {
            try await bench.installCRD()
            let (created, seconds) = try await bench.createFor(seconds: createSeconds, writers: writers)
            print(String(format: "creates: %d in %.2f s = %.0f writes/s (%d concurrent writers)", created, seconds, Double(created) / seconds, writers))
            try await bench.fill(to: objects, already: created)
            let listTimes = try await bench.timeLists(count: lists)
            print(String(format: "list of %d objects: p50 %.1f ms, p99 %.1f ms (%d lists)", objects, percentile(listTimes, 0.5), percentile(listTimes, 0.99), lists))
            let delays = try await bench.watchDelays(watchers: watchers, updates: updates)
            print(String(format: "watch delivery to %d watchers: p50 %.2f ms, p99 %.2f ms, max %.2f ms (%d deliveries)",
                         watchers, percentile(delays, 0.5), percentile(delays, 0.99), delays.max() ?? 0, delays.count))
            try await http.shutdown()
        } catch {
            try? await http.shutdown()
            throw error
        }
    }
}

func percentile(_ values: [Double], _ fraction: Double) -> Double {
    guard !values.isEmpty else { return .nan }
    let sorted = values.sorted()
    return sorted[min(sorted.count - 1, Int((Double(sorted.count - 1) * fraction).rounded()))]
}

/// The requests the benchmark sends.
struct BenchClient: Sendable {
    let http: HTTPClient
    let base: String
    let collection = "/apis/bench.tandem.dev/v1/namespaces/default/gadgets"

    func send(_ method: HTTPMethod, _ path: String, _ body: JSONValue? = nil, contentType: String = "application/json") async throws -> (Int, [UInt8]) {
        var request = HTTPClientRequest(url: base + path)
        request.method = method
        if let body {
            request.headers.add(name: "Content-Type", value: contentType)
            request.body = .bytes(ByteBuffer(bytes: body.serialized()))
        }
        let response = try await http.execute(request, timeout: .seconds(60))
        let bytes = try await response.body.collect(upTo: 512 * 1024 * 1024)
        return (Int(response.status.code), Array(bytes.readableBytesView))
    }

    func installCRD() async throws {
        let crd: JSONValue = [
            "apiVersion": "apiextensions.k8s.io/v1", "kind": "CustomResourceDefinition",
            "metadata": ["name": "gadgets.bench.tandem.dev"],
            "spec": ["group": "bench.tandem.dev", "scope": "Namespaced",
                     "names": ["plural": "gadgets", "singular": "gadget", "kind": "Gadget"],
                     "versions": [["name": "v1", "served": true, "storage": true, "subresources": ["status": .emptyObject],
                                   "schema": ["openAPIV3Schema": ["type": "object", "properties": [
                                       "spec": ["type": "object", "properties": ["size": ["type": "integer", "minimum": 0], "model": ["type": "string"]]],
                                       "status": ["type": "object", "x-kubernetes-preserve-unknown-fields": true]]]]]]],
        ]
        let (status, body) = try await send(.POST, "/apis/apiextensions.k8s.io/v1/customresourcedefinitions", crd)
        guard status == 201 || status == 409 else { throw ValidationError("CRD create failed: \(status) \(String(decoding: body, as: UTF8.self))") }
    }

    func gadget(_ name: String) -> JSONValue {
        ["apiVersion": "bench.tandem.dev/v1", "kind": "Gadget",
         "metadata": ["name": .string(name), "labels": ["bench": "true"]],
         "spec": ["size": 3, "model": "fraud-detector-2.1.0"]]
    }

    /// Creates objects from several writers for a while; returns how many and how long.
    func createFor(seconds: Double, writers: Int) async throws -> (Int, Double) {
        let start = ContinuousClock.now
        let deadline = start + .milliseconds(Int64(seconds * 1000))
        let total = try await withThrowingTaskGroup(of: Int.self) { group in
            for writer in 0..<writers {
                group.addTask {
                    var count = 0
                    while ContinuousClock.now < deadline {
                        let (status, _) = try await send(.POST, collection, gadget("g-\(writer)-\(count)"))
                        guard status == 201 else { throw ValidationError("create returned \(status)") }
                        count += 1
                    }
                    return count
                }
            }
            return try await group.reduce(0, +)
        }
        let elapsed = ContinuousClock.now - start
        return (total, Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18)
    }

    /// Creates or deletes until exactly `target` objects exist.
    func fill(to target: Int, already: Int) async throws {
        guard already < target else {
            let (_, body) = try await send(.GET, collection)
            let items = (try JSONValue(parsing: body))["items"]?.arrayValue ?? []
            for item in items.dropFirst(target) {
                _ = try await send(.DELETE, collection + "/" + (item[path: ["metadata", "name"]]?.stringValue ?? ""))
            }
            return
        }
        try await withThrowingTaskGroup(of: Void.self) { group in
            for writer in 0..<8 {
                group.addTask {
                    for index in stride(from: already + writer, to: target, by: 8) {
                        _ = try await send(.POST, collection, gadget("fill-\(index)"))
                    }
                }
            }
            try await group.waitForAll()
        }
    }

    func timeLists(count: Int) async throws -> [Double] {
        var times: [Double] = []
        for _ in 0..<count {
            let start = ContinuousClock.now
            let (status, _) = try await send(.GET, collection)
            guard status == 200 else { throw ValidationError("list returned \(status)") }
            times.append(milliseconds(ContinuousClock.now - start))
        }
        return times
    }

    /// Opens watchers, then patches one object repeatedly and measures, for every watcher, the
    /// time from sending each patch to receiving its event.
    func watchDelays(watchers: Int, updates: Int) async throws -> [Double] {
        let clock = ContinuousClock()
        let (_, listBody) = try await send(.GET, collection + "?limit=1")
        let start = (try JSONValue(parsing: listBody))[path: ["metadata", "resourceVersion"]]?.stringValue ?? "0"
        let target = "watched"
        _ = try await send(.POST, collection, gadget(target))
        let sentAt = SentTimes()
        let delays = try await withThrowingTaskGroup(of: [Double].self) { group in
            for _ in 0..<watchers {
                group.addTask {
                    var request = HTTPClientRequest(url: base + collection + "?watch=true&fieldSelector=metadata.name%3D\(target)&resourceVersion=\(start)")
                    request.method = .GET
                    let response = try await http.execute(request, timeout: .seconds(120))
                    var buffer: [UInt8] = []
                    var delays: [Double] = []
                    var seen = 0
                    for try await chunk in response.body {
                        let now = clock.now
                        buffer.append(contentsOf: chunk.readableBytesView)
                        while let newline = buffer.firstIndex(of: UInt8(ascii: "\n")) {
                            let event = try JSONValue(parsing: buffer[..<newline])
                            buffer.removeSubrange(...newline)
                            guard event["type"] == "MODIFIED", let size = event[path: ["object", "spec", "size"]]?.intValue else { continue }
                            if let sent = sentAt.time(for: Int(size)) { delays.append(milliseconds(now - sent)) }
                            seen += 1
                        }
                        if seen >= updates { break }
                    }
                    return delays
                }
            }
            try await Task.sleep(for: .milliseconds(300))
            for index in 0..<updates {
                sentAt.record(index + 100, clock.now)
                _ = try await send(.PATCH, collection + "/" + target, ["spec": ["size": .int(Int64(index + 100))]], contentType: "application/merge-patch+json")
                try await Task.sleep(for: .milliseconds(5))
            }
            return try await group.reduce(into: []) { $0 += $1 }
        }
        return delays
    }
}

/// When each update was sent, by the value it wrote.
final class SentTimes: Sendable {
    private let times = Mutex<[Int: ContinuousClock.Instant]>([:])
    func record(_ value: Int, _ time: ContinuousClock.Instant) { times.withLock { $0[value] = time } }
    func time(for value: Int) -> ContinuousClock.Instant? { times.withLock { $0[value] } }
}

func milliseconds(_ duration: Duration) -> Double {
    Double(duration.components.seconds) * 1000 + Double(duration.components.attoseconds) / 1e15
}

import Synchronization
