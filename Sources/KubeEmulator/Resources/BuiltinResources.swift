/// The built-in kinds the emulator serves, with the names and scopes kube-apiserver gives them.
enum BuiltinResources {
    static let all: [ResourceDefinition] = [
        ResourceDefinition(
            group: "", version: "v1", kind: "Namespace", plural: "namespaces", singular: "namespace", listKind: "NamespaceList",
            shortNames: ["ns"], namespaced: false, verbs: ["create", "delete", "get", "list", "patch", "update", "watch"],
            hasStatus: true, builtinTable: .namespaces, nameRule: .dnsLabel, storageVersion: "v1"),
        ResourceDefinition(
            group: "", version: "v1", kind: "Node", plural: "nodes", singular: "node", listKind: "NodeList",
            shortNames: ["no"], namespaced: false, hasStatus: true, builtinTable: .nodes, storageVersion: "v1"),
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
            group: "", version: "v1", kind: "Endpoints", plural: "endpoints", singular: "endpoints", listKind: "EndpointsList",
            shortNames: ["ep"], namespaced: true, builtinTable: .endpoints, storageVersion: "v1"),
        ResourceDefinition(
            group: "discovery.k8s.io", version: "v1", kind: "EndpointSlice", plural: "endpointslices", singular: "endpointslice",
            listKind: "EndpointSliceList", namespaced: true, builtinTable: .endpointSlices, storageVersion: "v1"),
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
        ResourceDefinition(
            group: "", version: "v1", kind: "Pod", plural: "pods", singular: "pod", listKind: "PodList",
            shortNames: ["po"], categories: ["all"], namespaced: true, hasStatus: true, builtinTable: .pods,
            storageVersion: "v1"),
        ResourceDefinition(
            group: "apps", version: "v1", kind: "Deployment", plural: "deployments", singular: "deployment",
            listKind: "DeploymentList", shortNames: ["deploy"], categories: ["all"], namespaced: true, hasStatus: true,
            scale: .init(specReplicasPath: ".spec.replicas", statusReplicasPath: ".status.replicas", labelSelectorPath: nil),
            builtinTable: .deployments, tracksGeneration: true, storageVersion: "v1"),
        ResourceDefinition(
            group: "apps", version: "v1", kind: "ReplicaSet", plural: "replicasets", singular: "replicaset",
            listKind: "ReplicaSetList", shortNames: ["rs"], categories: ["all"], namespaced: true, hasStatus: true,
            scale: .init(specReplicasPath: ".spec.replicas", statusReplicasPath: ".status.replicas", labelSelectorPath: nil),
            builtinTable: .replicaSets, tracksGeneration: true, storageVersion: "v1"),
        ResourceDefinition(
            group: "events.k8s.io", version: "v1", kind: "Event", plural: "events", singular: "event", listKind: "EventList",
            shortNames: ["ev"], namespaced: true, builtinTable: .events, storageVersion: "v1",
            storageGroup: "", conversion: .eventsV1),
        ResourceDefinition(
            group: "policy", version: "v1", kind: "PodDisruptionBudget", plural: "poddisruptionbudgets", singular: "poddisruptionbudget",
            listKind: "PodDisruptionBudgetList", shortNames: ["pdb"], namespaced: true, hasStatus: true,
            builtinTable: .podDisruptionBudgets, tracksGeneration: true, storageVersion: "v1"),
    ] + rbac + reviews

    /// The RBAC objects the authorizer enforces (Sources/KubeEmulator/Auth).
    static let rbac: [ResourceDefinition] = [
        ("Role", "roles", true), ("ClusterRole", "clusterroles", false),
        ("RoleBinding", "rolebindings", true), ("ClusterRoleBinding", "clusterrolebindings", false),
    ].map { kind, plural, namespaced in
        ResourceDefinition(
            group: "rbac.authorization.k8s.io", version: "v1", kind: kind, plural: plural, singular: kind.lowercased(),
            listKind: "\(kind)List", namespaced: namespaced, builtinTable: .rbac, storageVersion: "v1")
    }

    /// Create-only kinds that are answered, never stored: access reviews and SelfSubjectReview
    /// (see `AccessReviewHandler`).
    static let reviews: [ResourceDefinition] = [
        ("authorization.k8s.io", "SelfSubjectAccessReview", false), ("authorization.k8s.io", "SelfSubjectRulesReview", false),
        ("authorization.k8s.io", "SubjectAccessReview", false), ("authorization.k8s.io", "LocalSubjectAccessReview", true),
        ("authentication.k8s.io", "SelfSubjectReview", false),
    ].map { group, kind, namespaced in
        ResourceDefinition(
            group: group, version: "v1", kind: kind, plural: kind.lowercased() + "s", singular: kind.lowercased(),
            listKind: "\(kind)List", namespaced: namespaced, verbs: ["create"], storageVersion: "v1")
    }

    /// The order kube-apiserver lists its built-in groups in (`/apis`); custom groups follow, sorted.
    static let groupOrder = ["", "apiregistration.k8s.io", "apps", "events.k8s.io", "authentication.k8s.io",
        "authorization.k8s.io", "autoscaling", "batch", "certificates.k8s.io", "networking.k8s.io", "policy",
        "rbac.authorization.k8s.io", "storage.k8s.io", "admissionregistration.k8s.io", "apiextensions.k8s.io",
        "scheduling.k8s.io", "coordination.k8s.io", "node.k8s.io", "discovery.k8s.io", "flowcontrol.apiserver.k8s.io"]
}
