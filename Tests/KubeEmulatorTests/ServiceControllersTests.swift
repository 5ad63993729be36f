import KubeAPI
import KubeEmulatorTestSupport
import KubeNodeAgent
import Logging
import NIOCore
import NIOPosix
import Synchronization
import TandemTestSupport
import Testing

private var quietLogger: Logger {
    var logger = Logger(label: "service-controllers-test")
    logger.logLevel = .critical
    return logger
}

@Suite("EndpointsController against an in-memory cluster")
struct EndpointsControllerTests {
    typealias F = EndpointsFixtures

    @Test("the first pass creates Endpoints and a slice; a converged cluster sees no writes")
    func convergence() throws {
        let cluster = InMemoryCluster()
        cluster.put(.services, F.service())
        cluster.put(.pods, F.pod("a", ip: "10.201.0.5"))
        let controller = EndpointsController(cluster: cluster, logger: quietLogger)
        var memory = EndpointsControllerMemory()
        #expect(controller.reconcile(&memory))
        let slices = cluster.list(.endpointSlices, namespace: "default")
        let sliceName = try #require(slices.first?[path: ["metadata", "name"]]?.stringValue)
        #expect(slices.count == 1 && sliceName.hasPrefix("web-") && sliceName.count == 9)
        #expect(cluster.writes == ["create endpoints default/web", "create endpointslices default/\(sliceName)"])
        cluster.clearWrites()
        #expect(controller.reconcile(&memory))
        #expect(cluster.writes.isEmpty)

        cluster.put(.pods, F.pod("b", ip: "10.201.0.6"))
        #expect(controller.reconcile(&memory))
        #expect(cluster.writes == ["update endpoints default/web", "update endpointslices default/\(sliceName)"])
        let slice = cluster.get(.endpointSlices, namespace: "default", name: sliceName)
        #expect(slice?["endpoints"]?.arrayValue?.compactMap { $0["addresses"]?[0]?.stringValue } == ["10.201.0.5", "10.201.0.6"])
    }

    @Test("Endpoints of a deleted Service are deleted; hand-written ones at start too, but not leader-election records")
    func orphans() {
        let cluster = InMemoryCluster()
        cluster.put(.endpoints, ["metadata": ["name": "leftover", "namespace": "default"]])
        cluster.put(.endpoints, ["metadata": ["name": "lock", "namespace": "kube-system",
                                              "annotations": ["control-plane.alpha.kubernetes.io/leader": "{}"]]])
        cluster.put(.services, F.service())
        let controller = EndpointsController(cluster: cluster, logger: quietLogger)
        var memory = EndpointsControllerMemory()
        #expect(controller.reconcile(&memory))
        #expect(cluster.get(.endpoints, namespace: "default", name: "leftover") == nil)
        #expect(cluster.get(.endpoints, namespace: "kube-system", name: "lock") != nil)

        // Written by hand after start, with no Service: left alone.
        cluster.put(.endpoints, ["metadata": ["name": "manual", "namespace": "default"]])
        cluster.remove(.services, namespace: "default", name: "web")
        cluster.clearWrites()
        #expect(controller.reconcile(&memory))
        #expect(cluster.writes == ["delete endpoints default/web"])
        #expect(cluster.get(.endpoints, namespace: "default", name: "manual") != nil)
    }

    @Test("a conflicting write fails the pass; the next pass re-reads and succeeds")
    func conflicts() {
        let cluster = InMemoryCluster()
        cluster.put(.services, F.service())
        let controller = EndpointsController(cluster: cluster, logger: quietLogger)
        var memory = EndpointsControllerMemory()
        #expect(controller.reconcile(&memory))
        cluster.put(.pods, F.pod("a", ip: "10.201.0.5"))
        cluster.interfereWithNextUpdate(of: .endpoints)
        #expect(!controller.reconcile(&memory))
        #expect(cluster.get(.endpoints, namespace: "default", name: "web")?["subsets"] == nil)
        #expect(controller.reconcile(&memory))
        #expect(cluster.get(.endpoints, namespace: "default", name: "web")?["subsets"]?[0]?["addresses"]?.arrayValue?.count == 1)
    }

    @Test("run() follows changes until cancelled")
    func runLoop() async throws {
        let cluster = InMemoryCluster()
        let controller = EndpointsController(cluster: cluster, logger: quietLogger)
        let task = Task { await controller.run() }
        defer { task.cancel() }
        cluster.put(.services, F.service())
        cluster.put(.pods, F.pod("a", ip: "10.201.0.5"))
        try await eventually("Endpoints with the pod") {
            cluster.get(.endpoints, namespace: "default", name: "web")?["subsets"]?[0]?["addresses"]?.arrayValue?.count == 1
        }
        task.cancel()
        await task.value
    }
}

@Suite("ServiceLoadBalancer on loopback")
struct ServiceLoadBalancerTests {
    static func service(port: Int) -> JSONValue {
        ["apiVersion": "v1", "kind": "Service",
         "metadata": ["name": "web", "namespace": "default", "uid": "lb-svc"],
         "spec": ["type": "LoadBalancer", "selector": ["app": "web"], "clusterIP": "10.96.0.20",
                  "ports": [["name": "http", "port": .int(Int64(port)), "targetPort": "web", "protocol": "TCP"]]],
         "status": ["loadBalancer": .emptyObject]]
    }

    static func slice(_ name: String = "web-abcde", ip: String, port: Int, ready: Bool, terminating: Bool = false) -> JSONValue {
        ["apiVersion": "discovery.k8s.io/v1", "kind": "EndpointSlice",
         "metadata": ["name": .string(name), "namespace": "default", "labels": ["kubernetes.io/service-name": "web"]],
         "addressType": "IPv4",
         "endpoints": [["addresses": [.string(ip)], "conditions": ["ready": .bool(ready), "serving": .bool(ready), "terminating": .bool(terminating)]]],
         "ports": [["name": "http", "port": .int(Int64(port)), "protocol": "TCP"]]]
    }

    @Test("a LoadBalancer Service gets a free loopback address, forwards with half-close, drops unready endpoints and is released")
    func forwarding() async throws {
        try await EchoServer.run { echoPort, _ in
            let cluster = InMemoryCluster()
            let prefix = "127.77.\(Int.random(in: 1...250))."
            let servicePort = Int.random(in: 20000...40000)
            // Something else holds the port on the first address: the Service moves to the next one.
            let blocker = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton).bind(host: prefix + "1", port: servicePort).get()
            cluster.put(.services, Self.service(port: servicePort))
            cluster.put(.endpointSlices, Self.slice(ip: "127.0.0.1", port: echoPort, ready: true))
            let balancer = ServiceLoadBalancer(cluster: cluster, addressGuard: AllowListAddressGuard(allowed: ["127.0.0.1"]),
                                               addressPrefix: prefix, logger: quietLogger)
            let task = Task { await balancer.run() }
            defer { task.cancel() }

            try await eventually("the ingress address") {
                cluster.get(.services, namespace: "default", name: "web")?[path: ["status", "loadBalancer", "ingress"]] != nil
            }
            let address = prefix + "2"
            #expect(cluster.get(.services, namespace: "default", name: "web")?[path: ["status", "loadBalancer", "ingress"]]
                == [["ip": .string(address), "ipMode": "VIP"]])
            #expect(try await EchoServer.roundTrip(host: address, port: servicePort, message: "ping") == "ping")
            #expect(try await EchoServer.roundTrip(host: address, port: servicePort, message: String(repeating: "x", count: 1 << 20)).count == 1 << 20)

            cluster.put(.endpointSlices, Self.slice(ip: "127.0.0.1", port: echoPort, ready: false, terminating: true))
            try await eventually("connections refused without a ready endpoint") {
                try await EchoServer.roundTrip(host: address, port: servicePort, message: "ping") == ""
            }

            var clusterIP = try #require(cluster.get(.services, namespace: "default", name: "web"))
            clusterIP[path: ["spec", "type"]] = "ClusterIP"
            cluster.put(.services, clusterIP)
            try await eventually("the status cleared") {
                cluster.get(.services, namespace: "default", name: "web")?[path: ["status", "loadBalancer"]] == .emptyObject
            }
            try await eventually("the listener closed") {
                (try? await EchoServer.roundTrip(host: address, port: servicePort, message: "ping")) == nil
            }
            task.cancel()
            await task.value
            try await blocker.close()
        }
    }

    @Test("connections go round-robin over the ready endpoints of all slices")
    func roundRobin() async throws {
        try await EchoServer.run(tag: "|a") { portA, _ in
            try await EchoServer.run(tag: "|b") { portB, _ in
                let cluster = InMemoryCluster()
                let prefix = "127.79.\(Int.random(in: 1...250))."
                let servicePort = Int.random(in: 20000...40000)
                cluster.put(.services, Self.service(port: servicePort))
                cluster.put(.endpointSlices, Self.slice("web-aaaaa", ip: "127.0.0.1", port: portA, ready: true))
                cluster.put(.endpointSlices, Self.slice("web-bbbbb", ip: "127.0.0.1", port: portB, ready: true))
                let balancer = ServiceLoadBalancer(cluster: cluster, addressGuard: AllowListAddressGuard(allowed: ["127.0.0.1"]),
                                                   addressPrefix: prefix, logger: quietLogger)
                let task = Task { await balancer.run() }
                defer { task.cancel() }
                try await eventually("the ingress address") {
                    cluster.get(.services, namespace: "default", name: "web")?[path: ["status", "loadBalancer", "ingress"]] != nil
                }
                var answers: [String] = []
                for _ in 0..<4 { answers.append(try await EchoServer.roundTrip(host: prefix + "1", port: servicePort, message: "hi")) }
                #expect(Set(answers) == ["hi|a", "hi|b"])
                #expect(answers[0] != answers[1] && answers[0] == answers[2] && answers[1] == answers[3])
                task.cancel()
                await task.value
            }
        }
    }

    @Test("endpoints the address guard rejects are never connected to")
    func guardedBackends() async throws {
        try await EchoServer.run { echoPort, accepted in
            let cluster = InMemoryCluster()
            let prefix = "127.78.\(Int.random(in: 1...250))."
            let servicePort = Int.random(in: 20000...40000)
            cluster.put(.services, Self.service(port: servicePort))
            cluster.put(.endpointSlices, Self.slice(ip: "127.0.0.1", port: echoPort, ready: true))
            let balancer = ServiceLoadBalancer(cluster: cluster, addressGuard: AllowListAddressGuard(allowed: []),
                                               addressPrefix: prefix, logger: quietLogger)
            let task = Task { await balancer.run() }
            defer { task.cancel() }
            try await eventually("the ingress address") {
                cluster.get(.services, namespace: "default", name: "web")?[path: ["status", "loadBalancer", "ingress"]] != nil
            }
            #expect(try await EchoServer.roundTrip(host: prefix + "1", port: servicePort, message: "ping") == "")
            #expect(accepted.value == 0)
            task.cancel()
            await task.value
        }
    }
}

/// A TCP echo server on 127.0.0.1 that honours half-close: it echoes until the client ends its
/// output, then ends its own.
enum EchoServer {
    /// Runs the server for the duration of `body`; `tag` is sent after the echo, to tell servers apart.
    static func run<T: Sendable>(tag: String = "", _ body: @Sendable (_ port: Int, _ accepted: ConnectionCount) async throws -> T) async throws -> T {
        let accepted = ConnectionCount()
        let server = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelOption(.allowRemoteHalfClosure, value: true)
            .bind(host: "127.0.0.1", port: 0) { channel in
                channel.eventLoop.makeCompletedFuture {
                    try NIOAsyncChannel<ByteBuffer, ByteBuffer>(wrappingChannelSynchronously: channel,
                                                                configuration: .init(isOutboundHalfClosureEnabled: true))
                }
            }
        let port = try #require(server.channel.localAddress?.port)
        return try await withThrowingTaskGroup(of: T?.self) { group in
            group.addTask {
                try await server.executeThenClose { connections in
                    try await withThrowingDiscardingTaskGroup { connectionGroup in
                        for try await connection in connections {
                            accepted.increment()
                            connectionGroup.addTask {
                                try? await connection.executeThenClose { inbound, outbound in
                                    for try await buffer in inbound { try await outbound.write(buffer) }
                                    if !tag.isEmpty { try await outbound.write(ByteBuffer(string: tag)) }
                                    outbound.finish()
                                }
                            }
                        }
                    }
                }
                return nil
            }
            defer {
                server.channel.close(promise: nil)
                group.cancelAll()
            }
            return try await body(port, accepted)
        }
    }

    /// Sends `message`, ends the output, and returns everything received until the peer closed
    /// ("" when the connection was closed at once). Throws when the connection is refused.
    static func roundTrip(host: String, port: Int, message: String) async throws -> String {
        let client = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .channelOption(.allowRemoteHalfClosure, value: true)
            .connect(host: host, port: port) { channel in
                channel.eventLoop.makeCompletedFuture {
                    try NIOAsyncChannel<ByteBuffer, ByteBuffer>(wrappingChannelSynchronously: channel,
                                                                configuration: .init(isOutboundHalfClosureEnabled: true))
                }
            }
        return await (try? client.executeThenClose { inbound, outbound in
            // Write while reading: the echo comes back before all is sent.
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask {
                    try? await outbound.write(ByteBuffer(string: message))
                    outbound.finish()
                }
                var received = ""
                do {
                    for try await buffer in inbound { received += String(buffer: buffer) }
                } catch {}
                try await group.waitForAll()
                return received
            }
        }) ?? ""
    }
}

/// How many connections a test server accepted.
final class ConnectionCount: Sendable {
    private let count = Mutex(0)
    func increment() { count.withLock { $0 += 1 } }
    var value: Int { count.withLock { $0 } }
}
