// Protobuf tables, one `.init(number, "jsonName", kind, presence)` per field in Go struct order.
// Field numbers and JSON names are those of k8s.io/api and k8s.io/apimachinery generated.proto
// and the Go `json` tags, as compiled into kubectl v1.32 (k8s.io/api v0.32). Presence: `.pointer`
// for Go pointer fields, `.always` for non-pointer fields without `omitempty` and for structs.

extension KubernetesProtobufSchemas {
    /// Tables for apps/v1: Deployment, ReplicaSet, StatefulSet, DaemonSet.
    static let appsV1: [ProtobufMessageSchema] = [
        ProtobufMessageSchema("apps.v1.RollingUpdateDeployment", [
            .init(1, "maxUnavailable", .intOrString, .pointer),
            .init(2, "maxSurge", .intOrString, .pointer),
        ]),
        ProtobufMessageSchema("apps.v1.DeploymentStrategy", [
            .init(1, "type", .string),
            .init(2, "rollingUpdate", .message("apps.v1.RollingUpdateDeployment"), .pointer),
        ]),
        ProtobufMessageSchema("apps.v1.DeploymentSpec", [
            .init(1, "replicas", .int32, .pointer),
            .init(2, "selector", .message("meta.v1.LabelSelector"), .pointer),
            .init(3, "template", .message("core.v1.PodTemplateSpec"), .always),
            .init(4, "strategy", .message("apps.v1.DeploymentStrategy"), .always),
            .init(5, "minReadySeconds", .int32),
            .init(6, "revisionHistoryLimit", .int32, .pointer),
            .init(7, "paused", .bool),
            .init(9, "progressDeadlineSeconds", .int32, .pointer),
        ]),
        ProtobufMessageSchema("apps.v1.DeploymentCondition", [
            .init(1, "type", .string, .always),
            .init(2, "status", .string, .always),
            .init(6, "lastUpdateTime", .time, .always),
            .init(7, "lastTransitionTime", .time, .always),
            .init(4, "reason", .string),
            .init(5, "message", .string),
        ]),
        ProtobufMessageSchema("apps.v1.DeploymentStatus", [
            .init(1, "observedGeneration", .int64),
            .init(2, "replicas", .int32),
            .init(3, "updatedReplicas", .int32),
            .init(7, "readyReplicas", .int32),
            .init(4, "availableReplicas", .int32),
            .init(5, "unavailableReplicas", .int32),
            .init(6, "conditions", .list(.message("apps.v1.DeploymentCondition"))),
            .init(8, "collisionCount", .int32, .pointer),
        ]),
        ProtobufMessageSchema("apps.v1.Deployment", [
            .init(1, "metadata", .message("meta.v1.ObjectMeta"), .always),
            .init(2, "spec", .message("apps.v1.DeploymentSpec"), .always),
            .init(3, "status", .message("apps.v1.DeploymentStatus"), .always),
        ]),
        ProtobufMessageSchema("apps.v1.ReplicaSetSpec", [
            .init(1, "replicas", .int32, .pointer),
            .init(4, "minReadySeconds", .int32),
            .init(2, "selector", .message("meta.v1.LabelSelector"), .pointer),
            .init(3, "template", .message("core.v1.PodTemplateSpec"), .always),
        ]),
        ProtobufMessageSchema("apps.v1.ReplicaSetCondition", [
            .init(1, "type", .string, .always),
            .init(2, "status", .string, .always),
            .init(3, "lastTransitionTime", .time, .always),
            .init(4, "reason", .string),
            .init(5, "message", .string),
        ]),
        ProtobufMessageSchema("apps.v1.ReplicaSetStatus", [
            .init(1, "replicas", .int32, .always),
            .init(2, "fullyLabeledReplicas", .int32),
            .init(4, "readyReplicas", .int32),
            .init(5, "availableReplicas", .int32),
            .init(3, "observedGeneration", .int64),
            .init(6, "conditions", .list(.message("apps.v1.ReplicaSetCondition"))),
        ]),
        ProtobufMessageSchema("apps.v1.ReplicaSet", [
            .init(1, "metadata", .message("meta.v1.ObjectMeta"), .always),
            .init(2, "spec", .message("apps.v1.ReplicaSetSpec"), .always),
            .init(3, "status", .message("apps.v1.ReplicaSetStatus"), .always),
        ]),
        ProtobufMessageSchema("apps.v1.RollingUpdateStatefulSetStrategy", [
            .init(1, "partition", .int32, .pointer),
            .init(2, "maxUnavailable", .intOrString, .pointer),
        ]),
        ProtobufMessageSchema("apps.v1.StatefulSetUpdateStrategy", [
            .init(1, "type", .string),
            .init(2, "rollingUpdate", .message("apps.v1.RollingUpdateStatefulSetStrategy"), .pointer),
        ]),
        ProtobufMessageSchema("apps.v1.StatefulSetPersistentVolumeClaimRetentionPolicy", [
            .init(1, "whenDeleted", .string),
            .init(2, "whenScaled", .string),
        ]),
        ProtobufMessageSchema("apps.v1.StatefulSetOrdinals", [
            .init(1, "start", .int32, .always),
        ]),
        ProtobufMessageSchema("apps.v1.StatefulSetSpec", [
            .init(1, "replicas", .int32, .pointer),
            .init(2, "selector", .message("meta.v1.LabelSelector"), .pointer),
            .init(3, "template", .message("core.v1.PodTemplateSpec"), .always),
            .init(4, "volumeClaimTemplates", .list(.message("core.v1.PersistentVolumeClaim"))),
            .init(5, "serviceName", .string, .always),
            .init(6, "podManagementPolicy", .string),
            .init(7, "updateStrategy", .message("apps.v1.StatefulSetUpdateStrategy"), .always),
            .init(8, "revisionHistoryLimit", .int32, .pointer),
            .init(9, "minReadySeconds", .int32),
            .init(10, "persistentVolumeClaimRetentionPolicy", .message("apps.v1.StatefulSetPersistentVolumeClaimRetentionPolicy"), .pointer),
            .init(11, "ordinals", .message("apps.v1.StatefulSetOrdinals"), .pointer),
        ]),
        ProtobufMessageSchema("apps.v1.StatefulSetCondition", [
            .init(1, "type", .string, .always),
            .init(2, "status", .string, .always),
            .init(3, "lastTransitionTime", .time, .always),
            .init(4, "reason", .string),
            .init(5, "message", .string),
        ]),
        ProtobufMessageSchema("apps.v1.StatefulSetStatus", [
            .init(1, "observedGeneration", .int64),
            .init(2, "replicas", .int32, .always),
            .init(3, "readyReplicas", .int32),
            .init(4, "currentReplicas", .int32),
            .init(5, "updatedReplicas", .int32),
            .init(6, "currentRevision", .string),
            .init(7, "updateRevision", .string),
            .init(9, "collisionCount", .int32, .pointer),
            .init(10, "conditions", .list(.message("apps.v1.StatefulSetCondition"))),
            .init(11, "availableReplicas", .int32, .always),
        ]),
        ProtobufMessageSchema("apps.v1.StatefulSet", [
            .init(1, "metadata", .message("meta.v1.ObjectMeta"), .always),
            .init(2, "spec", .message("apps.v1.StatefulSetSpec"), .always),
            .init(3, "status", .message("apps.v1.StatefulSetStatus"), .always),
        ]),
        ProtobufMessageSchema("apps.v1.RollingUpdateDaemonSet", [
            .init(1, "maxUnavailable", .intOrString, .pointer),
            .init(2, "maxSurge", .intOrString, .pointer),
        ]),
        ProtobufMessageSchema("apps.v1.DaemonSetUpdateStrategy", [
            .init(1, "type", .string),
            .init(2, "rollingUpdate", .message("apps.v1.RollingUpdateDaemonSet"), .pointer),
        ]),
        ProtobufMessageSchema("apps.v1.DaemonSetSpec", [
            .init(1, "selector", .message("meta.v1.LabelSelector"), .pointer),
            .init(2, "template", .message("core.v1.PodTemplateSpec"), .always),
            .init(3, "updateStrategy", .message("apps.v1.DaemonSetUpdateStrategy"), .always),
            .init(4, "minReadySeconds", .int32),
            .init(6, "revisionHistoryLimit", .int32, .pointer),
        ]),
        ProtobufMessageSchema("apps.v1.DaemonSetCondition", [
            .init(1, "type", .string, .always),
            .init(2, "status", .string, .always),
            .init(3, "lastTransitionTime", .time, .always),
            .init(4, "reason", .string),
            .init(5, "message", .string),
        ]),
        ProtobufMessageSchema("apps.v1.DaemonSetStatus", [
            .init(1, "currentNumberScheduled", .int32, .always),
            .init(2, "numberMisscheduled", .int32, .always),
            .init(3, "desiredNumberScheduled", .int32, .always),
            .init(4, "numberReady", .int32, .always),
            .init(5, "observedGeneration", .int64),
            .init(6, "updatedNumberScheduled", .int32),
            .init(7, "numberAvailable", .int32),
            .init(8, "numberUnavailable", .int32),
            .init(9, "collisionCount", .int32, .pointer),
            .init(10, "conditions", .list(.message("apps.v1.DaemonSetCondition"))),
        ]),
        ProtobufMessageSchema("apps.v1.DaemonSet", [
            .init(1, "metadata", .message("meta.v1.ObjectMeta"), .always),
            .init(2, "spec", .message("apps.v1.DaemonSetSpec"), .always),
            .init(3, "status", .message("apps.v1.DaemonSetStatus"), .always),
        ]),
    ]
}
