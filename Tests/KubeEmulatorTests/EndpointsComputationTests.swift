import KubeAPI
import KubeNodeAgent
import Testing

/// Services and pods as the endpoints controllers see them.
enum EndpointsFixtures {
    static func service(_ name: String = "web", uid: String = "svc-uid", selector: [String: String] = ["app": "web"],
                         ports: [JSONValue] = [["port": 80, "targetPort": 8080, "protocol": "TCP"]],
                         clusterIP: String = "10.96.0.10", labels: [String: String] = [:]) -> JSONValue {
        var service: JSONValue = [
            "apiVersion": "v1", "kind": "Service",
            "metadata": ["name": .string(name), "namespace": "default", "uid": .string(uid)],
            "spec": ["selector": .object(selector.mapValues { .string($0) }), "ports": .array(ports), "clusterIP": .string(clusterIP)],
        ]
        if !labels.isEmpty { service[path: ["metadata", "labels"]] = .object(labels.mapValues { .string($0) }) }
        return service
    }

    static func pod(_ name: String, ip: String?, ready: Bool = true, phase: String = "Running", terminating: Bool = false,
                    labels: [String: String] = ["app": "web"], namespace: String = "default",
                    ports: [(name: String, port: Int)] = []) -> JSONValue {
        var pod: JSONValue = [
            "apiVersion": "v1", "kind": "Pod",
            "metadata": ["name": .string(name), "namespace": .string(namespace), "uid": .string("uid-\(name)"),
                         "labels": .object(labels.mapValues { .string($0) })],
            "spec": ["nodeName": "emulated-node", "containers": [[
                "name": "app", "image": "app:1",
                "ports": .array(ports.map { ["name": .string($0.name), "containerPort": .int(Int64($0.port)), "protocol": "TCP"] }),
            ]]],
            "status": ["phase": .string(phase), "conditions": [["type": "Ready", "status": ready ? "True" : "False"]]],
        ]
        if let ip { pod[path: ["status", "podIP"]] = .string(ip) }
        if terminating { pod[path: ["metadata", "deletionTimestamp"]] = "2026-01-01T00:00:00Z" }
        return pod
    }

    static func address(_ pod: String, _ ip: String) -> JSONValue {
        ["ip": .string(ip), "nodeName": "emulated-node",
         "targetRef": ["kind": "Pod", "namespace": "default", "name": .string(pod), "uid": .string("uid-\(pod)")]]
    }

    /// What the API server adds to a created object.
    static func stored(_ object: JSONValue, uid: String, resourceVersion: String = "1") -> JSONValue {
        var stored = object
        stored[path: ["metadata", "uid"]] = .string(uid)
        stored[path: ["metadata", "resourceVersion"]] = .string(resourceVersion)
        return stored
    }
}

@Suite("EndpointsComputation: Endpoints and EndpointSlices from a Service and its pods")
struct EndpointsComputationTests {
    typealias F = EndpointsFixtures

    @Test("ready pods are addresses, unready ones notReadyAddresses; terminal, terminating, address-less and unselected pods are left out")
    func endpointsSubsets() {
        let pods = [
            F.pod("a", ip: "10.201.0.5"), F.pod("b", ip: "10.201.0.6", ready: false), F.pod("c", ip: nil),
            F.pod("d", ip: "10.201.0.7", phase: "Succeeded"), F.pod("e", ip: "10.201.0.8", labels: ["app": "other"]),
            F.pod("f", ip: "10.201.0.9", namespace: "other"), F.pod("g", ip: "10.201.0.10", terminating: true),
        ]
        let subsets = EndpointsComputation.subsets(service: F.service(), pods: pods)
        #expect(subsets == [[
            "addresses": [F.address("a", "10.201.0.5")],
            "notReadyAddresses": [F.address("b", "10.201.0.6")],
            "ports": [["port": 8080, "protocol": "TCP"]],
        ]])
    }

    @Test("named target ports resolve per pod; pods offering different ports get different subsets")
    func namedPorts() {
        let service = F.service(ports: [["name": "http", "port": 80, "targetPort": "web", "protocol": "TCP"]])
        let pods = [
            F.pod("a", ip: "10.201.0.5", ports: [("web", 8080)]), F.pod("b", ip: "10.201.0.6", ports: [("web", 9090)]),
            F.pod("c", ip: "10.201.0.7", ports: [("metrics", 9100)]),
        ]
        let subsets = EndpointsComputation.subsets(service: service, pods: pods)
        #expect(Set(subsets) == [
            ["addresses": [F.address("a", "10.201.0.5")], "ports": [["name": "http", "port": 8080, "protocol": "TCP"]]],
            ["addresses": [F.address("b", "10.201.0.6")], "ports": [["name": "http", "port": 9090, "protocol": "TCP"]]],
        ])
        let groups = EndpointSliceComputation.groups(service: service, pods: pods)
        #expect(groups.map(\.ports) == [
            [],
            [["name": "http", "port": 8080, "protocol": "TCP"]],
            [["name": "http", "port": 9090, "protocol": "TCP"]],
        ])
        #expect(groups[0].endpoints.map { $0["addresses"] } == [["10.201.0.7"]])
    }

    @Test("a named port needs the same protocol; numbers are used as they are; targetPort defaults to port")
    func portResolution() throws {
        let pod = F.pod("a", ip: "10.201.0.5", ports: [("dns", 53)])
        let udp = try #require(ServicePortSpec(["port": 53, "targetPort": "dns", "protocol": "UDP"]))
        let tcp = try #require(ServicePortSpec(["port": 53, "targetPort": "dns"]))
        let bare = try #require(ServicePortSpec(["port": 8443]))
        #expect(udp.resolve(in: pod) == nil)
        #expect(tcp.resolve(in: pod) == 53)
        #expect(bare.resolve(in: pod) == 8443)
    }

    @Test("terminating pods: ready false, serving follows the Ready condition, terminating true")
    func terminatingConditions() throws {
        let service = F.service()
        let readyTerminating = try #require(EndpointSliceComputation.endpoint(for: F.pod("a", ip: "10.201.0.5", terminating: true), service: service))
        #expect(readyTerminating["conditions"] == ["ready": false, "serving": true, "terminating": true])
        let unreadyTerminating = try #require(EndpointSliceComputation.endpoint(for: F.pod("b", ip: "10.201.0.6", ready: false, terminating: true), service: service))
        #expect(unreadyTerminating["conditions"] == ["ready": false, "serving": false, "terminating": true])
        let running = try #require(EndpointSliceComputation.endpoint(for: F.pod("c", ip: "10.201.0.7"), service: service))
        #expect(running == [
            "addresses": ["10.201.0.7"], "conditions": ["ready": true, "serving": true, "terminating": false],
            "nodeName": "emulated-node",
            "targetRef": ["kind": "Pod", "namespace": "default", "name": "c", "uid": "uid-c"],
        ])
        var published = service
        published[path: ["spec", "publishNotReadyAddresses"]] = true
        #expect(EndpointSliceComputation.endpoint(for: F.pod("b", ip: "10.201.0.6", ready: false, terminating: true), service: published)?[path: ["conditions", "ready"]] == true)
        // The Endpoints object drops terminating pods; the slice keeps them.
        #expect(EndpointsComputation.subsets(service: service, pods: [F.pod("a", ip: "10.201.0.5", terminating: true)]).isEmpty)
    }

    @Test("a new slice is named after the Service, labelled, owned by it and lists name, port and protocol")
    func newSlice() throws {
        let plan = EndpointSlicePlan(service: F.service(labels: ["tier": "front"]), pods: [F.pod("a", ip: "10.201.0.5")], existing: [], suffix: { "x7k2q" })
        let slice = try #require(plan.creates.first)
        #expect(plan.creates.count == 1 && plan.updates.isEmpty && plan.deletes.isEmpty)
        #expect(slice[path: ["metadata", "name"]] == "web-x7k2q")
        #expect(slice[path: ["metadata", "generateName"]] == "web-")
        #expect(slice[path: ["metadata", "labels"]] == [
            "tier": "front", "kubernetes.io/service-name": "web", "endpointslice.kubernetes.io/managed-by": "endpointslice-controller.k8s.io",
        ])
        #expect(slice[path: ["metadata", "ownerReferences"]] == [[
            "apiVersion": "v1", "kind": "Service", "name": "web", "uid": "svc-uid", "controller": true, "blockOwnerDeletion": true,
        ]])
        #expect(slice["addressType"] == "IPv4")
        #expect(slice["ports"] == [["name": "", "port": 8080, "protocol": "TCP"]])
        #expect(slice["endpoints"]?.arrayValue?.count == 1)
    }

    @Test("a converged Service plans no writes; a change rewrites the same slice")
    func convergence() throws {
        let service = F.service()
        var pods = [F.pod("a", ip: "10.201.0.5"), F.pod("b", ip: "10.201.0.6", ready: false)]
        let created = try #require(EndpointSlicePlan(service: service, pods: pods, existing: [], suffix: { "aaaaa" }).creates.first)
        let existing = F.stored(created, uid: "slice-uid")
        #expect(EndpointSlicePlan(service: service, pods: pods, existing: [existing]).isEmpty)

        pods[1] = F.pod("b", ip: "10.201.0.6", ready: true)
        let plan = EndpointSlicePlan(service: service, pods: pods, existing: [existing])
        #expect(plan.creates.isEmpty && plan.deletes.isEmpty)
        #expect(plan.updates.map { $0[path: ["metadata", "name"]] } == ["web-aaaaa"])
        #expect(plan.updates.first?[path: ["metadata", "resourceVersion"]] == "1")
    }

    @Test("without pods one placeholder slice stays; the first pod rewrites it under the same name")
    func placeholder() throws {
        let service = F.service()
        let plan = EndpointSlicePlan(service: service, pods: [], existing: [], suffix: { "ppppp" })
        let placeholder = try #require(plan.creates.first)
        #expect(plan.creates.count == 1)
        #expect(placeholder["endpoints"] == .null && placeholder["ports"] == .null)
        let existing = F.stored(placeholder, uid: "placeholder-uid")
        #expect(EndpointSlicePlan(service: service, pods: [], existing: [existing]).isEmpty)

        let filled = EndpointSlicePlan(service: service, pods: [F.pod("a", ip: "10.201.0.5")], existing: [existing], suffix: { "nnnnn" })
        #expect(filled.creates.isEmpty && filled.deletes.isEmpty)
        #expect(filled.updates.map { $0[path: ["metadata", "name"]] } == ["web-ppppp"])
        #expect(filled.updates.first?["ports"] == [["name": "", "port": 8080, "protocol": "TCP"]])
        #expect(filled.updates.first?[path: ["metadata", "uid"]] == "placeholder-uid")
    }

    @Test("slices of an earlier Service of the same name are deleted, not reused")
    func foreignOwner() throws {
        let old = F.stored(EndpointSlicePlan(service: F.service(uid: "old"), pods: [], existing: [], suffix: { "ooooo" }).creates[0], uid: "old-slice")
        let plan = EndpointSlicePlan(service: F.service(uid: "new"), pods: [F.pod("a", ip: "10.201.0.5")], existing: [old], suffix: { "nnnnn" })
        #expect(plan.deletes.map { $0[path: ["metadata", "name"]] } == ["web-ooooo"])
        #expect(plan.creates.map { $0[path: ["metadata", "name"]] } == ["web-nnnnn"])
        #expect(plan.updates.isEmpty)
    }

    @Test("more than 100 endpoints are split into slices of at most 100")
    func largeServices() {
        let pods = (0..<250).map { F.pod("p\($0)", ip: "10.201.\($0 / 200).\($0 % 200 + 1)") }
        var counter = 0
        let plan = EndpointSlicePlan(service: F.service(), pods: pods, existing: []) { counter += 1; return "s000\(counter)" }
        #expect(plan.creates.map { $0["endpoints"]?.arrayValue?.count } == [100, 100, 50])
    }

    @Test("Endpoints: created with the Service's labels, untouched when current, rewritten on change; headless ones are labelled")
    func endpointsObject() throws {
        let service = F.service(labels: ["tier": "front"])
        let pods = [F.pod("a", ip: "10.201.0.5")]
        let created = try #require(EndpointsComputation.endpoints(for: service, pods: pods, existing: nil))
        #expect(created[path: ["metadata", "name"]] == "web")
        #expect(created[path: ["metadata", "labels"]] == ["tier": "front"])
        let existing = F.stored(created, uid: "ep-uid")
        #expect(EndpointsComputation.endpoints(for: service, pods: pods, existing: existing) == nil)
        let emptied = try #require(EndpointsComputation.endpoints(for: service, pods: [], existing: existing))
        #expect(emptied["subsets"] == nil)
        #expect(emptied[path: ["metadata", "resourceVersion"]] == "1")

        let headless = F.service(ports: [], clusterIP: "None")
        let headlessEndpoints = try #require(EndpointsComputation.endpoints(for: headless, pods: pods, existing: nil))
        #expect(headlessEndpoints[path: ["metadata", "labels"]] == ["service.kubernetes.io/headless": ""])
        #expect(headlessEndpoints["subsets"] == [["addresses": [F.address("a", "10.201.0.5")]]])
    }

    @Test("Services without a selector, and ExternalName Services, get nothing")
    func unmanagedServices() {
        var external = F.service()
        external[path: ["spec", "type"]] = "ExternalName"
        #expect(EndpointsComputation.selector(of: external) == nil)
        #expect(EndpointsComputation.selector(of: F.service(selector: [:])) == nil)
        #expect(EndpointSliceComputation.groups(service: F.service(selector: [:]), pods: [F.pod("a", ip: "10.201.0.5")]).isEmpty)
    }

    @Test("load balancer backends: ready, not terminating endpoints at the port of the same name")
    func backends() throws {
        let service = F.service(ports: [["name": "http", "port": 80, "targetPort": "web"]])
        let pods = [
            F.pod("a", ip: "10.201.0.5", ports: [("web", 8080)]), F.pod("b", ip: "10.201.0.6", ready: false, ports: [("web", 8080)]),
            F.pod("c", ip: "10.201.0.7", terminating: true, ports: [("web", 8080)]), F.pod("d", ip: "10.201.0.8", ports: [("web", 9090)]),
        ]
        let slices = EndpointSlicePlan(service: service, pods: pods, existing: []).creates
        #expect(LoadBalancerBackends.backends(of: service, slices: slices) == [
            "http": [LoadBalancerBackend(ip: "10.201.0.5", port: 8080), LoadBalancerBackend(ip: "10.201.0.8", port: 9090)],
        ])
    }
}
