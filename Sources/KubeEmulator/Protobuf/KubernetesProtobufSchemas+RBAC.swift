// Protobuf tables, one `.init(number, "jsonName", kind, presence)` per field in Go struct order.
// Field numbers and JSON names are those of k8s.io/api and k8s.io/apimachinery generated.proto
// and the Go `json` tags, as compiled into kubectl v1.32 (k8s.io/api v0.32). Presence: `.pointer`
// for Go pointer fields, `.always` for non-pointer fields without `omitempty` and for structs.

extension KubernetesProtobufSchemas {
    /// Tables for rbac.authorization.k8s.io/v1: Role, ClusterRole, RoleBinding, ClusterRoleBinding.
    static let rbacV1: [ProtobufMessageSchema] = [
        ProtobufMessageSchema("rbac.v1.PolicyRule", [
            .init(1, "verbs", .list(.string)),
            .init(2, "apiGroups", .list(.string)),
            .init(3, "resources", .list(.string)),
            .init(4, "resourceNames", .list(.string)),
            .init(5, "nonResourceURLs", .list(.string)),
        ]),
        ProtobufMessageSchema("rbac.v1.Role", [
            .init(1, "metadata", .message("meta.v1.ObjectMeta"), .always),
            .init(2, "rules", .list(.message("rbac.v1.PolicyRule"))),
        ]),
        ProtobufMessageSchema("rbac.v1.AggregationRule", [
            .init(1, "clusterRoleSelectors", .list(.message("meta.v1.LabelSelector"))),
        ]),
        ProtobufMessageSchema("rbac.v1.ClusterRole", [
            .init(1, "metadata", .message("meta.v1.ObjectMeta"), .always),
            .init(2, "rules", .list(.message("rbac.v1.PolicyRule"))),
            .init(3, "aggregationRule", .message("rbac.v1.AggregationRule"), .pointer),
        ]),
        ProtobufMessageSchema("rbac.v1.Subject", [
            .init(1, "kind", .string, .always),
            .init(2, "apiGroup", .string),
            .init(3, "name", .string, .always),
            .init(4, "namespace", .string),
        ]),
        ProtobufMessageSchema("rbac.v1.RoleRef", [
            .init(1, "apiGroup", .string, .always),
            .init(2, "kind", .string, .always),
            .init(3, "name", .string, .always),
        ]),
        ProtobufMessageSchema("rbac.v1.RoleBinding", [
            .init(1, "metadata", .message("meta.v1.ObjectMeta"), .always),
            .init(2, "subjects", .list(.message("rbac.v1.Subject"))),
            .init(3, "roleRef", .message("rbac.v1.RoleRef"), .always),
        ]),
        ProtobufMessageSchema("rbac.v1.ClusterRoleBinding", [
            .init(1, "metadata", .message("meta.v1.ObjectMeta"), .always),
            .init(2, "subjects", .list(.message("rbac.v1.Subject"))),
            .init(3, "roleRef", .message("rbac.v1.RoleRef"), .always),
        ]),
    ]
}
