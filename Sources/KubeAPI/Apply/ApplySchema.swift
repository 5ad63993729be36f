/// How server-side apply treats each list and object of a kind: the part of a
/// Kubernetes OpenAPI schema that field ownership needs.
///
/// Rules are looked up, most specific first, by
/// 1. the field's full path (`spec.template.spec.containers[].ports`, `[]` for list
///    elements and `.*` for the entries of a granular map), from `listTypesByPath` / `mapTypesByPath`;
/// 2. its parent field and name (`containers.ports`, `spec.ports`), then its name alone
///    (`containers`), from `listTypesByField` / `mapTypesByField`.
///
/// Defaults, as for a Kubernetes schema without markers: a list is **atomic** (replaced and
/// owned whole), an object is a **structure** (merged field by field).
public struct ApplySchema: Sendable, Hashable {
    /// How a list merges and is owned (`x-kubernetes-list-type`).
    public enum ListType: Sendable, Hashable {
        /// Replaced whole and owned as one field.
        case atomic
        /// A set of scalars, each owned separately (`v:` entries), like `finalizers`.
        case set
        /// Elements identified by key fields (`k:` entries), like `containers` by `name`.
        /// A key missing from an element takes its value from `defaults` (ports' `protocol: TCP`).
        case map(keys: [String], defaults: [String: JSONValue] = [:])
    }

    /// How an object merges and is owned (`x-kubernetes-map-type`).
    public enum MapType: Sendable, Hashable {
        /// Declared fields, merged one by one; the object itself is not owned once it has fields.
        case structure
        /// Arbitrary keys (labels, annotations, ConfigMap data), merged one by one, each entry owned as itself.
        case granular
        /// Replaced whole and owned as one field (`selector`).
        case atomic
    }

    /// List rules by full path.
    public var listTypesByPath: [String: ListType]
    /// List rules by `parent.field` or `field`.
    public var listTypesByField: [String: ListType]
    /// Object rules by full path.
    public var mapTypesByPath: [String: MapType]
    /// Object rules by `parent.field` or `field`.
    public var mapTypesByField: [String: MapType]

    /// A schema with the given rules; none by default (every list atomic, every object a structure).
    public init(
        listTypesByPath: [String: ListType] = [:], listTypesByField: [String: ListType] = [:],
        mapTypesByPath: [String: MapType] = [:], mapTypesByField: [String: MapType] = [:]
    ) {
        self.listTypesByPath = listTypesByPath
        self.listTypesByField = listTypesByField
        self.mapTypesByPath = mapTypesByPath
        self.mapTypesByField = mapTypesByField
    }

    /// This schema with `other`'s rules added; `other` wins where both have a rule.
    public func merging(_ other: ApplySchema) -> ApplySchema {
        ApplySchema(
            listTypesByPath: listTypesByPath.merging(other.listTypesByPath) { $1 },
            listTypesByField: listTypesByField.merging(other.listTypesByField) { $1 },
            mapTypesByPath: mapTypesByPath.merging(other.mapTypesByPath) { $1 },
            mapTypesByField: mapTypesByField.merging(other.mapTypesByField) { $1 })
    }

    /// The rules of `ObjectMeta` alone: what a custom resource without list markers gets.
    public static let objectMeta = ApplySchema(
        listTypesByPath: [
            "metadata.ownerReferences": .map(keys: ["uid"]),
            "metadata.finalizers": .set,
        ],
        mapTypesByPath: ["metadata.labels": .granular, "metadata.annotations": .granular])

    /// The rules of the built-in kinds, from their Go types' list and map markers and
    /// strategic-merge-patch keys (which kube-apiserver turns into list types).
    public static let kubernetes = objectMeta.merging(ApplySchema(
        listTypesByField: [
            "containers": .map(keys: ["name"]), "initContainers": .map(keys: ["name"]),
            "ephemeralContainers": .map(keys: ["name"]), "volumes": .map(keys: ["name"]),
            "env": .map(keys: ["name"]), "imagePullSecrets": .map(keys: ["name"]),
            "resourceClaims": .map(keys: ["name"]), "schedulingGates": .map(keys: ["name"]),
            "volumeMounts": .map(keys: ["mountPath"]), "volumeDevices": .map(keys: ["devicePath"]),
            "containers.ports": .map(keys: ["containerPort", "protocol"], defaults: ["protocol": "TCP"]),
            "initContainers.ports": .map(keys: ["containerPort", "protocol"], defaults: ["protocol": "TCP"]),
            "ephemeralContainers.ports": .map(keys: ["containerPort", "protocol"], defaults: ["protocol": "TCP"]),
            "spec.ports": .map(keys: ["port", "protocol"], defaults: ["protocol": "TCP"]),
            "conditions": .map(keys: ["type"]), "ownerReferences": .map(keys: ["uid"]),
            "hostAliases": .map(keys: ["ip"]), "podIPs": .map(keys: ["ip"]), "hostIPs": .map(keys: ["ip"]),
            "topologySpreadConstraints": .map(keys: ["topologyKey", "whenUnsatisfiable"]),
            "finalizers": .set,
        ],
        mapTypesByField: [
            "labels": .granular, "annotations": .granular, "data": .granular, "binaryData": .granular,
            "stringData": .granular, "limits": .granular, "requests": .granular, "capacity": .granular,
            "allocatable": .granular, "hard": .granular, "used": .granular, "parameters": .granular,
            "selector": .atomic, "labelSelector": .atomic, "namespaceSelector": .atomic, "nodeSelector": .atomic,
            "fieldRef": .atomic, "resourceFieldRef": .atomic, "secretKeyRef": .atomic, "configMapKeyRef": .atomic,
        ]))
}

/// Where a value sits, in the terms `ApplySchema` rules are written in.
struct SchemaLocation: Sendable, Hashable {
    /// The full path (`spec.template.spec.containers[].ports`).
    var path: String = ""
    /// The name of the field holding the value; nil at the root, for list elements and for granular map entries.
    var field: String?
    /// The name of the closest field enclosing `field`.
    var parentField: String?
    /// The closest field name at or above this location: the `parentField` of its members.
    var enclosingField: String?

    static let root = SchemaLocation()

    /// The location of member `name` of an object of the given type.
    func member(_ name: String, of type: ApplySchema.MapType) -> SchemaLocation {
        if type == .granular {
            return SchemaLocation(path: path + ".*", field: nil, parentField: enclosingField, enclosingField: enclosingField)
        }
        return SchemaLocation(
            path: path.isEmpty ? name : path + "." + name, field: name, parentField: enclosingField, enclosingField: name)
    }

    /// The location of the elements of the list at this location.
    var element: SchemaLocation {
        SchemaLocation(path: path + "[]", field: nil, parentField: enclosingField, enclosingField: enclosingField)
    }
}

extension ApplySchema {
    func listType(at location: SchemaLocation) -> ListType {
        if let rule = listTypesByPath[location.path] { return rule }
        guard let field = location.field else { return .atomic }
        if let parent = location.parentField, let rule = listTypesByField[parent + "." + field] { return rule }
        return listTypesByField[field] ?? .atomic
    }

    func mapType(at location: SchemaLocation) -> MapType {
        if location.path.isEmpty { return .structure }
        if let rule = mapTypesByPath[location.path] { return rule }
        guard let field = location.field else { return .structure }
        if let parent = location.parentField, let rule = mapTypesByField[parent + "." + field] { return rule }
        return mapTypesByField[field] ?? .structure
    }
}
