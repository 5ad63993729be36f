// Protobuf tables, one `.init(number, "jsonName", kind, presence)` per field in Go struct order.
// Field numbers and JSON names are those of k8s.io/api and k8s.io/apimachinery generated.proto
// and the Go `json` tags, as compiled into kubectl v1.32 (k8s.io/api v0.32). Presence: `.pointer`
// for Go pointer fields, `.always` for non-pointer fields without `omitempty` and for structs.

extension KubernetesProtobufSchemas {
    /// Tables for meta/v1 (k8s.io/apimachinery): ObjectMeta, LabelSelector, OwnerReference, Condition.
    static let metaV1: [ProtobufMessageSchema] = [
        ProtobufMessageSchema("meta.v1.OwnerReference", [
            .init(5, "apiVersion", .string, .always),
            .init(1, "kind", .string, .always),
            .init(3, "name", .string, .always),
            .init(4, "uid", .string, .always),
            .init(6, "controller", .bool, .pointer),
            .init(7, "blockOwnerDeletion", .bool, .pointer),
        ]),
        ProtobufMessageSchema("meta.v1.ManagedFieldsEntry", [
            .init(1, "manager", .string),
            .init(2, "operation", .string),
            .init(3, "apiVersion", .string),
            .init(4, "time", .time, .pointer),
            .init(6, "fieldsType", .string),
            .init(7, "fieldsV1", .rawJSON, .pointer),
            .init(8, "subresource", .string),
        ]),
        ProtobufMessageSchema("meta.v1.ObjectMeta", [
            .init(1, "name", .string),
            .init(2, "generateName", .string),
            .init(3, "namespace", .string),
            .init(4, "selfLink", .string),
            .init(5, "uid", .string),
            .init(6, "resourceVersion", .string),
            .init(7, "generation", .int64),
            .init(8, "creationTimestamp", .time, .always),
            .init(9, "deletionTimestamp", .time, .pointer),
            .init(10, "deletionGracePeriodSeconds", .int64, .pointer),
            .init(11, "labels", .map(.string)),
            .init(12, "annotations", .map(.string)),
            .init(13, "ownerReferences", .list(.message("meta.v1.OwnerReference"))),
            .init(14, "finalizers", .list(.string)),
            .init(17, "managedFields", .list(.message("meta.v1.ManagedFieldsEntry"))),
        ]),
        ProtobufMessageSchema("meta.v1.Condition", [
            .init(1, "type", .string, .always),
            .init(2, "status", .string, .always),
            .init(3, "observedGeneration", .int64),
            .init(4, "lastTransitionTime", .time, .always),
            .init(5, "reason", .string, .always),
            .init(6, "message", .string, .always),
        ]),
        ProtobufMessageSchema("meta.v1.LabelSelectorRequirement", [
            .init(1, "key", .string, .always),
            .init(2, "operator", .string, .always),
            .init(3, "values", .list(.string)),
        ]),
        ProtobufMessageSchema("meta.v1.LabelSelector", [
            .init(1, "matchLabels", .map(.string)),
            .init(2, "matchExpressions", .list(.message("meta.v1.LabelSelectorRequirement"))),
        ]),
        ProtobufMessageSchema("meta.v1.Preconditions", [
            .init(1, "uid", .string, .pointer),
            .init(2, "resourceVersion", .string, .pointer),
        ]),
        ProtobufMessageSchema("meta.v1.DeleteOptions", [
            .init(1, "gracePeriodSeconds", .int64, .pointer),
            .init(2, "preconditions", .message("meta.v1.Preconditions"), .pointer),
            .init(3, "orphanDependents", .bool, .pointer),
            .init(4, "propagationPolicy", .string, .pointer),
            .init(5, "dryRun", .list(.string)),
            .init(6, "ignoreStoreReadErrorWithClusterBreakingPotential", .bool, .pointer),
        ]),
        ProtobufMessageSchema("meta.v1.FieldSelectorRequirement", [
            .init(1, "key", .string, .always),
            .init(2, "operator", .string, .always),
            .init(3, "values", .list(.string)),
        ]),
    ]
}
