import Foundation
import KubeAPI
import Testing
@testable import KubeEmulator

/// The pure pieces behind `pods/log` and the proxies: routes, the log query, container choice,
/// the `[SCHEME:]NAME[:PORT]` segment and service endpoint selection.
@Suite("node subresources: parsing and resolution")
struct NodeSubresourceParsingTests {
    private func route(_ path: String) -> Route { Route.parse(EmulatorRequest.segments(of: path)) }

    @Test("proxy paths keep the segments after proxy; other deep paths stay unknown")
    func routes() {
        guard case .resource(let proxy) = route("/api/v1/namespaces/ns/pods/p:8080/proxy/a/b%2Fc") else {
            Issue.record("a proxy path did not parse")
            return
        }
        #expect(proxy.plural == "pods" && proxy.name == "p:8080" && proxy.subresource == "proxy" && proxy.namespace == "ns")
        #expect(proxy.subpath == ["a", "b/c"])
        guard case .resource(let log) = route("/api/v1/namespaces/ns/pods/p/log") else {
            Issue.record("a log path did not parse")
            return
        }
        #expect(log.subresource == "log" && log.subpath.isEmpty)
        #expect(route("/api/v1/namespaces/ns/pods/p/status/extra") == .notFound)
        #expect(route("/api/v1/watch/namespaces/ns/pods/p/proxy/a") == .notFound)
        #expect(route("/api/v1/namespaces/ns") == .resource(.init(group: "", version: "v1", plural: "namespaces", namespace: nil, name: "ns", subresource: nil)))
    }

    @Test("log query: booleans as apimachinery reads them, integers, times, and kube-apiserver's validation")
    func logQuery() throws {
        let query = try PodLogQuery(["follow": "", "timestamps": "False", "previous": "1", "tailLines": "3", "container": ""], podName: "p")
        #expect(query.follow && !query.timestamps && query.previous && query.tailLines == 3 && query.container == nil)
        let withTime = try PodLogQuery(["sinceTime": "2026-01-02T03:04:05.5Z", "limitBytes": "10"], podName: "p")
        #expect(withTime.sinceTime == Timestamp.parse("2026-01-02T03:04:05.5Z") && withTime.limitBytes == 10)
        #expect(throws: KubeStatus.self) { try PodLogQuery(["tailLines": "x"], podName: "p") }
        do {
            _ = try PodLogQuery(["tailLines": "-2", "limitBytes": "0"], podName: "p")
            Issue.record("negative tailLines was accepted")
        } catch {
            #expect(error.code == 422)
            #expect(error.message == "PodLogOptions \"p\" is invalid: [tailLines: Invalid value: -2: must be greater than or equal to 0, limitBytes: Invalid value: 0: must be greater than 0]")
            #expect(error.causes.map(\.field) == ["tailLines", "limitBytes"])
        }
        do {
            _ = try PodLogQuery(["sinceSeconds": "5", "sinceTime": "2026-01-02T03:04:05Z"], podName: "p")
            Issue.record("sinceSeconds with sinceTime was accepted")
        } catch {
            #expect(error.message.hasSuffix("at most one of `sinceTime` or `sinceSeconds` may be specified"))
            #expect(error.causes.first?.field == nil)
        }
    }

    @Test("container choice: the only one, a named one (init containers count), or 400")
    func containerChoice() throws {
        let single: JSONValue = ["spec": ["containers": [["name": "app"]]]]
        #expect(try PodContainerChoice.resolve(nil, in: single, podName: "p") == "app")
        let several: JSONValue = ["spec": ["containers": [["name": "a"], ["name": "b"]], "initContainers": [["name": "setup"]]]]
        #expect(try PodContainerChoice.resolve("setup", in: several, podName: "p") == "setup")
        #expect(throws: KubeStatus.badRequest("a container name must be specified for pod p, choose one of: [a b] or one of the init containers: [setup]")) {
            try PodContainerChoice.resolve(nil, in: several, podName: "p")
        }
        #expect(throws: KubeStatus.badRequest("container c is not valid for pod p")) {
            try PodContainerChoice.resolve("c", in: several, podName: "p")
        }
    }

    @Test("SCHEME:NAME:PORT splits as Go's SplitSchemeNamePort")
    func proxyNames() {
        #expect(ProxyName("p") == ProxyName(scheme: "", name: "p", port: ""))
        #expect(ProxyName("p:80") == ProxyName(scheme: "", name: "p", port: "80"))
        #expect(ProxyName("https:p:web") == ProxyName(scheme: "https", name: "p", port: "web"))
        #expect(ProxyName("ftp:p:80") == nil)
        #expect(ProxyName(":80") == nil)
        #expect(ProxyName("a:b:c:d") == nil)
    }

    @Test("services: EndpointSlices when served (not-ready endpoints skipped), the unnamed port without a port")
    func endpointSlices() throws {
        let service: JSONValue = ["spec": ["ports": [["port": 80, "targetPort": 8080]]]]
        let slice: JSONValue = [
            "ports": [["port": 8080]],
            "endpoints": [["addresses": ["10.0.0.1"], "conditions": ["ready": false]], ["addresses": ["10.0.0.2"], "conditions": .emptyObject]],
        ]
        let target = ServiceProxyTarget(service: service, segment: "s", target: ProxyName("s")!, endpointSlices: [slice], pods: [], mayConnect: { _ in true })
        #expect(try target.destination() == ProxyDestination(scheme: "http", ip: "10.0.0.2", port: 8080))
        let guarded = ServiceProxyTarget(service: service, segment: "s", target: ProxyName("s")!, endpointSlices: [slice], pods: [], mayConnect: { _ in false })
        #expect(throws: KubeStatus(code: 503, reason: "ServiceUnavailable", message: "no endpoints available for service \"s\"")) { try guarded.destination() }
    }

    @Test("services without EndpointSlices: selected Ready pods, targetPort by number, name or default")
    func selectedPods() throws {
        let pod: JSONValue = [
            "metadata": ["labels": ["app": "x"]],
            "spec": ["containers": [["name": "c", "ports": [["name": "metrics", "containerPort": 9090]]]]],
            "status": ["podIP": "10.0.0.9", "conditions": [["type": "Ready", "status": "True"]]],
        ]
        var notReady = pod
        notReady[path: ["status", "conditions"]] = [["type": "Ready", "status": "False"]]
        notReady[path: ["status", "podIP"]] = "10.0.0.10"
        let service: JSONValue = ["spec": ["selector": ["app": "x"], "ports": [["name": "m", "port": 80, "targetPort": "metrics"], ["name": "d", "port": 81]]]]
        func destination(_ segment: String) throws(KubeStatus) -> ProxyDestination {
            try ServiceProxyTarget(service: service, segment: segment, target: ProxyName(segment)!, endpointSlices: nil,
                                   pods: [notReady, pod], mayConnect: { _ in true }).destination()
        }
        #expect(try destination("s:m") == ProxyDestination(scheme: "http", ip: "10.0.0.9", port: 9090))
        #expect(try destination("https:s:81") == ProxyDestination(scheme: "https", ip: "10.0.0.9", port: 81))
        #expect(throws: KubeStatus.self) { try destination("s") }
    }
}
