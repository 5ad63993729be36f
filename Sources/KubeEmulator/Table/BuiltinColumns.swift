import Foundation
import KubeAPI

/// The column sets kube-apiserver's printers give built-in kinds.
enum BuiltinColumns {
    typealias Column = TableBuilder.Column

    static func columns(for table: BuiltinTable) -> [Column] {
        let name = TableBuilder.nameColumn
        let age = TableBuilder.ageColumn
        switch table {
        case .nodes:
            return [name,
                Column(name: "Status", type: "string", description: "The status of the node") { object, _ in
                    let ready = (object[path: ["status", "conditions"]]?.arrayValue ?? []).first { $0["type"] == "Ready" }
                    var status = ready?["status"] == "True" ? "Ready" : ready == nil ? "Unknown" : "NotReady"
                    if object[path: ["spec", "unschedulable"]]?.boolValue == true { status += ",SchedulingDisabled" }
                    return .string(status)
                },
                Column(name: "Roles", type: "string", description: "The roles of the node") { object, _ in
                    let roles = (object[path: ["metadata", "labels"]]?.objectValue ?? [:]).keys
                        .filter { $0.hasPrefix("node-role.kubernetes.io/") }.map { String($0.dropFirst("node-role.kubernetes.io/".count)) }.sorted()
                    return .string(roles.isEmpty ? "<none>" : roles.joined(separator: ","))
                },
                age,
                Column(name: "Version", type: "string", description: "Kubelet Version reported by the node.") { object, _ in
                    object[path: ["status", "nodeInfo", "kubeletVersion"]] ?? ""
                },
                Column(name: "Internal-IP", type: "string", priority: 1, cell: { object, _ in
                    .string((object[path: ["status", "addresses"]]?.arrayValue ?? []).first { $0["type"] == "InternalIP" }?["address"]?.stringValue ?? "<none>")
                }),
                Column(name: "OS-Image", type: "string", priority: 1, cell: { object, _ in object[path: ["status", "nodeInfo", "osImage"]] ?? "" }),
                Column(name: "Kernel-Version", type: "string", priority: 1, cell: { object, _ in object[path: ["status", "nodeInfo", "kernelVersion"]] ?? "" }),
            ]
        case .namespaces:
            return [name, Column(name: "Status", type: "string", description: "The status of the namespace") { object, _ in
                object[path: ["status", "phase"]] ?? ""
            }, age]
        case .configMaps:
            return [name, Column(name: "Data", type: "integer", description: "Data contains the configuration data.") { object, _ in
                .int(Int64((object["data"]?.objectValue?.count ?? 0) + (object["binaryData"]?.objectValue?.count ?? 0)))
            }, age]
        case .secrets:
            return [name, Column(name: "Type", type: "string", description: "Used to facilitate programmatic handling of secret data.") { object, _ in
                object["type"] ?? ""
            }, Column(name: "Data", type: "integer", description: "Data contains the secret data.") { object, _ in
                .int(Int64(object["data"]?.objectValue?.count ?? 0))
            }, age]
        case .services:
            return [name,
                Column(name: "Type", type: "string", description: "type determines how the Service is exposed.") { object, _ in
                    object[path: ["spec", "type"]] ?? "ClusterIP"
                },
                Column(name: "Cluster-IP", type: "string", description: "clusterIP is the IP address of the service.") { object, _ in
                    object[path: ["spec", "clusterIP"]] ?? "<none>"
                },
                Column(name: "External-IP", type: "string", description: "externalIPs is a list of IP addresses for which nodes in the cluster will also accept traffic for this service.") { object, _ in
                    .string(externalIP(of: object))
                },
                Column(name: "Port(s)", type: "string", description: "The list of ports that are exposed by this service.") { object, _ in
                    .string(ports(of: object))
                },
                age,
                Column(name: "Selector", type: "string", priority: 1, cell: { object, _ in
                    let selector = object[path: ["spec", "selector"]]?.objectValue ?? [:]
                    return .string(selector.isEmpty ? "<none>" : selector.keys.sorted().map { "\($0)=\(selector[$0]?.stringValue ?? "")" }.joined(separator: ","))
                }),
            ]
        case .serviceAccounts:
            return [name, Column(name: "Secrets", type: "string", description: "Secrets is a list of the secrets in the same namespace that pods running using this ServiceAccount are allowed to use.") { object, _ in
                .int(Int64(object["secrets"]?.arrayValue?.count ?? 0))
            }, age]
        case .events:
            return [
                Column(name: "Last Seen", type: "string", description: "The time at which the most recent occurrence of this event was recorded.") { object, now in
                    TableBuilder.age(
                        object["lastTimestamp"] ?? object[path: ["series", "lastObservedTime"]] ?? object["deprecatedLastTimestamp"]
                            ?? object["eventTime"] ?? object[path: ["metadata", "creationTimestamp"]], now: now)
                },
                Column(name: "Type", type: "string", description: "Type of this event (Normal, Warning), new types could be added in the future.") { object, _ in object["type"] ?? "" },
                Column(name: "Reason", type: "string", description: "This should be a short, machine understandable string that gives the reason for the transition into the object's current status.") { object, _ in object["reason"] ?? "" },
                // Read in either shape: v1 (`involvedObject`, `message`) or events.k8s.io/v1
                // (`regarding`, `note`), as the table is built for whichever version was asked.
                Column(name: "Object", type: "string", description: "The object that this event is about.") { object, _ in
                    let subject = object["involvedObject"] ?? object["regarding"]
                    let kind = subject?["kind"]?.stringValue?.lowercased() ?? ""
                    let target = subject?["name"]?.stringValue ?? ""
                    return .string("\(kind)/\(target)")
                },
                Column(name: "Message", type: "string", description: "A human-readable description of the status of this operation.") { object, _ in
                    object["message"] ?? object["note"] ?? ""
                },
                Column(name: "Name", type: "string", format: "name", priority: 1, cell: { object, _ in object[path: ["metadata", "name"]] ?? "" }),
            ]
        case .leases:
            return [name, Column(name: "Holder", type: "string", description: "The holderIdentity field of a lease object.") { object, _ in
                object[path: ["spec", "holderIdentity"]] ?? ""
            }, age]
        case .pods:
            return [name,
                Column(name: "Ready", type: "string", description: "The aggregate readiness state of this pod for accepting traffic.") { object, _ in
                    let statuses = object[path: ["status", "containerStatuses"]]?.arrayValue ?? []
                    let total = object[path: ["spec", "containers"]]?.arrayValue?.count ?? statuses.count
                    return .string("\(statuses.filter { $0["ready"] == true }.count)/\(total)")
                },
                Column(name: "Status", type: "string", description: "The aggregate status of the containers in this pod.") { object, _ in
                    .string(PodPrinter.status(object))
                },
                Column(name: "Restarts", type: "string", description: "The number of times the containers in this pod have been restarted and when the last container in this pod has restarted.") { object, now in
                    .string(PodPrinter.restarts(object, now: now))
                },
                age,
                Column(name: "IP", type: "string", priority: 1, cell: { object, _ in object[path: ["status", "podIP"]] ?? "<none>" }),
                Column(name: "Node", type: "string", priority: 1, cell: { object, _ in object[path: ["spec", "nodeName"]] ?? "<none>" }),
                Column(name: "Nominated Node", type: "string", priority: 1, cell: { object, _ in object[path: ["status", "nominatedNodeName"]] ?? "<none>" }),
                Column(name: "Readiness Gates", type: "string", priority: 1, cell: { object, _ in
                    let gates = (object[path: ["spec", "readinessGates"]]?.arrayValue ?? []).compactMap { $0["conditionType"]?.stringValue }
                    guard !gates.isEmpty else { return "<none>" }
                    let conditions = object[path: ["status", "conditions"]]?.arrayValue ?? []
                    let passing = gates.filter { gate in conditions.contains { $0["type"]?.stringValue == gate && $0["status"] == "True" } }
                    return .string("\(passing.count)/\(gates.count)")
                }),
            ]
        case .deployments, .replicaSets:
            let isDeployment = table == .deployments
            var columns: [Column] = [name]
            if isDeployment {
                columns += [
                    Column(name: "Ready", type: "string", description: "Number of the available replicas out of the desired ones.") { object, _ in
                        .string("\(object[path: ["status", "readyReplicas"]]?.intValue ?? 0)/\(object[path: ["spec", "replicas"]]?.intValue ?? 0)")
                    },
                    Column(name: "Up-to-date", type: "integer", description: "Total number of non-terminated pods targeted by this deployment that have the desired template spec.") { object, _ in
                        .int(object[path: ["status", "updatedReplicas"]]?.intValue ?? 0)
                    },
                    Column(name: "Available", type: "integer", description: "Total number of available pods (ready for at least minReadySeconds) targeted by this deployment.") { object, _ in
                        .int(object[path: ["status", "availableReplicas"]]?.intValue ?? 0)
                    },
                ]
            } else {
                columns += [
                    Column(name: "Desired", type: "integer", description: "Number of desired pods.") { object, _ in .int(object[path: ["spec", "replicas"]]?.intValue ?? 0) },
                    Column(name: "Current", type: "integer", description: "Number of actual replicas.") { object, _ in .int(object[path: ["status", "replicas"]]?.intValue ?? 0) },
                    Column(name: "Ready", type: "integer", description: "Number of ready replicas.") { object, _ in .int(object[path: ["status", "readyReplicas"]]?.intValue ?? 0) },
                ]
            }
            let containers: @Sendable (JSONValue) -> [JSONValue] = { $0[path: ["spec", "template", "spec", "containers"]]?.arrayValue ?? [] }
            return columns + [
                age,
                Column(name: "Containers", type: "string", priority: 1, cell: { object, _ in .string(containers(object).compactMap { $0["name"]?.stringValue }.joined(separator: ",")) }),
                Column(name: "Images", type: "string", priority: 1, cell: { object, _ in .string(containers(object).compactMap { $0["image"]?.stringValue }.joined(separator: ",")) }),
                Column(name: "Selector", type: "string", priority: 1, cell: { object, _ in .string(SelectorText.of(object[path: ["spec", "selector"]])) }),
            ]
        case .podDisruptionBudgets:
            return [name,
                Column(name: "Min Available", type: "string", description: "The minimum number of pods that must be available.") { object, _ in
                    object[path: ["spec", "minAvailable"]].map { .string(PrinterJSONPath.text($0)) } ?? "N/A"
                },
                Column(name: "Max Unavailable", type: "string", description: "The maximum number of pods that may be unavailable.") { object, _ in
                    object[path: ["spec", "maxUnavailable"]].map { .string(PrinterJSONPath.text($0)) } ?? "N/A"
                },
                Column(name: "Allowed Disruptions", type: "integer", description: "Calculated number of pods that may be disrupted at this time.") { object, _ in
                    .int(object[path: ["status", "disruptionsAllowed"]]?.intValue ?? 0)
                },
                age,
            ]
        case .endpoints:
            return endpointsColumns
        case .endpointSlices:
            return endpointSliceColumns
        case .rbac:
            return [name, Column(name: "Created At", type: "string", description: "") { object, _ in
                object[path: ["metadata", "creationTimestamp"]] ?? ""
            }]
        case .customResourceDefinitions:
            return [name, Column(name: "Created At", type: "date", description: "") { object, _ in
                object[path: ["metadata", "creationTimestamp"]] ?? ""
            }]
        }
    }

    static func externalIP(of service: JSONValue) -> String {
        let type = service[path: ["spec", "type"]]?.stringValue ?? "ClusterIP"
        var addresses = service[path: ["spec", "externalIPs"]]?.arrayValue?.compactMap(\.stringValue) ?? []
        if type == "LoadBalancer" {
            let ingress = service[path: ["status", "loadBalancer", "ingress"]]?.arrayValue ?? []
            addresses += ingress.compactMap { $0["ip"]?.stringValue ?? $0["hostname"]?.stringValue }
            if addresses.isEmpty { return "<pending>" }
        }
        if type == "ExternalName" { return service[path: ["spec", "externalName"]]?.stringValue ?? "<none>" }
        return addresses.isEmpty ? "<none>" : addresses.joined(separator: ",")
    }

    static func ports(of service: JSONValue) -> String {
        let ports = service[path: ["spec", "ports"]]?.arrayValue ?? []
        if ports.isEmpty { return "<none>" }
        return ports.map { port in
            let number = port["port"]?.intValue.map(String.init) ?? ""
            let proto = port["protocol"]?.stringValue ?? "TCP"
            if let nodePort = port["nodePort"]?.intValue { return "\(number):\(nodePort)/\(proto)" }
            return "\(number)/\(proto)"
        }.joined(separator: ",")
    }
}
