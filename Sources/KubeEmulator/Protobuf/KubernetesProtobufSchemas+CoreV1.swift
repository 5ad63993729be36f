// Protobuf tables, one `.init(number, "jsonName", kind, presence)` per field in Go struct order.
// Field numbers and JSON names are those of k8s.io/api and k8s.io/apimachinery generated.proto
// and the Go `json` tags, as compiled into kubectl v1.32 (k8s.io/api v0.32). Presence: `.pointer`
// for Go pointer fields, `.always` for non-pointer fields without `omitempty` and for structs.

extension KubernetesProtobufSchemas {
    /// Tables for core/v1: Namespace, Secret, ConfigMap, Service, ServiceAccount, ResourceQuota and shared references.
    static let coreV1: [ProtobufMessageSchema] = [
        ProtobufMessageSchema("core.v1.NamespaceSpec", [
            .init(1, "finalizers", .list(.string)),
        ]),
        ProtobufMessageSchema("core.v1.NamespaceCondition", [
            .init(1, "type", .string, .always),
            .init(2, "status", .string, .always),
            .init(4, "lastTransitionTime", .time, .always),
            .init(5, "reason", .string),
            .init(6, "message", .string),
        ]),
        ProtobufMessageSchema("core.v1.NamespaceStatus", [
            .init(1, "phase", .string),
            .init(2, "conditions", .list(.message("core.v1.NamespaceCondition"))),
        ]),
        ProtobufMessageSchema("core.v1.Namespace", [
            .init(1, "metadata", .message("meta.v1.ObjectMeta"), .always),
            .init(2, "spec", .message("core.v1.NamespaceSpec"), .always),
            .init(3, "status", .message("core.v1.NamespaceStatus"), .always),
        ]),
        ProtobufMessageSchema("core.v1.Secret", [
            .init(1, "metadata", .message("meta.v1.ObjectMeta"), .always),
            .init(5, "immutable", .bool, .pointer),
            .init(2, "data", .map(.bytes)),
            .init(4, "stringData", .map(.string)),
            .init(3, "type", .string),
        ]),
        ProtobufMessageSchema("core.v1.ConfigMap", [
            .init(1, "metadata", .message("meta.v1.ObjectMeta"), .always),
            .init(4, "immutable", .bool, .pointer),
            .init(2, "data", .map(.string)),
            .init(3, "binaryData", .map(.bytes)),
        ]),
        ProtobufMessageSchema("core.v1.ServicePort", [
            .init(1, "name", .string),
            .init(2, "protocol", .string),
            .init(6, "appProtocol", .string, .pointer),
            .init(3, "port", .int32, .always),
            .init(4, "targetPort", .intOrString, .always),
            .init(5, "nodePort", .int32),
        ]),
        ProtobufMessageSchema("core.v1.ClientIPConfig", [
            .init(1, "timeoutSeconds", .int32, .pointer),
        ]),
        ProtobufMessageSchema("core.v1.SessionAffinityConfig", [
            .init(1, "clientIP", .message("core.v1.ClientIPConfig"), .pointer),
        ]),
        ProtobufMessageSchema("core.v1.ServiceSpec", [
            .init(1, "ports", .list(.message("core.v1.ServicePort"))),
            .init(2, "selector", .map(.string)),
            .init(3, "clusterIP", .string),
            .init(18, "clusterIPs", .list(.string)),
            .init(4, "type", .string),
            .init(5, "externalIPs", .list(.string)),
            .init(7, "sessionAffinity", .string),
            .init(8, "loadBalancerIP", .string),
            .init(9, "loadBalancerSourceRanges", .list(.string)),
            .init(10, "externalName", .string),
            .init(11, "externalTrafficPolicy", .string),
            .init(12, "healthCheckNodePort", .int32),
            .init(13, "publishNotReadyAddresses", .bool),
            .init(14, "sessionAffinityConfig", .message("core.v1.SessionAffinityConfig"), .pointer),
            .init(19, "ipFamilies", .list(.string)),
            .init(17, "ipFamilyPolicy", .string, .pointer),
            .init(20, "allocateLoadBalancerNodePorts", .bool, .pointer),
            .init(21, "loadBalancerClass", .string, .pointer),
            .init(22, "internalTrafficPolicy", .string, .pointer),
            .init(23, "trafficDistribution", .string, .pointer),
        ]),
        ProtobufMessageSchema("core.v1.PortStatus", [
            .init(1, "port", .int32, .always),
            .init(2, "protocol", .string, .always),
            .init(3, "error", .string, .pointer),
        ]),
        ProtobufMessageSchema("core.v1.LoadBalancerIngress", [
            .init(1, "ip", .string),
            .init(2, "hostname", .string),
            .init(3, "ipMode", .string, .pointer),
            .init(4, "ports", .list(.message("core.v1.PortStatus"))),
        ]),
        ProtobufMessageSchema("core.v1.LoadBalancerStatus", [
            .init(1, "ingress", .list(.message("core.v1.LoadBalancerIngress"))),
        ]),
        ProtobufMessageSchema("core.v1.ServiceStatus", [
            .init(1, "loadBalancer", .message("core.v1.LoadBalancerStatus"), .always),
            .init(2, "conditions", .list(.message("meta.v1.Condition"))),
        ]),
        ProtobufMessageSchema("core.v1.Service", [
            .init(1, "metadata", .message("meta.v1.ObjectMeta"), .always),
            .init(2, "spec", .message("core.v1.ServiceSpec"), .always),
            .init(3, "status", .message("core.v1.ServiceStatus"), .always),
        ]),
        ProtobufMessageSchema("core.v1.ObjectReference", [
            .init(1, "kind", .string),
            .init(2, "namespace", .string),
            .init(3, "name", .string),
            .init(4, "uid", .string),
            .init(5, "apiVersion", .string),
            .init(6, "resourceVersion", .string),
            .init(7, "fieldPath", .string),
        ]),
        ProtobufMessageSchema("core.v1.ServiceAccount", [
            .init(1, "metadata", .message("meta.v1.ObjectMeta"), .always),
            .init(2, "secrets", .list(.message("core.v1.ObjectReference"))),
            .init(3, "imagePullSecrets", .list(.message("core.v1.LocalObjectReference"))),
            .init(4, "automountServiceAccountToken", .bool, .pointer),
        ]),
        ProtobufMessageSchema("core.v1.ScopedResourceSelectorRequirement", [
            .init(1, "scopeName", .string, .always),
            .init(2, "operator", .string, .always),
            .init(3, "values", .list(.string)),
        ]),
        ProtobufMessageSchema("core.v1.ScopeSelector", [
            .init(1, "matchExpressions", .list(.message("core.v1.ScopedResourceSelectorRequirement"))),
        ]),
        ProtobufMessageSchema("core.v1.ResourceQuotaSpec", [
            .init(1, "hard", .map(.quantity)),
            .init(2, "scopes", .list(.string)),
            .init(3, "scopeSelector", .message("core.v1.ScopeSelector"), .pointer),
        ]),
        ProtobufMessageSchema("core.v1.ResourceQuotaStatus", [
            .init(1, "hard", .map(.quantity)),
            .init(2, "used", .map(.quantity)),
        ]),
        ProtobufMessageSchema("core.v1.ResourceQuota", [
            .init(1, "metadata", .message("meta.v1.ObjectMeta"), .always),
            .init(2, "spec", .message("core.v1.ResourceQuotaSpec"), .always),
            .init(3, "status", .message("core.v1.ResourceQuotaStatus"), .always),
        ]),
        ProtobufMessageSchema("core.v1.PodTemplateSpec", [
            .init(1, "metadata", .message("meta.v1.ObjectMeta"), .always),
            .init(2, "spec", .message("core.v1.PodSpec"), .always),
        ]),
    ]
}
