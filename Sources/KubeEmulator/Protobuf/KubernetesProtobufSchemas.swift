/// The protobuf tables of the Kubernetes kinds the emulator decodes, and every message they contain.
///
/// The tables cover each listed kind completely (every field of every nested message as of
/// Kubernetes 1.32), so decoding a body never drops a field kubectl 1.32 can send. Fields added
/// in later Kubernetes versions are skipped when decoding.
enum KubernetesProtobufSchemas {
    /// Every table by name (`core.v1.PodSpec`).
    static let messages: [String: ProtobufMessageSchema] = {
        let groups: [[ProtobufMessageSchema]] = [
            metaV1, coreV1, coreV1Pod, coreV1Containers, coreV1Volumes, appsV1, batchV1, networkingV1,
            rbacV1, policyV1, coordinationV1, schedulingV1, autoscalingV1, authenticationV1, authorizationV1,
        ]
        var tables: [String: ProtobufMessageSchema] = [:]
        for table in groups.joined() { tables[table.name] = table }
        return tables
    }()

    /// The top-level kinds, keyed `apiVersion/Kind` (`apps/v1/Deployment`), mapped to their table.
    static let kinds: [String: String] = [
        "v1/Namespace": "core.v1.Namespace",
        "v1/Secret": "core.v1.Secret",
        "v1/ConfigMap": "core.v1.ConfigMap",
        "v1/Service": "core.v1.Service",
        "v1/ServiceAccount": "core.v1.ServiceAccount",
        "v1/Pod": "core.v1.Pod",
        "v1/ResourceQuota": "core.v1.ResourceQuota",
        "apps/v1/Deployment": "apps.v1.Deployment",
        "apps/v1/ReplicaSet": "apps.v1.ReplicaSet",
        "apps/v1/StatefulSet": "apps.v1.StatefulSet",
        "apps/v1/DaemonSet": "apps.v1.DaemonSet",
        "batch/v1/Job": "batch.v1.Job",
        "batch/v1/CronJob": "batch.v1.CronJob",
        "networking.k8s.io/v1/Ingress": "networking.v1.Ingress",
        "rbac.authorization.k8s.io/v1/Role": "rbac.v1.Role",
        "rbac.authorization.k8s.io/v1/ClusterRole": "rbac.v1.ClusterRole",
        "rbac.authorization.k8s.io/v1/RoleBinding": "rbac.v1.RoleBinding",
        "rbac.authorization.k8s.io/v1/ClusterRoleBinding": "rbac.v1.ClusterRoleBinding",
        "policy/v1/PodDisruptionBudget": "policy.v1.PodDisruptionBudget",
        "policy/v1/Eviction": "policy.v1.Eviction",
        "coordination.k8s.io/v1/Lease": "coordination.v1.Lease",
        "scheduling.k8s.io/v1/PriorityClass": "scheduling.v1.PriorityClass",
        "autoscaling/v1/Scale": "autoscaling.v1.Scale",
        "authentication.k8s.io/v1/TokenRequest": "authentication.v1.TokenRequest",
        "authentication.k8s.io/v1/SelfSubjectReview": "authentication.v1.SelfSubjectReview",
        "authorization.k8s.io/v1/SelfSubjectAccessReview": "authorization.v1.SelfSubjectAccessReview",
        "authorization.k8s.io/v1/SelfSubjectRulesReview": "authorization.v1.SelfSubjectRulesReview",
        "authorization.k8s.io/v1/SubjectAccessReview": "authorization.v1.SubjectAccessReview",
        "authorization.k8s.io/v1/LocalSubjectAccessReview": "authorization.v1.LocalSubjectAccessReview",
        // The body of a DELETE from client-go's protobuf clients (Helm's release storage).
        "v1/DeleteOptions": "meta.v1.DeleteOptions",
        "meta.k8s.io/v1/DeleteOptions": "meta.v1.DeleteOptions",
    ]

    /// The table for a top-level kind, or nil when it has none.
    static func table(apiVersion: String, kind: String) -> ProtobufMessageSchema? {
        kinds["\(apiVersion)/\(kind)"].flatMap { messages[$0] }
    }
}
