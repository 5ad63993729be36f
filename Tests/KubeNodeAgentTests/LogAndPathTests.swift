import Foundation
import KubeAPI
import Testing
@testable import KubeNodeAgent

@Suite("Logs, container paths and the pod network's addresses")
struct LogAndPathTests {
    @Test("the buffer keeps whole lines within its capacity, oldest dropped first")
    func boundedBuffer() {
        let buffer = LogBuffer(capacity: 20)
        buffer.append(Array("first line\nsecond line\nthi".utf8))
        #expect(buffer.snapshot(follow: false).lines.map { String(decoding: $0.bytes, as: UTF8.self) } == ["second line\n"])
        buffer.append(Array("rd\n".utf8))
        buffer.append(Array("partial".utf8))
        buffer.close()
        let lines = buffer.snapshot(follow: false).lines.map { String(decoding: $0.bytes, as: UTF8.self) }
        #expect(lines == ["third\n", "partial"])
    }

    @Test("tailLines, sinceSeconds, timestamps and limitBytes pick and render as the kubelet does")
    func filters() {
        let now = Date()
        let lines = (0..<5).map { LogBuffer.Line(time: now.addingTimeInterval(Double($0 - 5) * 10), bytes: Array("line \($0)\n".utf8)) }
        var options = PodLogOptions(container: "c")
        options.tailLines = 2
        #expect(LogFilter(options: options, now: now).select(lines).count == 2)
        options.tailLines = nil
        options.sinceSeconds = 25
        #expect(LogFilter(options: options, now: now).select(lines).map { String(decoding: $0.bytes, as: UTF8.self) } == ["line 3\n", "line 4\n"])
        options.timestamps = true
        let rendered = String(decoding: LogFilter(options: options, now: now).render(lines[0]), as: UTF8.self)
        #expect(rendered.hasSuffix("Z line 0\n"))
        #expect(rendered.split(separator: " ").first?.count == 30)
    }

    @Test("logs of a container that has not started, or of a previous instance that never was, are 400s")
    func missingLogs() async throws {
        let logs = PodLogs(capacity: 1024)
        #expect(throws: KubeStatus.self) { try logs.logs(namespace: "d", pod: "p", uid: "u", options: PodLogOptions(container: "c")) }
        let first = logs.startInstance(podUID: "u", container: "c")
        first.append(Array("one\n".utf8))
        var previous = PodLogOptions(container: "c")
        previous.previous = true
        #expect(throws: KubeStatus.self) { try logs.logs(namespace: "d", pod: "p", uid: "u", options: previous) }
        _ = logs.startInstance(podUID: "u", container: "c")
        var collected = ""
        for try await chunk in try logs.logs(namespace: "d", pod: "p", uid: "u", options: previous) {
            collected += String(decoding: chunk, as: UTF8.self)
        }
        #expect(collected == "one\n")
    }

    @Test("a followed log delivers lines written after the request, and ends when output ends")
    func follow() async throws {
        let logs = PodLogs(capacity: 1024)
        let buffer = logs.startInstance(podUID: "u", container: "c")
        buffer.append(Array("before\n".utf8))
        var options = PodLogOptions(container: "c")
        options.follow = true
        let stream = try logs.logs(namespace: "d", pod: "p", uid: "u", options: options)
        Task {
            buffer.append(Array("after\n".utf8))
            buffer.close()
        }
        var collected = ""
        for try await chunk in stream { collected += String(decoding: chunk, as: UTF8.self) }
        #expect(collected == "before\nafter\n")
    }

    @Test("container paths follow the machine's symbolic links, so mounts never leave the container's root")
    func containerPaths() throws {
        let root = NSTemporaryDirectory() + "paths-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: "\(root)/real", withIntermediateDirectories: true)
        try FileManager.default.createSymbolicLink(atPath: "\(root)/absolute", withDestinationPath: "\(root)/real")
        try FileManager.default.createSymbolicLink(atPath: "\(root)/relative", withDestinationPath: "real")
        #expect(ContainerLauncher.resolvedInContainer("\(root)/absolute/secrets/x") == "\(root)/real/secrets/x")
        #expect(ContainerLauncher.resolvedInContainer("\(root)/relative/y") == "\(root)/real/y")
        #expect(ContainerLauncher.resolvedInContainer("/a/./b/../c") == "/a/c")
        #expect(ContainerLauncher.quote("it's") == "'it'\\''s'")
    }

    @Test("pod network prefixes: parsing, containment and overlap")
    func prefixes() throws {
        let pods = try #require(IPv4Prefix("10.201.0.0/16"))
        #expect(pods.contains(try #require(IPv4("10.201.255.1"))))
        #expect(!pods.contains(try #require(IPv4("10.202.0.1"))))
        #expect(pods.overlaps(try #require(IPv4Prefix("10.0.0.0/8"))))
        #expect(!pods.overlaps(try #require(IPv4Prefix("192.0.2.0/24"))))
        #expect(IPv4Prefix("10.201.3.4/16")?.description == "10.201.0.0/16")
        #expect(IPv4Prefix("10.1.2/16") == nil && IPv4Prefix("10.1.2.3/33") == nil)
    }
}
