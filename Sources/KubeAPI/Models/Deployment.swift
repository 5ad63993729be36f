/// `apps/v1` Deployment: the fields Tandem reads and sets. The pod template stays JSON, so a
/// typed read never loses container fields; write through `JSONValue` or patches.
public struct Deployment: Codable, Sendable, Hashable, KubeObjectConvertible {
    /// The desired state.
    public struct Spec: Codable, Sendable, Hashable {
        /// Desired pods. Defaults (server side) to 1.
        public var replicas: Int32?
        /// `metav1.LabelSelector` as JSON (`matchLabels`, `matchExpressions`).
        public var selector: JSONValue?
        /// The pod template (`metadata`, `spec`) as JSON.
        public var template: JSONValue?
        /// `RollingUpdate` or `Recreate` and its parameters, as JSON.
        public var strategy: JSONValue?
        /// Seconds a pod must be ready to count as available.
        public var minReadySeconds: Int32?
        /// Old ReplicaSets kept for rollback.
        public var revisionHistoryLimit: Int32?
        /// Seconds before a stalled rollout is reported as failed.
        public var progressDeadlineSeconds: Int32?
        /// True while rollouts are paused.
        public var paused: Bool?

        /// A spec.
        public init(replicas: Int32? = nil, selector: JSONValue? = nil, template: JSONValue? = nil) {
            self.replicas = replicas
            self.selector = selector
            self.template = template
        }
    }

    /// One `apps/v1` DeploymentCondition (`Available`, `Progressing`, `ReplicaFailure`).
    public struct DeploymentCondition: Codable, Sendable, Hashable {
        /// The type.
        public var type: String
        /// The observed state, written by controllers.
        public var status: String
        /// A CamelCase reason.
        public var reason: String?
        /// A human-readable message.
        public var message: String?
        /// When the condition was last updated.
        public var lastUpdateTime: String?
        /// When the status last changed.
        public var lastTransitionTime: String?
    }

    /// The observed state.
    public struct Status: Codable, Sendable, Hashable {
        /// The generation the controller last acted on.
        public var observedGeneration: Int64?
        /// The replica count.
        public var replicas: Int32?
        /// Pods of the newest template.
        public var updatedReplicas: Int32?
        /// Ready pods.
        public var readyReplicas: Int32?
        /// Pods ready for at least minReadySeconds.
        public var availableReplicas: Int32?
        /// Pods not yet available.
        public var unavailableReplicas: Int32?
        /// The conditions.
        public var conditions: [DeploymentCondition]?
    }

    /// The API version (`group/version`).
    public var apiVersion: String? = "apps/v1"
    /// The kind.
    public var kind: String? = "Deployment"
    /// Standard object metadata.
    public var metadata: ObjectMeta
    /// The desired state.
    public var spec: Spec?
    /// The observed state, written by controllers.
    public var status: Status?

    /// A deployment.
    public init(metadata: ObjectMeta, spec: Spec) {
        self.metadata = metadata
        self.spec = spec
    }

    /// True when the controller has seen the newest spec and every desired replica is updated and
    /// available (kubectl's `rollout status` rule).
    public var isRolledOut: Bool {
        guard let status, let generation = metadata.generation, let observed = status.observedGeneration, observed >= generation else { return false }
        let desired = spec?.replicas ?? 1
        return (status.updatedReplicas ?? 0) >= desired && (status.availableReplicas ?? 0) >= desired && (status.replicas ?? 0) == (status.updatedReplicas ?? 0)
    }
}
