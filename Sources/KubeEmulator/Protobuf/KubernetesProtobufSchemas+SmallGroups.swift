// Protobuf tables, one `.init(number, "jsonName", kind, presence)` per field in Go struct order.
// Field numbers and JSON names are those of k8s.io/api and k8s.io/apimachinery generated.proto
// and the Go `json` tags, as compiled into kubectl v1.32 (k8s.io/api v0.32). Presence: `.pointer`
// for Go pointer fields, `.always` for non-pointer fields without `omitempty` and for structs.

extension KubernetesProtobufSchemas {
    /// Tables for networking.k8s.io/v1: Ingress.
    static let networkingV1: [ProtobufMessageSchema] = [
        ProtobufMessageSchema("networking.v1.ServiceBackendPort", [
            .init(1, "name", .string),
            .init(2, "number", .int32),
        ]),
        ProtobufMessageSchema("networking.v1.IngressServiceBackend", [
            .init(1, "name", .string, .always),
            .init(2, "port", .message("networking.v1.ServiceBackendPort"), .always),
        ]),
        ProtobufMessageSchema("networking.v1.IngressBackend", [
            .init(4, "service", .message("networking.v1.IngressServiceBackend"), .pointer),
            .init(3, "resource", .message("core.v1.TypedLocalObjectReference"), .pointer),
        ]),
        ProtobufMessageSchema("networking.v1.IngressTLS", [
            .init(1, "hosts", .list(.string)),
            .init(2, "secretName", .string),
        ]),
        ProtobufMessageSchema("networking.v1.HTTPIngressPath", [
            .init(1, "path", .string),
            .init(3, "pathType", .string, .pointer),
            .init(2, "backend", .message("networking.v1.IngressBackend"), .always),
        ]),
        ProtobufMessageSchema("networking.v1.HTTPIngressRuleValue", [
            .init(1, "paths", .list(.message("networking.v1.HTTPIngressPath"))),
        ]),
        ProtobufMessageSchema("networking.v1.IngressRuleValue", [
            .init(1, "http", .message("networking.v1.HTTPIngressRuleValue"), .pointer),
        ]),
        ProtobufMessageSchema("networking.v1.IngressRule", [
            .init(1, "host", .string),
            .init(2, "ingressRuleValue", .inline("networking.v1.IngressRuleValue")),
        ]),
        ProtobufMessageSchema("networking.v1.IngressSpec", [
            .init(4, "ingressClassName", .string, .pointer),
            .init(1, "defaultBackend", .message("networking.v1.IngressBackend"), .pointer),
            .init(2, "tls", .list(.message("networking.v1.IngressTLS"))),
            .init(3, "rules", .list(.message("networking.v1.IngressRule"))),
        ]),
        ProtobufMessageSchema("networking.v1.IngressPortStatus", [
            .init(1, "port", .int32, .always),
            .init(2, "protocol", .string, .always),
            .init(3, "error", .string, .pointer),
        ]),
        ProtobufMessageSchema("networking.v1.IngressLoadBalancerIngress", [
            .init(1, "ip", .string),
            .init(2, "hostname", .string),
            .init(4, "ports", .list(.message("networking.v1.IngressPortStatus"))),
        ]),
        ProtobufMessageSchema("networking.v1.IngressLoadBalancerStatus", [
            .init(1, "ingress", .list(.message("networking.v1.IngressLoadBalancerIngress"))),
        ]),
        ProtobufMessageSchema("networking.v1.IngressStatus", [
            .init(1, "loadBalancer", .message("networking.v1.IngressLoadBalancerStatus"), .always),
        ]),
        ProtobufMessageSchema("networking.v1.Ingress", [
            .init(1, "metadata", .message("meta.v1.ObjectMeta"), .always),
            .init(2, "spec", .message("networking.v1.IngressSpec"), .always),
            .init(3, "status", .message("networking.v1.IngressStatus"), .always),
        ]),
    ]

    /// Tables for policy/v1: PodDisruptionBudget, Eviction.
    static let policyV1: [ProtobufMessageSchema] = [
        ProtobufMessageSchema("policy.v1.PodDisruptionBudgetSpec", [
            .init(1, "minAvailable", .intOrString, .pointer),
            .init(2, "selector", .message("meta.v1.LabelSelector"), .pointer),
            .init(3, "maxUnavailable", .intOrString, .pointer),
            .init(4, "unhealthyPodEvictionPolicy", .string, .pointer),
        ]),
        ProtobufMessageSchema("policy.v1.PodDisruptionBudgetStatus", [
            .init(1, "observedGeneration", .int64),
            .init(2, "disruptedPods", .map(.time)),
            .init(3, "disruptionsAllowed", .int32, .always),
            .init(4, "currentHealthy", .int32, .always),
            .init(5, "desiredHealthy", .int32, .always),
            .init(6, "expectedPods", .int32, .always),
            .init(7, "conditions", .list(.message("meta.v1.Condition"))),
        ]),
        ProtobufMessageSchema("policy.v1.PodDisruptionBudget", [
            .init(1, "metadata", .message("meta.v1.ObjectMeta"), .always),
            .init(2, "spec", .message("policy.v1.PodDisruptionBudgetSpec"), .always),
            .init(3, "status", .message("policy.v1.PodDisruptionBudgetStatus"), .always),
        ]),
        ProtobufMessageSchema("policy.v1.Eviction", [
            .init(1, "metadata", .message("meta.v1.ObjectMeta"), .always),
            .init(2, "deleteOptions", .message("meta.v1.DeleteOptions"), .pointer),
        ]),
    ]

    /// Tables for coordination.k8s.io/v1: Lease.
    static let coordinationV1: [ProtobufMessageSchema] = [
        ProtobufMessageSchema("coordination.v1.LeaseSpec", [
            .init(1, "holderIdentity", .string, .pointer),
            .init(2, "leaseDurationSeconds", .int32, .pointer),
            .init(3, "acquireTime", .microTime, .pointer),
            .init(4, "renewTime", .microTime, .pointer),
            .init(5, "leaseTransitions", .int32, .pointer),
            .init(6, "strategy", .string, .pointer),
            .init(7, "preferredHolder", .string, .pointer),
        ]),
        ProtobufMessageSchema("coordination.v1.Lease", [
            .init(1, "metadata", .message("meta.v1.ObjectMeta"), .always),
            .init(2, "spec", .message("coordination.v1.LeaseSpec"), .always),
        ]),
    ]

    /// Tables for scheduling.k8s.io/v1: PriorityClass.
    static let schedulingV1: [ProtobufMessageSchema] = [
        ProtobufMessageSchema("scheduling.v1.PriorityClass", [
            .init(1, "metadata", .message("meta.v1.ObjectMeta"), .always),
            .init(2, "value", .int32, .always),
            .init(3, "globalDefault", .bool),
            .init(4, "description", .string),
            .init(5, "preemptionPolicy", .string, .pointer),
        ]),
    ]

    /// Tables for autoscaling/v1: Scale.
    static let autoscalingV1: [ProtobufMessageSchema] = [
        ProtobufMessageSchema("autoscaling.v1.ScaleSpec", [
            .init(1, "replicas", .int32),
        ]),
        ProtobufMessageSchema("autoscaling.v1.ScaleStatus", [
            .init(1, "replicas", .int32, .always),
            .init(2, "selector", .string),
        ]),
        ProtobufMessageSchema("autoscaling.v1.Scale", [
            .init(1, "metadata", .message("meta.v1.ObjectMeta"), .always),
            .init(2, "spec", .message("autoscaling.v1.ScaleSpec"), .always),
            .init(3, "status", .message("autoscaling.v1.ScaleStatus"), .always),
        ]),
    ]
}
