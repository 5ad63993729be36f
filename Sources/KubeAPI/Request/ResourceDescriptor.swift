/// What a client needs to address a resource: group, version, plural (the URL segment),
/// kind and scope. Built in for what Tandem uses; make one for any other resource or CRD.
public struct ResourceDescriptor: Sendable, Hashable, CustomStringConvertible {
    /// The API group (`""` for core).
    public var group: String
    /// The version (`v1`).
    public var version: String
    /// The plural resource name used in URLs (`configmaps`).
    public var plural: String
    /// The kind (`ConfigMap`).
    public var kind: String
    /// Whether objects live in namespaces.
    public var namespaced: Bool

    /// A descriptor from its five parts.
    public init(group: String, version: String, plural: String, kind: String, namespaced: Bool) {
        self.group = group
        self.version = version
        self.plural = plural
        self.kind = kind
        self.namespaced = namespaced
    }

    /// `v1` or `group/version`.
    public var apiVersion: String { group.isEmpty ? version : "\(group)/\(version)" }
    /// The group, version and kind.
    public var groupVersionKind: GroupVersionKind { GroupVersionKind(group: group, version: version, kind: kind) }
    /// The group, version and resource.
    public var groupVersionResource: GroupVersionResource { GroupVersionResource(group: group, version: version, resource: plural) }
    /// `plural.group` (`deployments.apps`), or the plural alone for core.
    public var description: String { group.isEmpty ? plural : "\(plural).\(group)" }

    /// The URL prefix of the group version: `/api/v1` or `/apis/<group>/<version>`.
    public var apiPrefix: String { group.isEmpty ? "/api/\(version)" : "/apis/\(group)/\(version)" }

    /// The collection URL path, in `namespace` when given (and the resource is namespaced).
    public func collectionPath(namespace: String?) -> String {
        if namespaced, let namespace { return "\(apiPrefix)/namespaces/\(KubeRequest.escapePathSegment(namespace))/\(plural)" }
        return "\(apiPrefix)/\(plural)"
    }

    /// The URL path of one object, optionally of one of its subresources (`status`, `scale`).
    public func objectPath(name: String, namespace: String?, subresource: String? = nil) -> String {
        var path = "\(collectionPath(namespace: namespace))/\(KubeRequest.escapePathSegment(name))"
        if let subresource { path += "/\(subresource)" }
        return path
    }
}

extension ResourceDescriptor {
    /// core/v1 ConfigMap.
    public static let configMaps = ResourceDescriptor(group: "", version: "v1", plural: "configmaps", kind: "ConfigMap", namespaced: true)
    /// core/v1 Secret.
    public static let secrets = ResourceDescriptor(group: "", version: "v1", plural: "secrets", kind: "Secret", namespaced: true)
    /// core/v1 Namespace (cluster-scoped).
    public static let namespaces = ResourceDescriptor(group: "", version: "v1", plural: "namespaces", kind: "Namespace", namespaced: false)
    /// core/v1 Service.
    public static let services = ResourceDescriptor(group: "", version: "v1", plural: "services", kind: "Service", namespaced: true)
    /// core/v1 ServiceAccount.
    public static let serviceAccounts = ResourceDescriptor(
        group: "", version: "v1", plural: "serviceaccounts", kind: "ServiceAccount", namespaced: true)
    /// core/v1 Pod.
    public static let pods = ResourceDescriptor(group: "", version: "v1", plural: "pods", kind: "Pod", namespaced: true)
    /// core/v1 Event (the legacy events API).
    public static let coreEvents = ResourceDescriptor(group: "", version: "v1", plural: "events", kind: "Event", namespaced: true)
    /// events.k8s.io/v1 Event.
    public static let events = ResourceDescriptor(group: "events.k8s.io", version: "v1", plural: "events", kind: "Event", namespaced: true)
    /// apps/v1 Deployment.
    public static let deployments = ResourceDescriptor(group: "apps", version: "v1", plural: "deployments", kind: "Deployment", namespaced: true)
    /// coordination.k8s.io/v1 Lease.
    public static let leases = ResourceDescriptor(group: "coordination.k8s.io", version: "v1", plural: "leases", kind: "Lease", namespaced: true)
    /// apiextensions.k8s.io/v1 CustomResourceDefinition (cluster-scoped).
    public static let customResourceDefinitions = ResourceDescriptor(
        group: "apiextensions.k8s.io", version: "v1", plural: "customresourcedefinitions", kind: "CustomResourceDefinition", namespaced: false)
}
