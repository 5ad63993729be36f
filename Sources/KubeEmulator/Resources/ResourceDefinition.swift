import KubeAPI

/// Everything the emulator knows about one served resource in one version:
/// its names, scope, subresources, table columns and (for custom resources) schema.
struct ResourceDefinition: Sendable, Equatable {
    /// How names of this resource are validated.
    enum NameRule: Sendable, Equatable {
        /// RFC 1123 subdomain (most kinds).
        case dnsSubdomain
        /// RFC 1123 label (namespaces).
        case dnsLabel
        /// RFC 1035 label (services).
        case dns1035Label
    }

    /// The scale subresource's paths, as a CRD declares them.
    struct ScaleSubresource: Sendable, Equatable {
        var specReplicasPath: String
        var statusReplicasPath: String
        var labelSelectorPath: String?
    }

    /// An extra column of the server-side Table (`additionalPrinterColumns`).
    struct PrinterColumn: Sendable, Equatable {
        var name: String
        var type: String
        var format: String
        var description: String
        var priority: Int
        var jsonPath: String
    }

    var group: String
    var version: String
    var kind: String
    var plural: String
    var singular: String
    var listKind: String
    var shortNames: [String] = []
    var categories: [String] = []
    var namespaced: Bool
    var verbs: [String] = ResourceDefinition.allVerbs
    var hasStatus: Bool = false
    var scale: ScaleSubresource? = nil
    /// nil: the built-in column set of `builtinTable` (or Name + Age).
    var printerColumns: [PrinterColumn]? = nil
    /// Built-in kinds that have their own column set.
    var builtinTable: BuiltinTable? = nil
    /// The CRD's `openAPIV3Schema` for custom resources; nil for built-in kinds.
    var schema: JSONValue? = nil
    var isCustom: Bool = false
    /// Whether `metadata.generation` is maintained.
    var tracksGeneration: Bool = false
    /// Whether a PUT without `metadata.resourceVersion` is accepted (false for custom resources).
    var allowsUnconditionalUpdate: Bool = true
    var nameRule: NameRule = .dnsSubdomain
    /// The version objects are stored in; other served versions are converted by rewriting `apiVersion`.
    var storageVersion: String
    /// The group objects are stored under, when another group's resource shares the storage
    /// (events.k8s.io events live with core events). nil: `group`.
    var storageGroup: String? = nil
    /// A field conversion between the served and the stored form, beyond `apiVersion`.
    var conversion: ObjectConversion? = nil

    static let allVerbs = ["create", "delete", "deletecollection", "get", "list", "patch", "update", "watch"]

    var gvk: GroupVersionKind { GroupVersionKind(group: group, version: version, kind: kind) }
    var apiVersion: String { group.isEmpty ? version : "\(group)/\(version)" }
    var storageKey: StorageKey { StorageKey(group: storageGroup ?? group, resource: plural) }

    /// The `apiVersion` of the stored form.
    var storageAPIVersion: String {
        let stored = storageGroup ?? group
        return stored.isEmpty ? storageVersion : "\(stored)/\(storageVersion)"
    }

    /// The group-qualified resource name used in messages (`fraudmodels.tandem.dev`).
    var qualifiedResource: String { group.isEmpty ? plural : "\(plural).\(group)" }
}

/// The storage identity of a resource, shared by all its versions.
struct StorageKey: Sendable, Hashable, CustomStringConvertible {
    var group: String
    var resource: String

    var description: String { group.isEmpty ? resource : "\(resource).\(group)" }
}

/// The column sets of built-in kinds, as kube-apiserver's printers define them.
enum BuiltinTable: Sendable, Equatable {
    case namespaces, configMaps, secrets, services, serviceAccounts, events, leases, customResourceDefinitions
    case pods, deployments, replicaSets, podDisruptionBudgets, rbac, endpoints, endpointSlices, nodes
}

/// Conversions between a served form and a differently shaped stored form.
enum ObjectConversion: Sendable, Equatable {
    /// `events.k8s.io/v1` Events, stored as `v1` Events.
    case eventsV1
}
