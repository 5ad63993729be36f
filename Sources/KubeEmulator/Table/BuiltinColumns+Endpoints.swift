import KubeAPI

/// The columns of core/v1 Endpoints and discovery.k8s.io/v1 EndpointSlices, as kube-apiserver's
/// printers (`printEndpoints`, `printEndpointSlice`) fill them.
extension BuiltinColumns {
    static var endpointsColumns: [Column] {
        [
            TableBuilder.nameColumn,
            Column(name: "Endpoints", type: "string", description: "The set of all endpoints is the union of all subsets. Addresses are placed into subsets according to the IPs they share. A single address with multiple ports, some of which are ready and some of which are not (because they come from different containers) will result in the address being displayed in different subsets for the different ports. No address will appear in both Addresses and NotReadyAddresses in the same subset. Sets of addresses and ports that comprise a service.") { object, _ in
                .string(endpointsText(object))
            },
            TableBuilder.ageColumn,
        ]
    }

    static var endpointSliceColumns: [Column] {
        [
            TableBuilder.nameColumn,
            Column(name: "AddressType", type: "string", description: "addressType specifies the type of address carried by this EndpointSlice. All addresses in this slice must be the same type. This field is immutable after creation. The following address types are currently supported: * IPv4: Represents an IPv4 Address. * IPv6: Represents an IPv6 Address. * FQDN: Represents a Fully Qualified Domain Name.") { object, _ in
                object["addressType"] ?? ""
            },
            Column(name: "Ports", type: "string", description: "ports specifies the list of network ports exposed by each endpoint in this slice. Each port must have a unique name. When ports is empty, it indicates that there are no defined ports. When a port is defined with a nil port value, it indicates \"all ports\". Each slice may include a maximum of 100 ports.") { object, _ in
                let ports = (object["ports"]?.arrayValue ?? []).map { port in
                    port["port"]?.intValue.map(String.init) ?? port["name"]?.stringValue ?? "*"
                }
                return .string(limitedList(ports))
            },
            Column(name: "Endpoints", type: "string", description: "endpoints is a list of unique endpoints in this slice. Each slice may include a maximum of 1000 endpoints.") { object, _ in
                let addresses = (object["endpoints"]?.arrayValue ?? []).flatMap { $0["addresses"]?.arrayValue?.compactMap(\.stringValue) ?? [] }
                return .string(limitedList(addresses))
            },
            TableBuilder.ageColumn,
        ]
    }

    /// `formatEndpoints`: up to three `ip:port` of ready addresses (`ip` alone for port-less
    /// subsets), then "+ N more..."; `<none>` without subsets.
    static func endpointsText(_ endpoints: JSONValue) -> String {
        let subsets = endpoints["subsets"]?.arrayValue ?? []
        if subsets.isEmpty { return "<none>" }
        var entries: [String] = []
        for subset in subsets {
            let addresses = (subset["addresses"]?.arrayValue ?? []).compactMap { $0["ip"]?.stringValue }
            let ports = (subset["ports"]?.arrayValue ?? []).compactMap { $0["port"]?.intValue }
            if ports.isEmpty {
                entries += addresses
            } else {
                for port in ports {
                    entries += addresses.map { $0.contains(":") ? "[\($0)]:\(port)" : "\($0):\(port)" }
                }
            }
        }
        if entries.count > 3 { return entries.prefix(3).joined(separator: ",") + " + \(entries.count - 3) more..." }
        return entries.joined(separator: ",")
    }

    /// `listWithMoreString`: up to three items, then "+ N more..."; `<unset>` when empty.
    static func limitedList(_ items: [String]) -> String {
        if items.isEmpty { return "<unset>" }
        if items.count > 3 { return items.prefix(3).joined(separator: ",") + " + \(items.count - 3) more..." }
        return items.joined(separator: ",")
    }
}
