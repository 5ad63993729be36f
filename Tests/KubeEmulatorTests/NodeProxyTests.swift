import KubeAPI
import KubeEmulator
import KubeEmulatorTestSupport
import TandemTestSupport
import Testing

/// `pods/NAME[:PORT]/proxy/…` and `services/[SCHEME:]NAME[:PORT]/proxy/…` against a tiny HTTP
/// server on 127.0.0.1 standing in for a pod (only loopback traffic).
@Suite("pods/proxy and services/proxy")
struct NodeProxyTests {
    /// An emulator whose pod network is 127.0.0.1, with an echo server as the pod `p`
    /// (labelled `app=echo`, container port `http`) and the Service `echo` in front of it.
    private func withEchoPod(
        guarded: Bool = true, token: String? = nil, _ body: @escaping @Sendable (EmulatorTestClient, Int) async throws -> Void
    ) async throws {
        try await withDeadline(.seconds(120)) {
            try await EchoHTTPServer.run { port in
                try await withEmulator({ $0.token = token }) { client in
                    if guarded { client.emulator.setPodAddressGuard(AllowListAddressGuard(allowed: ["127.0.0.1"])) }
                    let pod = NodeFixtures.pod("p", containers: ["app"], labels: ["app": "echo"], ports: [("http", port)])
                    try await NodeFixtures.createPod(client, pod, podIP: "127.0.0.1")
                    let service = NodeFixtures.service("echo", selector: ["app": "echo"], ports: [("web", 80, "http"), ("direct", 81, .int(Int64(port)))])
                    let created = try await client.post("/api/v1/namespaces/default/services", service)
                    guard created.status == 201 else { throw TestFailure("service create returned \(created.status): \(created.text)") }
                    try await body(client, port)
                }
            }
        }
    }

    @Test("a pod proxy forwards method, path, query, headers and body, and returns the pod's answer")
    func podProxy() async throws {
        try await withEchoPod(token: "secret") { client, port in
            let get = try await client.get(NodeFixtures.podPath("p:\(port)") + "/proxy/hello?x=1", headers: [("X-Test", "kept")])
            #expect(get.status == 200)
            #expect(get.text == "GET /hello?x=1\nauthorization=\nx-test=kept\nbody=\n")
            #expect(get.headers["x-echo"].first == "yes")
            #expect(get.headers["keep-alive"].isEmpty)
            let post = try await client.send(.POST, NodeFixtures.podPath("p:\(port)") + "/proxy/a/b/", rawBody: Array("payload".utf8), contentType: "text/plain")
            #expect(post.text == "POST /a/b/\nauthorization=\nx-test=\nbody=payload\n")
            let named = try await client.get(NodeFixtures.podPath("p:http") + "/proxy/named")
            #expect(named.text.hasPrefix("GET /named\n"))
            let defaultPort = try await client.get(NodeFixtures.podPath("p") + "/proxy/")
            #expect(defaultPort.text.hasPrefix("GET /\n"))
            let head = try await client.send(.HEAD, NodeFixtures.podPath("p:\(port)") + "/proxy/h")
            #expect(head.status == 200 && head.body.isEmpty)
        }
    }

    @Test("the root of a proxy without its slash redirects, as kube-apiserver does")
    func rootRedirect() async throws {
        try await withEchoPod { client, port in
            let response = try await client.send(.GET, NodeFixtures.podPath("p:\(port)") + "/proxy?q=1", headers: [])
            // AsyncHTTPClient follows the 301 to `…/proxy/?q=1`.
            #expect(response.text.hasPrefix("GET /?q=1\n"))
        }
    }

    @Test("a service proxy reaches a ready selected pod through the port's targetPort (named or numbered)")
    func serviceProxy() async throws {
        try await withEchoPod { client, _ in
            let byName = try await client.get(NodeFixtures.servicePath("echo:web") + "/proxy/svc?y=2")
            #expect(byName.status == 200)
            #expect(byName.text.hasPrefix("GET /svc?y=2\n"))
            let byNumber = try await client.get(NodeFixtures.servicePath("http:echo:81") + "/proxy/n")
            #expect(byNumber.text.hasPrefix("GET /n\n"))
            let unknownPort = try await client.get(NodeFixtures.servicePath("echo:82") + "/proxy/")
            #expect(unknownPort.status == 503)
            #expect(unknownPort.statusObject?.message == "no service port 82 found for service \"echo\"")
            let badScheme = try await client.get(NodeFixtures.servicePath("ftp:echo:81") + "/proxy/")
            #expect(badScheme.status == 400)
            #expect(badScheme.statusObject?.message == "invalid service request \"ftp:echo:81\"")
        }
    }

    @Test("a service with EndpointSlices reaches their ready addresses")
    func serviceWithEndpointSlices() async throws {
        try await withEchoPod { client, port in
            let service = NodeFixtures.service("sliced", selector: [:], ports: [(nil, 80, .int(Int64(port)))])
            #expect(try await client.post("/api/v1/namespaces/default/services", service).status == 201)
            let slice: JSONValue = [
                "apiVersion": "discovery.k8s.io/v1", "kind": "EndpointSlice", "addressType": "IPv4",
                "metadata": ["name": "sliced-1", "labels": ["kubernetes.io/service-name": "sliced"]],
                "ports": [["port": .int(Int64(port)), "protocol": "TCP"]],
                "endpoints": [["addresses": ["127.0.0.1"], "conditions": ["ready": true]]],
            ]
            let created = try await client.post("/apis/discovery.k8s.io/v1/namespaces/default/endpointslices", slice)
            #expect(created.status == 201, "\(created.text)")
            let response = try await client.get(NodeFixtures.servicePath("sliced") + "/proxy/through-slice")
            #expect(response.text.hasPrefix("GET /through-slice\n"), "\(response.text)")
        }
    }

    @Test("a service without ready endpoints is 503 no endpoints available")
    func serviceWithoutEndpoints() async throws {
        try await withEchoPod { client, _ in
            let lonely = NodeFixtures.service("lonely", selector: ["app": "nobody"], ports: [(nil, 80, 8080)])
            _ = try await client.post("/api/v1/namespaces/default/services", lonely)
            let response = try await client.get(NodeFixtures.servicePath("lonely") + "/proxy/")
            #expect(response.status == 503)
            #expect(response.statusObject?.reason == "ServiceUnavailable")
            #expect(response.statusObject?.message == "no endpoints available for service \"lonely\"")
            #expect(try await client.get(NodeFixtures.servicePath("missing") + "/proxy/").status == 404)
        }
    }

    @Test("without the guard's consent nothing is reached: pods 503 no route to host, services 503 no endpoints")
    func refusedAddress() async throws {
        try await withEchoPod(guarded: false) { client, port in
            let pod = try await client.get(NodeFixtures.podPath("p:\(port)") + "/proxy/hello")
            #expect(pod.status == 503)
            #expect(pod.statusObject?.message == "error trying to reach service: dial tcp 127.0.0.1:\(port): connect: no route to host")
            let service = try await client.get(NodeFixtures.servicePath("echo:web") + "/proxy/")
            #expect(service.status == 503)
            #expect(service.statusObject?.message == "no endpoints available for service \"echo:web\"")
            client.emulator.setPodAddressGuard(AllowListAddressGuard(allowed: ["10.0.0.1"]))
            #expect(try await client.get(NodeFixtures.podPath("p:\(port)") + "/proxy/hello").status == 503)
        }
    }

    @Test("a pod port where nothing listens is 503 connection refused; a pod without an IP is 400")
    func unreachablePod() async throws {
        let closed = try await EchoHTTPServer.closedPort()
        try await withEchoPod { client, _ in
            let refused = try await client.get(NodeFixtures.podPath("p:\(closed)") + "/proxy/")
            #expect(refused.status == 503)
            #expect(refused.statusObject?.message == "error trying to reach service: dial tcp 127.0.0.1:\(closed): connect: connection refused")
            try await NodeFixtures.createPod(client, NodeFixtures.pod("pending", containers: ["app"]), podIP: nil)
            let pending = try await client.get(NodeFixtures.podPath("pending") + "/proxy/")
            #expect(pending.status == 400)
            #expect(pending.statusObject?.message == "address not allowed")
        }
    }

    @Test("kubectl get --raw reaches the pod and the service", .enabled(if: ProcessRunner.hasKubectl, "needs kubectl at /usr/bin/kubectl"))
    func kubectlGetRaw() async throws {
        try await withEchoPod { client, port in
            let pod = try await NodeFixtures.kubectl(client.emulator, ["get", "--raw", "/api/v1/namespaces/default/pods/p:\(port)/proxy/hello?x=1"])
            #expect(pod.status == 0, "\(pod.standardError)")
            // The query goes through as sent, kubectl's own `timeout` included (as kube-apiserver forwards it).
            #expect(pod.standardOutput.hasPrefix("GET /hello?timeout=30s&x=1\n"), "\(pod.standardOutput)")
            let service = try await NodeFixtures.kubectl(client.emulator, ["get", "--raw", "/api/v1/namespaces/default/services/echo:web/proxy/svc"])
            #expect(service.status == 0, "\(service.standardError)")
            #expect(service.standardOutput.hasPrefix("GET /svc?timeout=30s\n"), "\(service.standardOutput)")
            let refused = try await NodeFixtures.kubectl(client.emulator, ["get", "--raw", "/api/v1/namespaces/default/services/echo:nope/proxy/"])
            #expect(refused.status != 0)
            #expect(refused.standardError.contains("ServiceUnavailable"), "\(refused.standardError)")
        }
    }
}
