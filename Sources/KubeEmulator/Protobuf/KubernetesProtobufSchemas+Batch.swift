// Protobuf tables, one `.init(number, "jsonName", kind, presence)` per field in Go struct order.
// Field numbers and JSON names are those of k8s.io/api and k8s.io/apimachinery generated.proto
// and the Go `json` tags, as compiled into kubectl v1.32 (k8s.io/api v0.32). Presence: `.pointer`
// for Go pointer fields, `.always` for non-pointer fields without `omitempty` and for structs.

extension KubernetesProtobufSchemas {
    /// Tables for batch/v1: Job, CronJob.
    static let batchV1: [ProtobufMessageSchema] = [
        ProtobufMessageSchema("batch.v1.PodFailurePolicyOnExitCodesRequirement", [
            .init(1, "containerName", .string, .pointer),
            .init(2, "operator", .string, .always),
            .init(3, "values", .list(.int32)),
        ]),
        ProtobufMessageSchema("batch.v1.PodFailurePolicyOnPodConditionsPattern", [
            .init(1, "type", .string, .always),
            .init(2, "status", .string, .always),
        ]),
        ProtobufMessageSchema("batch.v1.PodFailurePolicyRule", [
            .init(1, "action", .string, .always),
            .init(2, "onExitCodes", .message("batch.v1.PodFailurePolicyOnExitCodesRequirement"), .pointer),
            .init(3, "onPodConditions", .list(.message("batch.v1.PodFailurePolicyOnPodConditionsPattern"))),
        ]),
        ProtobufMessageSchema("batch.v1.PodFailurePolicy", [
            .init(1, "rules", .list(.message("batch.v1.PodFailurePolicyRule"))),
        ]),
        ProtobufMessageSchema("batch.v1.SuccessPolicyRule", [
            .init(1, "succeededIndexes", .string, .pointer),
            .init(2, "succeededCount", .int32, .pointer),
        ]),
        ProtobufMessageSchema("batch.v1.SuccessPolicy", [
            .init(1, "rules", .list(.message("batch.v1.SuccessPolicyRule"))),
        ]),
        ProtobufMessageSchema("batch.v1.JobSpec", [
            .init(1, "parallelism", .int32, .pointer),
            .init(2, "completions", .int32, .pointer),
            .init(3, "activeDeadlineSeconds", .int64, .pointer),
            .init(11, "podFailurePolicy", .message("batch.v1.PodFailurePolicy"), .pointer),
            .init(16, "successPolicy", .message("batch.v1.SuccessPolicy"), .pointer),
            .init(7, "backoffLimit", .int32, .pointer),
            .init(12, "backoffLimitPerIndex", .int32, .pointer),
            .init(13, "maxFailedIndexes", .int32, .pointer),
            .init(4, "selector", .message("meta.v1.LabelSelector"), .pointer),
            .init(5, "manualSelector", .bool, .pointer),
            .init(6, "template", .message("core.v1.PodTemplateSpec"), .always),
            .init(8, "ttlSecondsAfterFinished", .int32, .pointer),
            .init(9, "completionMode", .string, .pointer),
            .init(10, "suspend", .bool, .pointer),
            .init(14, "podReplacementPolicy", .string, .pointer),
            .init(15, "managedBy", .string, .pointer),
        ]),
        ProtobufMessageSchema("batch.v1.JobCondition", [
            .init(1, "type", .string, .always),
            .init(2, "status", .string, .always),
            .init(3, "lastProbeTime", .time, .always),
            .init(4, "lastTransitionTime", .time, .always),
            .init(5, "reason", .string),
            .init(6, "message", .string),
        ]),
        ProtobufMessageSchema("batch.v1.UncountedTerminatedPods", [
            .init(1, "succeeded", .list(.string)),
            .init(2, "failed", .list(.string)),
        ]),
        ProtobufMessageSchema("batch.v1.JobStatus", [
            .init(1, "conditions", .list(.message("batch.v1.JobCondition"))),
            .init(2, "startTime", .time, .pointer),
            .init(3, "completionTime", .time, .pointer),
            .init(4, "active", .int32),
            .init(5, "succeeded", .int32),
            .init(6, "failed", .int32),
            .init(11, "terminating", .int32, .pointer),
            .init(7, "completedIndexes", .string),
            .init(10, "failedIndexes", .string, .pointer),
            .init(8, "uncountedTerminatedPods", .message("batch.v1.UncountedTerminatedPods"), .pointer),
            .init(9, "ready", .int32, .pointer),
        ]),
        ProtobufMessageSchema("batch.v1.Job", [
            .init(1, "metadata", .message("meta.v1.ObjectMeta"), .always),
            .init(2, "spec", .message("batch.v1.JobSpec"), .always),
            .init(3, "status", .message("batch.v1.JobStatus"), .always),
        ]),
        ProtobufMessageSchema("batch.v1.JobTemplateSpec", [
            .init(1, "metadata", .message("meta.v1.ObjectMeta"), .always),
            .init(2, "spec", .message("batch.v1.JobSpec"), .always),
        ]),
        ProtobufMessageSchema("batch.v1.CronJobSpec", [
            .init(1, "schedule", .string, .always),
            .init(8, "timeZone", .string, .pointer),
            .init(2, "startingDeadlineSeconds", .int64, .pointer),
            .init(3, "concurrencyPolicy", .string),
            .init(4, "suspend", .bool, .pointer),
            .init(5, "jobTemplate", .message("batch.v1.JobTemplateSpec"), .always),
            .init(6, "successfulJobsHistoryLimit", .int32, .pointer),
            .init(7, "failedJobsHistoryLimit", .int32, .pointer),
        ]),
        ProtobufMessageSchema("batch.v1.CronJobStatus", [
            .init(1, "active", .list(.message("core.v1.ObjectReference"))),
            .init(4, "lastScheduleTime", .time, .pointer),
            .init(5, "lastSuccessfulTime", .time, .pointer),
        ]),
        ProtobufMessageSchema("batch.v1.CronJob", [
            .init(1, "metadata", .message("meta.v1.ObjectMeta"), .always),
            .init(2, "spec", .message("batch.v1.CronJobSpec"), .always),
            .init(3, "status", .message("batch.v1.CronJobStatus"), .always),
        ]),
    ]
}
