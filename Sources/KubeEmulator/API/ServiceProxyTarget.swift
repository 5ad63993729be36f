import KubeAPI

/// Where `services/[SCHEME:]NAME[:PORT]/proxy` leads, as kube-apiserver's service
/// `ResourceLocation` decides: the service port is found by number or name (no port: the unnamed
/// one), then a ready endpoint serving that port is picked at random.
///
/// Endpoints come from the service's EndpointSlices (`kubernetes.io/service-name` label; an
/// endpoint is ready unless `conditions.ready` is false) when it has any, else (EndpointSlices not
/// served, or no endpoint-slice controller running, as with simulated pods) from the pods its
/// selector picks that are Ready, not terminating and have an IP, with the port's `targetPort`
/// resolved against their container ports. Only addresses `mayConnect` allows count.
struct ServiceProxyTarget {
    let service: JSONValue
    /// The name segment as given, for messages.
    let segment: String
    let target: ProxyName
    /// The service's EndpointSlices; nil when there are none (then `pods` and the selector decide).
    let endpointSlices: [JSONValue]?
    /// The pods of the service's namespace (used without EndpointSlices).
    let pods: [JSONValue]
    let mayConnect: (String) -> Bool

    func destination() throws(KubeStatus) -> ProxyDestination {
        let servicePorts = service[path: ["spec", "ports"]]?.arrayValue ?? []
        var portName = target.port
        if let number = Int(target.port) {
            guard let declared = servicePorts.first(where: { $0["port"]?.intValue == Int64(number) }) else {
                throw unavailable("no service port \(number) found for service \"\(target.name)\"")
            }
            portName = declared["name"]?.stringValue ?? ""
        }
        let ready = endpointSlices.map { readyEndpoints(slices: $0) } ?? readyEndpoints(servicePorts: servicePorts)
        guard !ready.isEmpty else { throw unavailable("no endpoints available for service \"\(target.name)\"") }
        let candidates = ready.filter { $0.portName == portName && mayConnect($0.ip) }
        guard let chosen = candidates.randomElement() else {
            throw unavailable("no endpoints available for service \"\(segment)\"")
        }
        return ProxyDestination(scheme: target.scheme.isEmpty ? "http" : target.scheme, ip: chosen.ip, port: chosen.port)
    }

    /// One ready address serving one named (or unnamed: "") service port.
    struct Endpoint: Equatable {
        var ip: String
        var portName: String
        var port: Int
    }

    private func readyEndpoints(slices: [JSONValue]) -> [Endpoint] {
        var endpoints: [Endpoint] = []
        for slice in slices {
            let ports = (slice["ports"]?.arrayValue ?? []).compactMap { port -> (String, Int)? in
                guard let number = port["port"]?.intValue else { return nil }
                return (port["name"]?.stringValue ?? "", Int(number))
            }
            for endpoint in slice["endpoints"]?.arrayValue ?? [] where endpoint[path: ["conditions", "ready"]]?.boolValue != false {
                for address in endpoint["addresses"]?.arrayValue ?? [] {
                    guard let ip = address.stringValue else { continue }
                    endpoints += ports.map { Endpoint(ip: ip, portName: $0.0, port: $0.1) }
                }
            }
        }
        return endpoints
    }

    private func readyEndpoints(servicePorts: [JSONValue]) -> [Endpoint] {
        let selector = (service[path: ["spec", "selector"]]?.objectValue ?? [:]).compactMapValues(\.stringValue)
        guard !selector.isEmpty else { return [] }
        var endpoints: [Endpoint] = []
        for pod in pods where Self.isReadyBackend(pod, selector: selector) {
            let ip = pod[path: ["status", "podIP"]]?.stringValue ?? ""
            for servicePort in servicePorts {
                guard let port = Self.targetPort(servicePort, in: pod) else { continue }
                endpoints.append(Endpoint(ip: ip, portName: servicePort["name"]?.stringValue ?? "", port: port))
            }
        }
        return endpoints
    }

    /// Whether `pod` is selected, Ready, not terminating and has an IP.
    static func isReadyBackend(_ pod: JSONValue, selector: [String: String]) -> Bool {
        let labels = (pod[path: ["metadata", "labels"]]?.objectValue ?? [:]).compactMapValues(\.stringValue)
        guard selector.allSatisfy({ labels[$0.key] == $0.value }) else { return false }
        guard pod[path: ["metadata", "deletionTimestamp"]] == nil else { return false }
        guard !(pod[path: ["status", "podIP"]]?.stringValue ?? "").isEmpty else { return false }
        let conditions = pod[path: ["status", "conditions"]]?.arrayValue ?? []
        return conditions.contains { $0["type"]?.stringValue == "Ready" && $0["status"]?.stringValue == "True" }
    }

    /// The pod port a service port leads to: `targetPort` as a number, as the name of a container
    /// port, or (absent) the service port itself; nil when a named target port is not declared.
    static func targetPort(_ servicePort: JSONValue, in pod: JSONValue) -> Int? {
        guard let target = servicePort["targetPort"], !target.isNull else {
            return servicePort["port"]?.intValue.map { Int($0) }
        }
        if let name = target.stringValue {
            return Int(name) ?? PodProxyTarget.containerPort(named: name, in: pod)
        }
        return target.intValue.map { Int($0) }
    }

    private func unavailable(_ message: String) -> KubeStatus {
        KubeStatus(code: 503, reason: "ServiceUnavailable", message: message)
    }
}
