/// `coordination.k8s.io/v1` Lease: the lock of leader election.
public struct Lease: Codable, Sendable, Hashable, KubeObjectConvertible {
    /// Who holds the lease and until when.
    public struct Spec: Codable, Sendable, Hashable {
        /// The holder's identity.
        public var holderIdentity: String?
        /// How long the holder may keep the lease without renewing.
        public var leaseDurationSeconds: Int32?
        /// When the current holder acquired it (`MicroTime`, RFC 3339 with microseconds).
        public var acquireTime: String?
        /// When the holder last renewed it (`MicroTime`).
        public var renewTime: String?
        /// How many times the lease changed hands.
        public var leaseTransitions: Int32?

        /// A spec.
        public init(holderIdentity: String? = nil, leaseDurationSeconds: Int32? = nil, acquireTime: String? = nil,
                    renewTime: String? = nil, leaseTransitions: Int32? = nil) {
            self.holderIdentity = holderIdentity
            self.leaseDurationSeconds = leaseDurationSeconds
            self.acquireTime = acquireTime
            self.renewTime = renewTime
            self.leaseTransitions = leaseTransitions
        }
    }

    /// The API version (`group/version`).
    public var apiVersion: String? = "coordination.k8s.io/v1"
    /// The kind.
    public var kind: String? = "Lease"
    /// Standard object metadata.
    public var metadata: ObjectMeta
    /// The desired state.
    public var spec: Spec?

    /// A lease.
    public init(metadata: ObjectMeta, spec: Spec) {
        self.metadata = metadata
        self.spec = spec
    }
}
