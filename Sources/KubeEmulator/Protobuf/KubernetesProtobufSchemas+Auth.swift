// Protobuf tables, one `.init(number, "jsonName", kind, presence)` per field in Go struct order.
// Field numbers and JSON names are those of k8s.io/api and k8s.io/apimachinery generated.proto
// and the Go `json` tags, as compiled into kubectl v1.32 (k8s.io/api v0.32). Presence: `.pointer`
// for Go pointer fields, `.always` for non-pointer fields without `omitempty` and for structs.

extension KubernetesProtobufSchemas {
    /// Tables for authentication.k8s.io/v1: TokenRequest and SelfSubjectReview.
    static let authenticationV1: [ProtobufMessageSchema] = [
        ProtobufMessageSchema("authentication.v1.UserInfo", [
            .init(1, "username", .string),
            .init(2, "uid", .string),
            .init(3, "groups", .list(.string)),
            .init(4, "extra", .map(.stringList)),
        ]),
        ProtobufMessageSchema("authentication.v1.SelfSubjectReviewStatus", [
            .init(1, "userInfo", .message("authentication.v1.UserInfo")),
        ]),
        ProtobufMessageSchema("authentication.v1.SelfSubjectReview", [
            .init(1, "metadata", .message("meta.v1.ObjectMeta"), .always),
            .init(2, "status", .message("authentication.v1.SelfSubjectReviewStatus"), .always),
        ]),
        ProtobufMessageSchema("authentication.v1.BoundObjectReference", [
            .init(1, "kind", .string),
            .init(2, "apiVersion", .string),
            .init(3, "name", .string),
            .init(4, "uid", .string),
        ]),
        ProtobufMessageSchema("authentication.v1.TokenRequestSpec", [
            .init(1, "audiences", .list(.string)),
            .init(4, "expirationSeconds", .int64, .pointer),
            .init(3, "boundObjectRef", .message("authentication.v1.BoundObjectReference"), .pointer),
        ]),
        ProtobufMessageSchema("authentication.v1.TokenRequestStatus", [
            .init(1, "token", .string, .always),
            .init(2, "expirationTimestamp", .time, .always),
        ]),
        ProtobufMessageSchema("authentication.v1.TokenRequest", [
            .init(1, "metadata", .message("meta.v1.ObjectMeta"), .always),
            .init(2, "spec", .message("authentication.v1.TokenRequestSpec"), .always),
            .init(3, "status", .message("authentication.v1.TokenRequestStatus"), .always),
        ]),
    ]

    /// Tables for authorization.k8s.io/v1: SubjectAccessReview and friends.
    static let authorizationV1: [ProtobufMessageSchema] = [
        ProtobufMessageSchema("authorization.v1.FieldSelectorAttributes", [
            .init(1, "rawSelector", .string),
            .init(2, "requirements", .list(.message("meta.v1.FieldSelectorRequirement"))),
        ]),
        ProtobufMessageSchema("authorization.v1.LabelSelectorAttributes", [
            .init(1, "rawSelector", .string),
            .init(2, "requirements", .list(.message("meta.v1.LabelSelectorRequirement"))),
        ]),
        ProtobufMessageSchema("authorization.v1.ResourceAttributes", [
            .init(1, "namespace", .string),
            .init(2, "verb", .string),
            .init(3, "group", .string),
            .init(4, "version", .string),
            .init(5, "resource", .string),
            .init(6, "subresource", .string),
            .init(7, "name", .string),
            .init(8, "fieldSelector", .message("authorization.v1.FieldSelectorAttributes"), .pointer),
            .init(9, "labelSelector", .message("authorization.v1.LabelSelectorAttributes"), .pointer),
        ]),
        ProtobufMessageSchema("authorization.v1.NonResourceAttributes", [
            .init(1, "path", .string),
            .init(2, "verb", .string),
        ]),
        ProtobufMessageSchema("authorization.v1.SelfSubjectAccessReviewSpec", [
            .init(1, "resourceAttributes", .message("authorization.v1.ResourceAttributes"), .pointer),
            .init(2, "nonResourceAttributes", .message("authorization.v1.NonResourceAttributes"), .pointer),
        ]),
        ProtobufMessageSchema("authorization.v1.SubjectAccessReviewStatus", [
            .init(1, "allowed", .bool, .always),
            .init(4, "denied", .bool),
            .init(2, "reason", .string),
            .init(3, "evaluationError", .string),
        ]),
        ProtobufMessageSchema("authorization.v1.SelfSubjectAccessReview", [
            .init(1, "metadata", .message("meta.v1.ObjectMeta"), .always),
            .init(2, "spec", .message("authorization.v1.SelfSubjectAccessReviewSpec"), .always),
            .init(3, "status", .message("authorization.v1.SubjectAccessReviewStatus"), .always),
        ]),
        ProtobufMessageSchema("authorization.v1.SubjectAccessReviewSpec", [
            .init(1, "resourceAttributes", .message("authorization.v1.ResourceAttributes"), .pointer),
            .init(2, "nonResourceAttributes", .message("authorization.v1.NonResourceAttributes"), .pointer),
            .init(3, "user", .string),
            .init(4, "groups", .list(.string)),
            .init(5, "extra", .map(.stringList)),
            .init(6, "uid", .string),
        ]),
        ProtobufMessageSchema("authorization.v1.SubjectAccessReview", [
            .init(1, "metadata", .message("meta.v1.ObjectMeta"), .always),
            .init(2, "spec", .message("authorization.v1.SubjectAccessReviewSpec"), .always),
            .init(3, "status", .message("authorization.v1.SubjectAccessReviewStatus"), .always),
        ]),
        ProtobufMessageSchema("authorization.v1.SelfSubjectRulesReviewSpec", [
            .init(1, "namespace", .string),
        ]),
        ProtobufMessageSchema("authorization.v1.ResourceRule", [
            .init(1, "verbs", .list(.string)),
            .init(2, "apiGroups", .list(.string)),
            .init(3, "resources", .list(.string)),
            .init(4, "resourceNames", .list(.string)),
        ]),
        ProtobufMessageSchema("authorization.v1.NonResourceRule", [
            .init(1, "verbs", .list(.string)),
            .init(2, "nonResourceURLs", .list(.string)),
        ]),
        ProtobufMessageSchema("authorization.v1.SubjectRulesReviewStatus", [
            .init(1, "resourceRules", .list(.message("authorization.v1.ResourceRule"))),
            .init(2, "nonResourceRules", .list(.message("authorization.v1.NonResourceRule"))),
            .init(3, "incomplete", .bool, .always),
            .init(4, "evaluationError", .string),
        ]),
        ProtobufMessageSchema("authorization.v1.SelfSubjectRulesReview", [
            .init(1, "metadata", .message("meta.v1.ObjectMeta"), .always),
            .init(2, "spec", .message("authorization.v1.SelfSubjectRulesReviewSpec"), .always),
            .init(3, "status", .message("authorization.v1.SubjectRulesReviewStatus"), .always),
        ]),
        ProtobufMessageSchema("authorization.v1.LocalSubjectAccessReview", [
            .init(1, "metadata", .message("meta.v1.ObjectMeta"), .always),
            .init(2, "spec", .message("authorization.v1.SubjectAccessReviewSpec"), .always),
            .init(3, "status", .message("authorization.v1.SubjectAccessReviewStatus"), .always),
        ]),
    ]
}
