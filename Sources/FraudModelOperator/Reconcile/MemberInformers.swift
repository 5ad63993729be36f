import FraudModelAPI
import KubeAPI
import KubeRuntime

/// The informers the operator reads in one member cluster: FraudModels, Deployments,
/// Services, and the pods it made (selected by `app.kubernetes.io/managed-by`).
public struct MemberInformers: Sendable {
    /// The cluster.
    public let cluster: Cluster
    /// FraudModels.
    public let fraudModels: Informer
    /// Deployments.
    public let deployments: Informer
    /// Services.
    public let services: Informer
    /// Pods carrying `app.kubernetes.io/managed-by: tandem-operator`.
    public let pods: Informer

    /// The informers FraudModel reconciles read, shared through `cluster` (in `namespace`, or all).
    public init(cluster: Cluster, namespace: String?) {
        self.cluster = cluster
        fraudModels = cluster.informer(for: FraudModelResource.descriptor, namespace: namespace)
        deployments = cluster.informer(for: .deployments, namespace: namespace)
        services = cluster.informer(for: .services, namespace: namespace)
        let managed = LabelSelector(matchLabels: [ServingLabels.managedBy: ServingLabels.manager])
        pods = cluster.informer(for: .pods, namespace: namespace, labelSelector: managed)
    }

    /// Every informer has listed once.
    public var hasSynced: Bool {
        fraudModels.hasSynced && deployments.hasSynced && services.hasSynced && pods.hasSynced
    }
}
