import KubeAPI

/// One entry of a Service's `spec.ports`, with kube-apiserver's defaults applied (protocol
/// `TCP`, `targetPort` = `port`).
package struct ServicePortSpec: Sendable, Hashable {
    /// Where traffic for the port goes in each pod.
    package enum Target: Sendable, Hashable {
        /// A port number, the same in every pod.
        case number(Int)
        /// The name of a container port, looked up in each pod (so pods may differ).
        case name(String)
    }

    /// `name`; empty when the Service has a single unnamed port.
    package var name: String
    /// `port`: what clients connect to.
    package var port: Int
    /// `protocol`: `TCP`, `UDP` or `SCTP`.
    package var transport: String
    /// `appProtocol`, copied into endpoints as is.
    package var appProtocol: String?
    /// `targetPort`.
    package var target: Target

    /// A port from its parts.
    package init(name: String, port: Int, transport: String = "TCP", appProtocol: String? = nil, target: Target) {
        self.name = name
        self.port = port
        self.transport = transport
        self.appProtocol = appProtocol
        self.target = target
    }

    /// Reads one `spec.ports` entry; nil without a valid `port`.
    package init?(_ entry: JSONValue) {
        guard let port = entry["port"]?.intValue, port > 0 else { return nil }
        self.name = entry["name"]?.stringValue ?? ""
        self.port = Int(port)
        self.transport = entry["protocol"]?.stringValue ?? "TCP"
        self.appProtocol = entry["appProtocol"]?.stringValue
        switch entry["targetPort"] {
        case .string(let name)?: self.target = .name(name)
        case let value? where value.intValue.map({ $0 > 0 }) == true: self.target = .number(Int(value.intValue!))
        default: self.target = .number(Int(port))
        }
    }

    /// Every port of a Service, in order.
    package static func all(of service: JSONValue) -> [ServicePortSpec] {
        (service[path: ["spec", "ports"]]?.arrayValue ?? []).compactMap(ServicePortSpec.init)
    }

    /// `FindPort`: the pod's port number for this Service port. A number is used as is; a name is
    /// looked up among the containers' ports with the same protocol, then among sidecars
    /// (init containers with `restartPolicy: Always`). nil when the pod has no such port.
    package func resolve(in pod: JSONValue) -> Int? {
        switch target {
        case .number(let number):
            return number
        case .name(let wanted):
            let containers = pod[path: ["spec", "containers"]]?.arrayValue ?? []
            let sidecars = (pod[path: ["spec", "initContainers"]]?.arrayValue ?? []).filter { $0["restartPolicy"] == "Always" }
            for container in containers + sidecars {
                for declared in container["ports"]?.arrayValue ?? [] {
                    let declaredTransport = declared["protocol"]?.stringValue ?? "TCP"
                    if declared["name"]?.stringValue == wanted, declaredTransport == transport,
                        let number = declared["containerPort"]?.intValue
                    {
                        return Int(number)
                    }
                }
            }
            return nil
        }
    }

    /// The resolved port as a core/v1 `EndpointPort` (`name` left out when empty, as Go's
    /// `omitempty` does).
    package func endpointPort(_ number: Int) -> JSONValue {
        var port: JSONValue = ["port": .int(Int64(number)), "protocol": .string(transport)]
        if !name.isEmpty { port["name"] = .string(name) }
        if let appProtocol { port["appProtocol"] = .string(appProtocol) }
        return port
    }

    /// The resolved port as a discovery/v1 `EndpointPort` (`name` always present: it is a
    /// pointer there, and the controller always sets it).
    package func sliceEndpointPort(_ number: Int) -> JSONValue {
        var port: JSONValue = ["name": .string(name), "port": .int(Int64(number)), "protocol": .string(transport)]
        if let appProtocol { port["appProtocol"] = .string(appProtocol) }
        return port
    }
}
