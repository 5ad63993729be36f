/// The built-in kinds the emulator serves, with the names and scopes kube-apiserver gives them.
enum BuiltinResources {
    static let all: [ResourceDefinition] = [
        ResourceDefinition(
            group: "", version: "v1", kind: "Namespace", plural: "namespaces", singular: "namespace", listKind: "NamespaceList",
            shortNames: ["ns"], namespaced: false, verbs: ["create", "delete", "get", "list", "patch", "update", "watch"],
            hasStatus: true, builtinTable: .namespaces, nameRule: .dnsLabel, storageVersion: "v1"),
        ResourceDefinition(
            group: "", version: "v1", kind: "ConfigMap", plural: "configmaps", singular: "configmap", listKind: "ConfigMapList",
            shortNames: ["cm"], namespaced: true, builtinTable: .configMaps, storageVersion: "v1"),
        ResourceDefinition(
            group: "", version: "v1", kind: "Secret", plural: "secrets", singular: "secret", listKind: "SecretList",
            namespaced: true, builtinTable: .secrets, storageVersion: "v1"),
        ResourceDefinition(
            group: "", version: "v1", kind: "Service", plural: "services", singular: "service", listKind: "ServiceList",
            shortNames: ["svc"], categories: ["all"], namespaced: true,
            verbs: ["create", "delete", "deletecollection", "get", "list", "patch", "update", "watch"],
            hasStatus: true, builtinTable: .services, nameRule: .dns1035Label, storageVersion: "v1"),
        ResourceDefinition(
            group: "", version: "v1", kind: "ServiceAccount", plural: "serviceaccounts", singular: "serviceaccount",
            listKind: "ServiceAccountList", shortNames: ["sa"], namespaced: true, builtinTable: .serviceAccounts,
            storageVersion: "v1"),
        ResourceDefinition(
            group: "", version: "v1", kind: "Event", plural: "events", singular: "event", listKind: "EventList",
            shortNames: ["ev"], namespaced: true, builtinTable: .events, storageVersion: "v1"),
        ResourceDefinition(
            group: "coordination.k8s.io", version: "v1", kind: "Lease", plural: "leases", singular: "lease",
            listKind: "LeaseList", namespaced: true, builtinTable: .leases, storageVersion: "v1"),
        ResourceDefinition(
            group: "apiextensions.k8s.io", version: "v1", kind: "CustomResourceDefinition", plural: "customresourcedefinitions",
            singular: "customresourcedefinition", listKind: "CustomResourceDefinitionList", shortNames: ["crd", "crds"],
            categories: ["api-extensions"], namespaced: false, hasStatus: true, builtinTable: .customResourceDefinitions,
            tracksGeneration: true, storageVersion: "v1"),
    ]

    /// The order kube-apiserver lists its built-in groups in (`/apis`); custom groups follow, sorted.
    static let groupOrder = ["", "apiregistration.k8s.io", "apps", "events.k8s.io", "authentication.k8s.io",
        "authorization.k8s.io", "autoscaling", "batch", "certificates.k8s.io", "networking.k8s.io", "policy",
        "rbac.authorization.k8s.io", "storage.k8s.io", "admissionregistration.k8s.io", "apiextensions.k8s.io",
        "scheduling.k8s.io", "coordination.k8s.io", "node.k8s.io", "discovery.k8s.io", "flowcontrol.apiserver.k8s.io"]
}
