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
        public var minReadySeconds: Int32?
        public var revisionHistoryLimit: Int32?
        public var progressDeadlineSeconds: Int32?
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
        public var type: String
        public var status: String
        public var reason: String?
        public var message: String?
        public var lastUpdateTime: String?
        public var lastTransitionTime: String?
    }

    /// The observed state.
    public struct Status: Codable, Sendable, Hashable {
        public var observedGeneration: Int64?
        public var replicas: Int32?
        public var updatedReplicas: Int32?
        public var readyReplicas: Int32?
        public var availableReplicas: Int32?
        public var unavailableReplicas: Int32?
        public var conditions: [DeploymentCondition]?
    }

    public var apiVersion: String? = "apps/v1"
    public var kind: String? = "Deployment"
    public var metadata: ObjectMeta
    public var spec: Spec?
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
