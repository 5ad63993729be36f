import Foundation
import KubeAPI

/// The default ClusterRoles and ClusterRoleBindings kube-apiserver creates at start (its RBAC
/// bootstrap policy), the part of it clients meet: `cluster-admin` for `system:masters`;
/// `system:discovery`, `system:basic-user` and `system:public-info-viewer` so every authenticated
/// user can discover the API, read /version and health, and review its own access; and the
/// user-facing `admin`, `edit` and `view`, aggregated from `system:aggregate-to-*`.
enum BootstrapPolicy {
    private static let read = ["get", "list", "watch"]
    private static let write = ["create", "update", "patch", "delete", "deletecollection"]
    private static let readWrite = read + write

    /// The default ClusterRoles, each with the bootstrap label and the autoupdate annotation.
    static let clusterRoles: [JSONValue] = [
        role("cluster-admin", rules: [
            PolicyRule(verbs: ["*"], apiGroups: ["*"], resources: ["*"]),
            PolicyRule(verbs: ["*"], nonResourceURLs: ["*"]),
        ]),
        role("system:discovery", rules: [
            PolicyRule(verbs: ["get"], nonResourceURLs: [
                "/api", "/api/*", "/apis", "/apis/*", "/healthz", "/livez", "/openapi", "/openapi/*", "/readyz", "/version", "/version/",
            ]),
        ]),
        role("system:basic-user", rules: [
            PolicyRule(verbs: ["create"], apiGroups: ["authorization.k8s.io"], resources: ["selfsubjectaccessreviews", "selfsubjectrulesreviews"]),
            PolicyRule(verbs: ["create"], apiGroups: ["authentication.k8s.io"], resources: ["selfsubjectreviews"]),
        ]),
        role("system:public-info-viewer", rules: [
            PolicyRule(verbs: ["get"], nonResourceURLs: ["/healthz", "/livez", "/readyz", "/version", "/version/"]),
        ]),
        role("admin", aggregatesFrom: "admin"),
        role("edit", labels: ["rbac.authorization.k8s.io/aggregate-to-admin": "true"], aggregatesFrom: "edit"),
        role("view", labels: ["rbac.authorization.k8s.io/aggregate-to-edit": "true"], aggregatesFrom: "view"),
        role("system:aggregate-to-admin", labels: ["rbac.authorization.k8s.io/aggregate-to-admin": "true"], rules: [
            PolicyRule(verbs: ["create"], apiGroups: ["authorization.k8s.io"], resources: ["localsubjectaccessreviews"]),
            PolicyRule(verbs: readWrite, apiGroups: [RBACPolicy.group], resources: ["rolebindings", "roles"]),
        ]),
        role("system:aggregate-to-edit", labels: ["rbac.authorization.k8s.io/aggregate-to-edit": "true"], rules: [
            PolicyRule(verbs: read, apiGroups: [""], resources: ["pods/attach", "pods/exec", "pods/portforward", "pods/proxy", "secrets", "services/proxy"]),
            PolicyRule(verbs: ["impersonate"], apiGroups: [""], resources: ["serviceaccounts"]),
            PolicyRule(verbs: write, apiGroups: [""], resources: ["pods", "pods/attach", "pods/exec", "pods/portforward", "pods/proxy"]),
            PolicyRule(verbs: ["create"], apiGroups: [""], resources: ["pods/eviction"]),
            PolicyRule(verbs: write, apiGroups: [""], resources: [
                "configmaps", "events", "persistentvolumeclaims", "replicationcontrollers", "replicationcontrollers/scale",
                "secrets", "serviceaccounts", "services", "services/proxy",
            ]),
            PolicyRule(verbs: ["create"], apiGroups: [""], resources: ["serviceaccounts/token"]),
            PolicyRule(verbs: write, apiGroups: ["apps"], resources: [
                "daemonsets", "deployments", "deployments/rollback", "deployments/scale", "replicasets", "replicasets/scale",
                "statefulsets", "statefulsets/scale",
            ]),
            PolicyRule(verbs: write, apiGroups: ["autoscaling"], resources: ["horizontalpodautoscalers"]),
            PolicyRule(verbs: write, apiGroups: ["batch"], resources: ["cronjobs", "jobs"]),
            PolicyRule(verbs: write, apiGroups: ["policy"], resources: ["poddisruptionbudgets"]),
            PolicyRule(verbs: write, apiGroups: ["networking.k8s.io"], resources: ["ingresses", "networkpolicies"]),
            PolicyRule(verbs: readWrite, apiGroups: ["coordination.k8s.io"], resources: ["leases"]),
        ]),
        role("system:aggregate-to-view", labels: ["rbac.authorization.k8s.io/aggregate-to-view": "true"], rules: [
            PolicyRule(verbs: read, apiGroups: [""], resources: [
                "configmaps", "endpoints", "persistentvolumeclaims", "persistentvolumeclaims/status", "pods",
                "replicationcontrollers", "replicationcontrollers/scale", "serviceaccounts", "services", "services/status",
            ]),
            PolicyRule(verbs: read, apiGroups: [""], resources: [
                "bindings", "events", "limitranges", "namespaces/status", "pods/log", "pods/status",
                "replicationcontrollers/status", "resourcequotas", "resourcequotas/status",
            ]),
            PolicyRule(verbs: read, apiGroups: [""], resources: ["namespaces"]),
            PolicyRule(verbs: read, apiGroups: ["discovery.k8s.io"], resources: ["endpointslices"]),
            PolicyRule(verbs: read, apiGroups: ["apps"], resources: [
                "controllerrevisions", "daemonsets", "daemonsets/status", "deployments", "deployments/scale", "deployments/status",
                "replicasets", "replicasets/scale", "replicasets/status", "statefulsets", "statefulsets/scale", "statefulsets/status",
            ]),
            PolicyRule(verbs: read, apiGroups: ["autoscaling"], resources: ["horizontalpodautoscalers", "horizontalpodautoscalers/status"]),
            PolicyRule(verbs: read, apiGroups: ["batch"], resources: ["cronjobs", "cronjobs/status", "jobs", "jobs/status"]),
            PolicyRule(verbs: read, apiGroups: ["policy"], resources: ["poddisruptionbudgets", "poddisruptionbudgets/status"]),
            PolicyRule(verbs: read, apiGroups: ["networking.k8s.io"], resources: ["ingresses", "ingresses/status", "networkpolicies"]),
        ]),
    ]

    /// The default ClusterRoleBindings.
    static let clusterRoleBindings: [JSONValue] = [
        binding("cluster-admin", groups: [UserInfo.mastersGroup]),
        binding("system:discovery", groups: [UserInfo.authenticatedGroup]),
        binding("system:basic-user", groups: [UserInfo.authenticatedGroup]),
        binding("system:public-info-viewer", groups: [UserInfo.authenticatedGroup, UserInfo.unauthenticatedGroup]),
    ]

    /// Stores the default roles and bindings (aggregation fills `admin`, `edit` and `view`).
    static func seed(_ state: inout StoreState, now: Date) {
        for (resource, objects) in [("clusterroles", clusterRoles), ("clusterrolebindings", clusterRoleBindings)] {
            for object in objects {
                state.insertNew(StorageKey(group: RBACPolicy.group, resource: resource), object, generation: false, now: now)
            }
        }
    }

    private static func metadata(_ name: String, _ labels: [String: String]) -> JSONValue {
        [
            "name": .string(name),
            "labels": .object(labels.merging(["kubernetes.io/bootstrapping": "rbac-defaults"]) { $1 }.mapValues { .string($0) }),
            "annotations": ["rbac.authorization.kubernetes.io/autoupdate": "true"],
        ]
    }

    private static func role(_ name: String, labels: [String: String] = [:], rules: [PolicyRule] = [], aggregatesFrom: String? = nil) -> JSONValue {
        var object: JSONValue = [
            "apiVersion": "rbac.authorization.k8s.io/v1", "kind": "ClusterRole", "metadata": metadata(name, labels),
            "rules": .array(rules.map(\.json)),
        ]
        if let aggregatesFrom {
            object["aggregationRule"] = ["clusterRoleSelectors": [["matchLabels": .object(["rbac.authorization.k8s.io/aggregate-to-\(aggregatesFrom)": "true"])]]]
        }
        return object
    }

    private static func binding(_ name: String, groups: [String]) -> JSONValue {
        [
            "apiVersion": "rbac.authorization.k8s.io/v1", "kind": "ClusterRoleBinding", "metadata": metadata(name, [:]),
            "roleRef": ["apiGroup": "rbac.authorization.k8s.io", "kind": "ClusterRole", "name": .string(name)],
            "subjects": .array(groups.map { ["apiGroup": "rbac.authorization.k8s.io", "kind": "Group", "name": .string($0)] }),
        ]
    }
}
