import Foundation
import KubeAPI
import KubeEmulator
import KubeEmulatorTestSupport
import KubeNodeAgent
import NIOCore
import NIOHTTP1
import NIOPosix
import Synchronization

/// A kubelet log source for tests: each container of every pod has the lines given at creation;
/// `tailLines` is honoured, `previous` fails as the kubelet does for a container that never
/// restarted, and `follow` streams are handed to the test to feed.
final class FakePodLogSource: PodLogSource {
    /// One request the API server made.
    struct Call: Sendable, Equatable {
        var namespace: String
        var pod: String
        var uid: String
        var options: PodLogOptions
    }

    /// An open follow stream: the test yields chunks and finishes it; `ended` reports when the
    /// API server stopped reading (the client went away or the stream finished).
    struct FollowStream: Sendable {
        var continuation: AsyncThrowingStream<[UInt8], any Error>.Continuation
        var ended: AsyncStream<Void>
    }

    private let lines: [String: [String]]
    private let recorded = Mutex<[Call]>([])
    /// Every follow stream the API server opened, in order.
    let followStreams: AsyncStream<FollowStream>
    private let followSink: AsyncStream<FollowStream>.Continuation

    /// A source whose containers print `lines[container]` (nothing for others).
    init(lines: [String: [String]]) {
        self.lines = lines
        (followStreams, followSink) = AsyncStream.makeStream()
    }

    /// The requests so far.
    var calls: [Call] { recorded.withLock { $0 } }

    func logs(namespace: String, pod: String, uid: String, options: PodLogOptions) throws(KubeStatus) -> AsyncThrowingStream<[UInt8], any Error> {
        recorded.withLock { $0.append(Call(namespace: namespace, pod: pod, uid: uid, options: options)) }
        if options.previous {
            throw KubeStatus.badRequest("previous terminated container \"\(options.container)\" in pod \"\(pod)\" not found")
        }
        var selected = lines[options.container] ?? []
        if let tail = options.tailLines { selected = Array(selected.suffix(tail)) }
        let (stream, continuation) = AsyncThrowingStream.makeStream(of: [UInt8].self)
        for line in selected { continuation.yield(Array((line + "\n").utf8)) }
        if options.follow {
            let (ended, endedSink) = AsyncStream.makeStream(of: Void.self)
            continuation.onTermination = { _ in endedSink.yield(); endedSink.finish() }
            followSink.yield(FollowStream(continuation: continuation, ended: ended))
        } else {
            continuation.finish()
        }
        return stream
    }
}

/// A pod-network guard that allows exactly the given addresses.
struct AllowListAddressGuard: PodAddressGuard {
    var allowed: Set<String>
    func isLocalPodAddress(_ ip: String) -> Bool { allowed.contains(ip) }
}

/// Pods and services as the node-facing tests need them.
enum NodeFixtures {
    static func podPath(_ name: String, namespace: String = "default") -> String { "/api/v1/namespaces/\(namespace)/pods/\(name)" }
    static func servicePath(_ name: String, namespace: String = "default") -> String { "/api/v1/namespaces/\(namespace)/services/\(name)" }

    /// A pod with one container per name; `ports` are declared on the first container.
    static func pod(_ name: String, containers: [String], labels: [String: String] = [:], ports: [(name: String, port: Int)] = []) -> JSONValue {
        var specs: [JSONValue] = containers.map { ["name": .string($0), "image": "registry.example/app:1"] }
        if !ports.isEmpty, !specs.isEmpty {
            specs[0]["ports"] = .array(ports.map { ["name": .string($0.name), "containerPort": .int(Int64($0.port))] })
        }
        return [
            "apiVersion": "v1", "kind": "Pod",
            "metadata": ["name": .string(name), "labels": .object(labels.mapValues { .string($0) })],
            "spec": ["containers": .array(specs)],
        ]
    }

    /// Creates `pod`, then writes its status: Running and Ready at `podIP`, or (nil) waiting in ContainerCreating.
    @discardableResult
    static func createPod(_ client: EmulatorTestClient, _ pod: JSONValue, podIP: String?) async throws -> JSONValue {
        let created = try await client.post("/api/v1/namespaces/default/pods", pod)
        guard created.status == 201 else { throw TestFailure("pod create returned \(created.status): \(created.text)") }
        var object = created.json
        let names = (pod[path: ["spec", "containers"]]?.arrayValue ?? []).compactMap { $0["name"]?.stringValue }
        if let podIP {
            object["status"] = [
                "phase": "Running", "podIP": .string(podIP), "podIPs": [["ip": .string(podIP)]],
                "conditions": [["type": "Ready", "status": "True"]],
                "containerStatuses": .array(names.map { ["name": .string($0), "ready": true, "restartCount": 0, "state": ["running": ["startedAt": "2026-01-01T00:00:00Z"]]] }),
            ]
        } else {
            object["status"] = [
                "phase": "Pending",
                "containerStatuses": .array(names.map { ["name": .string($0), "ready": false, "restartCount": 0, "state": ["waiting": ["reason": "ContainerCreating"]]] }),
            ]
        }
        let name = pod[path: ["metadata", "name"]]?.stringValue ?? ""
        let updated = try await client.put(podPath(name) + "/status", object)
        guard updated.status == 200 else { throw TestFailure("pod status update returned \(updated.status): \(updated.text)") }
        return updated.json
    }

    /// A Service selecting `selector`, with one port per entry (`targetPort` a number or a name).
    static func service(_ name: String, selector: [String: String], ports: [(name: String?, port: Int, targetPort: JSONValue)]) -> JSONValue {
        [
            "apiVersion": "v1", "kind": "Service", "metadata": ["name": .string(name)],
            "spec": [
                "selector": .object(selector.mapValues { .string($0) }),
                "ports": .array(ports.map { port in
                    var entry: JSONValue = ["port": .int(Int64(port.port)), "targetPort": port.targetPort, "protocol": "TCP"]
                    if let name = port.name { entry["name"] = .string(name) }
                    return entry
                }),
            ],
        ]
    }

    /// Runs `kubectl` against the emulator with a fresh kubeconfig and discovery cache.
    static func kubectl(_ emulator: KubeEmulator, _ arguments: [String]) async throws -> ProcessResult {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let kubeconfig = directory.file("config")
        try KubeconfigWriter.merge(try emulator.kubeconfigEntry(context: "emulator"), into: kubeconfig)
        return try await ProcessRunner.run(
            ProcessRunner.kubectlPath, arguments + ["--request-timeout=30s"],
            environment: ["KUBECONFIG": kubeconfig, "KUBECACHEDIR": directory.file("cache")])
    }
}

/// A tiny HTTP server on 127.0.0.1 that answers every request with what it received:
/// `METHOD URI`, the `authorization` and `x-test` headers and the body, one per line.
enum EchoHTTPServer {
    /// Runs `body` with the port of a fresh server, closed afterwards.
    static func run<Result: Sendable>(_ body: (Int) async throws -> Result) async throws -> Result {
        let server = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.configureHTTPServerPipeline()
                    try channel.pipeline.syncOperations.addHandler(EchoHandler())
                }
            }
            .bind(host: "127.0.0.1", port: 0).get()
        let port = server.localAddress?.port ?? 0
        do {
            let result = try await body(port)
            try await server.close()
            return result
        } catch {
            try? await server.close()
            throw error
        }
    }

    /// A port on 127.0.0.1 where nothing listens (bound, then released).
    static func closedPort() async throws -> Int {
        let channel = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton).bind(host: "127.0.0.1", port: 0).get()
        let port = channel.localAddress?.port ?? 0
        try await channel.close()
        return port
    }

    private final class EchoHandler: ChannelInboundHandler {
        typealias InboundIn = HTTPServerRequestPart
        typealias OutboundOut = HTTPServerResponsePart
        private var head: HTTPRequestHead?
        private var body: [UInt8] = []

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            switch unwrapInboundIn(data) {
            case .head(let head):
                self.head = head
                body = []
            case .body(let buffer):
                body.append(contentsOf: buffer.readableBytesView)
            case .end:
                guard let head else { return }
                let text = "\(head.method.rawValue) \(head.uri)\nauthorization=\(head.headers["authorization"].first ?? "")\n"
                    + "x-test=\(head.headers["x-test"].first ?? "")\nbody=\(String(decoding: body, as: UTF8.self))\n"
                let bytes = head.method == .HEAD ? [] : Array(text.utf8)
                var headers = HTTPHeaders()
                headers.add(name: "Content-Type", value: "text/plain; charset=utf-8")
                headers.add(name: "Content-Length", value: String(text.utf8.count))
                headers.add(name: "X-Echo", value: "yes")
                headers.add(name: "Keep-Alive", value: "timeout=5")
                context.write(wrapOutboundOut(.head(HTTPResponseHead(version: head.version, status: .ok, headers: headers))), promise: nil)
                if !bytes.isEmpty { context.write(wrapOutboundOut(.body(.byteBuffer(ByteBuffer(bytes: bytes)))), promise: nil) }
                context.writeAndFlush(wrapOutboundOut(.end(nil)), promise: nil)
            }
        }
    }
}
