import KubeAPI

/// The discovery documents of `/api`, `/apis` and their group versions, legacy and aggregated.
struct DiscoveryDocuments: Sendable {
    let registry: ResourceRegistry
    let serverAddress: String

    /// Which aggregated discovery version an Accept header asks for, if any (v2 preferred).
    static func aggregatedVersion(for accept: String) -> String? {
        let offers = accept.split(separator: ",").map { $0.split(separator: ";").map { $0.trimmingCharacters(in: .whitespaces) } }
        for version in ["v2", "v2beta1"] {
            if offers.contains(where: { $0.contains("g=apidiscovery.k8s.io") && $0.contains("v=\(version)") && $0.contains("as=APIGroupDiscoveryList") }) {
                return version
            }
        }
        return nil
    }

    static func aggregatedContentType(_ version: String) -> String {
        "application/json;g=apidiscovery.k8s.io;v=\(version);as=APIGroupDiscoveryList"
    }

    // MARK: Legacy

    var coreVersions: JSONValue {
        ["kind": "APIVersions", "versions": ["v1"],
         "serverAddressByClientCIDRs": [["clientCIDR": "0.0.0.0/0", "serverAddress": .string(serverAddress)]]]
    }

    var groupList: JSONValue {
        ["kind": "APIGroupList", "apiVersion": "v1",
         "groups": .array(registry.groups().filter { !$0.name.isEmpty }.map(group(named:versions:)))]
    }

    func group(_ name: String) -> JSONValue? {
        registry.groups().first { $0.name == name }.map { group(named: $0.name, versions: $0.versions) }
    }

    private func group(named name: String, versions: [String]) -> JSONValue {
        let entries: [JSONValue] = versions.map { ["groupVersion": .string("\(name)/\($0)"), "version": .string($0)] }
        var group: JSONValue = ["name": .string(name), "versions": .array(entries), "preferredVersion": entries[0]]
        if name.isEmpty { group["name"] = "" }
        return group
    }

    /// The APIResourceList of a group version; nil when nothing is served there.
    func resourceList(group: String, version: String) -> JSONValue? {
        let definitions = registry.definitions(group: group, version: version)
        guard !definitions.isEmpty else { return nil }
        var resources: [JSONValue] = []
        for definition in definitions {
            var entry: JSONValue = [
                "name": .string(definition.plural), "singularName": .string(definition.singular),
                "namespaced": .bool(definition.namespaced), "kind": .string(definition.kind),
                "verbs": .array(definition.verbs.map { .string($0) }),
            ]
            if !definition.shortNames.isEmpty { entry["shortNames"] = .array(definition.shortNames.map { .string($0) }) }
            if !definition.categories.isEmpty { entry["categories"] = .array(definition.categories.map { .string($0) }) }
            resources.append(entry)
            for (subresource, kind, verbs) in subresources(of: definition) {
                resources.append([
                    "name": .string("\(definition.plural)/\(subresource)"), "singularName": "",
                    "namespaced": .bool(definition.namespaced), "kind": .string(kind.kind),
                    "group": .string(kind.group), "version": .string(kind.version),
                    "verbs": .array(verbs.map { .string($0) }),
                ])
            }
        }
        return ["kind": "APIResourceList", "apiVersion": "v1", "groupVersion": .string(group.isEmpty ? version : "\(group)/\(version)"),
                "resources": .array(resources)]
    }

    private func subresources(of definition: ResourceDefinition) -> [(String, GroupVersionKind, [String])] {
        var result: [(String, GroupVersionKind, [String])] = []
        if definition.hasStatus { result.append(("status", definition.gvk, ["get", "patch", "update"])) }
        if definition.scale != nil { result.append(("scale", GroupVersionKind(group: "autoscaling", version: "v1", kind: "Scale"), ["get", "patch", "update"])) }
        if definition.group.isEmpty, definition.plural == "serviceaccounts" {
            result.append(("token", GroupVersionKind(group: "authentication.k8s.io", version: "v1", kind: "TokenRequest"), ["create"]))
        }
        return result
    }

    // MARK: Aggregated

    /// The APIGroupDiscoveryList for `/api` (core) or `/apis` (every other group).
    func aggregated(core: Bool, version: String) -> JSONValue {
        let groups = registry.groups().filter { $0.name.isEmpty == core }
        let items: [JSONValue] = groups.map { group in
            let versions: [JSONValue] = group.versions.map { groupVersion in
                let resources: [JSONValue] = registry.definitions(group: group.name, version: groupVersion).map { definition in
                    var entry: JSONValue = [
                        "resource": .string(definition.plural), "singularResource": .string(definition.singular),
                        "scope": .string(definition.namespaced ? "Namespaced" : "Cluster"),
                        "responseKind": ["group": .string(definition.group), "version": .string(definition.version), "kind": .string(definition.kind)],
                        "verbs": .array(definition.verbs.map { .string($0) }),
                    ]
                    if !definition.shortNames.isEmpty { entry["shortNames"] = .array(definition.shortNames.map { .string($0) }) }
                    if !definition.categories.isEmpty { entry["categories"] = .array(definition.categories.map { .string($0) }) }
                    let subresources = subresources(of: definition)
                    if !subresources.isEmpty {
                        entry["subresources"] = .array(subresources.map { name, kind, verbs in
                            ["subresource": .string(name),
                             "responseKind": ["group": .string(kind.group), "version": .string(kind.version), "kind": .string(kind.kind)],
                             "verbs": .array(verbs.map { .string($0) })]
                        })
                    }
                    return entry
                }
                return ["version": .string(groupVersion), "resources": .array(resources), "freshness": "Current"]
            }
            return ["metadata": ["name": .string(group.name)], "versions": .array(versions)]
        }
        return ["kind": "APIGroupDiscoveryList", "apiVersion": .string("apidiscovery.k8s.io/\(version)"), "metadata": .emptyObject, "items": .array(items)]
    }
}
