import KubeAPI

/// The resources the emulator serves: the built-in kinds plus one entry per served version of
/// every established CRD. It is part of the store's state, so a CRD's resources appear and vanish
/// in the same write that creates or deletes the CRD.
struct ResourceRegistry: Sendable {
    struct Key: Hashable, Sendable {
        var group: String
        var version: String
        var plural: String
    }

    private(set) var definitions: [Key: ResourceDefinition] = [:]
    /// Bumped on every change, so discovery and OpenAPI caches know when to rebuild.
    private(set) var generation = 0

    init() {
        for definition in BuiltinResources.all {
            definitions[Key(group: definition.group, version: definition.version, plural: definition.plural)] = definition
        }
    }

    func definition(group: String, version: String, plural: String) -> ResourceDefinition? {
        definitions[Key(group: group, version: version, plural: plural)]
    }

    /// The definition serving `kind` in `apiVersion`, if any.
    func definition(apiVersion: String, kind: String) -> ResourceDefinition? {
        let gvk = GroupVersionKind(apiVersion: apiVersion, kind: kind)
        return definitions.values.first { $0.group == gvk.group && $0.version == gvk.version && $0.kind == kind }
    }

    /// Every definition in a group and version, sorted by plural.
    func definitions(group: String, version: String) -> [ResourceDefinition] {
        definitions.values.filter { $0.group == group && $0.version == version }.sorted { $0.plural < $1.plural }
    }

    /// The served definitions of one stored resource, in every version.
    func definitions(for storage: StorageKey) -> [ResourceDefinition] {
        definitions.values.filter { $0.storageKey == storage }
    }

    /// The groups with their versions, preferred version first, in kube-apiserver's order.
    func groups() -> [(name: String, versions: [String])] {
        var versionsByGroup: [String: Set<String>] = [:]
        for key in definitions.keys { versionsByGroup[key.group, default: []].insert(key.version) }
        let names = versionsByGroup.keys.sorted { lhs, rhs in
            let l = BuiltinResources.groupOrder.firstIndex(of: lhs) ?? Int.max
            let r = BuiltinResources.groupOrder.firstIndex(of: rhs) ?? Int.max
            return l != r ? l < r : lhs < rhs
        }
        return names.map { ($0, KubeVersionOrder.sorted(Array(versionsByGroup[$0]!))) }
    }

    /// Replaces every custom resource with those of the given (established) CRDs.
    mutating func replaceCustomResources(with crds: [JSONValue]) {
        definitions = definitions.filter { !$0.value.isCustom }
        for crd in crds {
            for definition in CustomResourceDefinitions.definitions(of: crd) {
                definitions[Key(group: definition.group, version: definition.version, plural: definition.plural)] = definition
            }
        }
        generation += 1
    }
}

/// Kubernetes' version priority: GA before beta before alpha, higher numbers first, then
/// non-Kubernetes-like versions alphabetically.
enum KubeVersionOrder {
    static func sorted(_ versions: [String]) -> [String] {
        versions.sorted { rank($0) < rank($1) }
    }

    /// A sortable rank: (stability class, -major, -minor, name).
    static func rank(_ version: String) -> (Int, Int, Int, String) {
        let bytes = Array(version.utf8)
        guard bytes.first == UInt8(ascii: "v") else { return (3, 0, 0, version) }
        var index = 1
        var major = 0
        var digits = 0
        while index < bytes.count, bytes[index] >= 48, bytes[index] <= 57 {
            major = major * 10 + Int(bytes[index] - 48)
            index += 1
            digits += 1
        }
        guard digits > 0 else { return (3, 0, 0, version) }
        if index == bytes.count { return (0, -major, 0, version) }
        let rest = String(decoding: bytes[index...], as: UTF8.self)
        for (label, stability) in [("beta", 1), ("alpha", 2)] where rest.hasPrefix(label) {
            if let minor = Int(rest.dropFirst(label.count)) { return (stability, -major, -minor, version) }
        }
        return (3, 0, 0, version)
    }
}
