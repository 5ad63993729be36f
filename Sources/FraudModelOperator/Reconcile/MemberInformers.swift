import FraudModelAPI
import FraudModelPlanning
import KubeAPI
import KubeRuntime

/// The informers the operator reads in one member cluster: FraudModels, Deployments,
/// Services, the pods it made (selected by `app.kubernetes.io/managed-by`), and
/// ServiceAccounts where it applies them.
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
    /// ServiceAccounts, all of them (like Deployments and Services, so that one of the same
    /// name the operator did not make is seen and left alone); nil where the operator applies
    /// none, so that it needs no access to them there.
    public let serviceAccounts: Informer?

    /// The informers FraudModel reconciles read, shared through `cluster` (in `namespace`, or
    /// all); ServiceAccounts only when `watchesServiceAccounts`.
    public init(cluster: Cluster, namespace: String?, watchesServiceAccounts: Bool = false) {
        self.cluster = cluster
        fraudModels = cluster.informer(for: FraudModelResource.descriptor, namespace: namespace)
        deployments = cluster.informer(for: .deployments, namespace: namespace)
        services = cluster.informer(for: .services, namespace: namespace)
        serviceAccounts = watchesServiceAccounts ? cluster.informer(for: .serviceAccounts, namespace: namespace) : nil
        let managed = LabelSelector(matchLabels: [ServingLabels.managedBy: ServingLabels.manager])
        pods = cluster.informer(for: .pods, namespace: namespace, labelSelector: managed, transform: Self.podEssentials)
    }

    /// What the operator reads of a pod — its identity, labels and why its containers wait —
    /// and nothing else, so that caching every serving pod costs little memory.
    static let podEssentials: @Sendable (JSONValue) -> JSONValue = { pod in
        var metadata: [String: JSONValue] = [:]
        for key in ["name", "namespace", "uid", "resourceVersion", "labels", "deletionTimestamp"] {
            metadata[key] = pod[path: ["metadata", key]]
        }
        var status: [String: JSONValue] = [:]
        for key in ["initContainerStatuses", "containerStatuses"] {
            guard let statuses = pod[path: ["status", key]]?.arrayValue else { continue }
            status[key] = .array(statuses.map { container in
                var kept: JSONValue = ["name": container["name"] ?? ""]
                if let waiting = container[path: ["state", "waiting"]] { kept[path: ["state", "waiting"]] = waiting }
                return kept
            })
        }
        return ["metadata": .object(metadata), "status": .object(status)]
    }

    /// Every informer has listed once.
    public var hasSynced: Bool {
        fraudModels.hasSynced && deployments.hasSynced && services.hasSynced && pods.hasSynced && serviceAccounts?.hasSynced != false
    }
}
