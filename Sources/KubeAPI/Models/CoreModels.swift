/// `v1` Namespace.
public struct Namespace: Codable, Sendable, Hashable, KubeObjectConvertible {
    /// The namespace's lifecycle phase.
    public struct Status: Codable, Sendable, Hashable {
        /// `Active` or `Terminating`.
        public var phase: String?
    }

    /// The API version (`group/version`).
    public var apiVersion: String? = "v1"
    /// The kind.
    public var kind: String? = "Namespace"
    /// Standard object metadata.
    public var metadata: ObjectMeta
    /// The observed state, written by controllers.
    public var status: Status?

    /// A namespace named `name`.
    public init(name: String, labels: [String: String]? = nil) {
        self.metadata = ObjectMeta(name: name, labels: labels)
    }
}

/// `v1` ConfigMap.
public struct ConfigMap: Codable, Sendable, Hashable, KubeObjectConvertible {
    /// The API version (`group/version`).
    public var apiVersion: String? = "v1"
    /// The kind.
    public var kind: String? = "ConfigMap"
    /// Standard object metadata.
    public var metadata: ObjectMeta
    /// UTF-8 entries.
    public var data: [String: String]?
    /// Binary entries, base64 encoded.
    public var binaryData: [String: String]?

    /// A ConfigMap with `data`.
    public init(metadata: ObjectMeta, data: [String: String]? = nil) {
        self.metadata = metadata
        self.data = data
    }
}

/// `v1` Secret, metadata and type only: Tandem never decodes secret values into a model,
/// so they cannot end up in logs or descriptions by accident.
public struct SecretMetadata: Codable, Sendable, Hashable, KubeObjectConvertible {
    /// The API version (`group/version`).
    public var apiVersion: String? = "v1"
    /// The kind.
    public var kind: String? = "Secret"
    /// Standard object metadata.
    public var metadata: ObjectMeta
    /// The secret type (`Opaque`, `kubernetes.io/dockerconfigjson`, …).
    public var type: String?

    /// Secret metadata.
    public init(metadata: ObjectMeta, type: String? = nil) {
        self.metadata = metadata
        self.type = type
    }
}

/// Any object's apiVersion, kind and metadata (`PartialObjectMetadata`): enough to find, own and
/// label objects of kinds without a model.
public struct PartialObjectMetadata: Codable, Sendable, Hashable, KubeObjectConvertible {
    /// The API version (`group/version`).
    public var apiVersion: String?
    /// The kind.
    public var kind: String?
    /// Standard object metadata.
    public var metadata: ObjectMeta

    /// Metadata of an object of the given kind.
    public init(apiVersion: String? = nil, kind: String? = nil, metadata: ObjectMeta) {
        self.apiVersion = apiVersion
        self.kind = kind
        self.metadata = metadata
    }
}

/// `v1` Service (the fields Tandem sets and reads).
public struct Service: Codable, Sendable, Hashable, KubeObjectConvertible {
    /// One port the service exposes.
    public struct Port: Codable, Sendable, Hashable {
        /// The name.
        public var name: String?
        /// `TCP` (default), `UDP` or `SCTP`.
        public var `protocol`: String?
        /// The port number.
        public var port: Int32
        /// A port number or name on the pods (`IntOrString`).
        public var targetPort: JSONValue?
        /// The node port (NodePort and LoadBalancer services).
        public var nodePort: Int32?

        /// A TCP port forwarding to `targetPort` (defaults to the same number).
        public init(name: String? = nil, port: Int32, targetPort: JSONValue? = nil) {
            self.name = name
            self.port = port
            self.targetPort = targetPort
        }
    }

    /// The desired service.
    public struct Spec: Codable, Sendable, Hashable {
        /// `ClusterIP`, `NodePort`, `LoadBalancer` or `ExternalName`.
        public var type: String?
        /// The label selector of the pods.
        public var selector: [String: String]?
        /// The exposed ports.
        public var ports: [Port]?
        /// The virtual IP (`None` for headless).
        public var clusterIP: String?

        /// A spec selecting pods by label.
        public init(type: String? = nil, selector: [String: String]? = nil, ports: [Port]? = nil) {
            self.type = type
            self.selector = selector
            self.ports = ports
        }
    }

    /// The observed load balancer, if any.
    public struct Status: Codable, Sendable, Hashable {
        /// `status.loadBalancer`, kept as JSON.
        public var loadBalancer: JSONValue?
    }

    /// The API version (`group/version`).
    public var apiVersion: String? = "v1"
    /// The kind.
    public var kind: String? = "Service"
    /// Standard object metadata.
    public var metadata: ObjectMeta
    /// The desired state.
    public var spec: Spec?
    /// The observed state, written by controllers.
    public var status: Status?

    /// A service.
    public init(metadata: ObjectMeta, spec: Spec) {
        self.metadata = metadata
        self.spec = spec
    }
}
