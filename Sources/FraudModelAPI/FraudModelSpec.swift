/// The desired state of a fraud model served from every member cluster (`FraudModel.spec`).
///
/// Decoding applies `FraudModelDefaults` to absent fields, so a decoded spec is complete.
/// Decode through `FraudModel(json:)`, which also validates and names every problem's path.
public struct FraudModelSpec: Codable, Sendable, Hashable {
    /// The model version to serve (required, a valid image tag): `MODEL_VERSION`, the
    /// `{version}` of storage URIs, and the image tag unless `image.tag` is set.
    public var modelVersion: String
    /// The image, without registry: each cluster's registry is prefixed (required).
    public var image: ImageSpec
    /// Pods per cluster, 0…1000. Defaults to 3. `spec.clusters[].replicas` overrides it.
    public var replicas: Int
    /// The model file's SHA-256 (64 lowercase hex digits); replicas refuse readiness on mismatch.
    public var modelSHA256: String?
    /// The decision threshold, 0…1. Defaults to 0.5.
    public var threshold: Double
    /// CPU and memory requests and limits of the `fraud-server` container.
    public var resources: ResourceRequirements?
    /// The port fraud-server listens on, 1…65535. Defaults to 8080.
    public var port: Int
    /// Where the model file is: inside the image (`MODEL_PATH`) or in an object store
    /// (`MODEL_URI`), and its format (`MODEL_FORMAT`); optional.
    public var model: ModelSource?
    /// Per-cluster overrides. When present, only the listed member clusters serve the model;
    /// when absent, every member cluster does.
    public var clusters: [ClusterOverride]?
    /// How a new version moves across clusters. Every field has a default.
    public var rollout: RolloutSpec
    /// The DNS name and routing policy clients reach the model through; optional. Without
    /// it each cluster's Service is a plain `ClusterIP` one.
    public var traffic: TrafficSpec?

    /// A spec; every defaulted field defaults as documented on `FraudModelDefaults`.
    public init(
        modelVersion: String, image: ImageSpec, replicas: Int = FraudModelDefaults.replicas, modelSHA256: String? = nil,
        threshold: Double = FraudModelDefaults.threshold, resources: ResourceRequirements? = nil,
        port: Int = FraudModelDefaults.port, model: ModelSource? = nil, clusters: [ClusterOverride]? = nil,
        rollout: RolloutSpec = RolloutSpec(), traffic: TrafficSpec? = nil
    ) {
        self.modelVersion = modelVersion
        self.image = image
        self.replicas = replicas
        self.modelSHA256 = modelSHA256
        self.threshold = threshold
        self.resources = resources
        self.port = port
        self.model = model
        self.clusters = clusters
        self.rollout = rollout
        self.traffic = traffic
    }

    private enum CodingKeys: String, CodingKey {
        case modelVersion, image, replicas, modelSHA256, threshold, resources, port, model, clusters, rollout, traffic
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        modelVersion = try c.decode(String.self, forKey: .modelVersion)
        image = try c.decode(ImageSpec.self, forKey: .image)
        replicas = try c.decodeIfPresent(Int.self, forKey: .replicas) ?? FraudModelDefaults.replicas
        modelSHA256 = try c.decodeIfPresent(String.self, forKey: .modelSHA256)
        threshold = try c.decodeIfPresent(Double.self, forKey: .threshold) ?? FraudModelDefaults.threshold
        resources = try c.decodeIfPresent(ResourceRequirements.self, forKey: .resources)
        port = try c.decodeIfPresent(Int.self, forKey: .port) ?? FraudModelDefaults.port
        model = try c.decodeIfPresent(ModelSource.self, forKey: .model)
        clusters = try c.decodeIfPresent([ClusterOverride].self, forKey: .clusters)
        rollout = try c.decodeIfPresent(RolloutSpec.self, forKey: .rollout) ?? RolloutSpec()
        traffic = try c.decodeIfPresent(TrafficSpec.self, forKey: .traffic)
    }

    /// The override for `cluster`, if `spec.clusters` lists it.
    public func override(for cluster: String) -> ClusterOverride? {
        clusters?.first { $0.name == cluster }
    }

    /// The replicas `cluster` runs: its override, else `replicas`.
    public func replicas(for cluster: String) -> Int {
        override(for: cluster)?.replicas ?? replicas
    }

    /// The per-cluster storage URI templates (`spec.clusters[].model.storageUri`) by cluster
    /// name; nil when no cluster sets one.
    public var clusterStorageURIs: [String: String]? {
        let overrides = (clusters ?? []).reduce(into: [String: String]()) { result, cluster in
            if let uri = cluster.model?.storageURI { result[cluster.name] = uri }
        }
        return overrides.isEmpty ? nil : overrides
    }
}

/// The container image of fraud-server, without registry (`spec.image`).
public struct ImageSpec: Codable, Sendable, Hashable {
    /// The repository inside each cluster's registry, e.g. `fraud-detector` (required).
    public var repository: String
    /// The image tag (a valid image tag). Defaults to `spec.modelVersion`, for images that
    /// carry their model. Required with a storage URI: the model then comes from the store and
    /// the image stays the same across model versions. Part of the revision when set.
    public var tag: String?
    /// The image pull policy. Defaults to `IfNotPresent`.
    public var pullPolicy: PullPolicy

    /// An image spec; `pullPolicy` defaults to `IfNotPresent`, `tag` to the model version.
    public init(repository: String, tag: String? = nil, pullPolicy: PullPolicy = FraudModelDefaults.pullPolicy) {
        self.repository = repository
        self.tag = tag
        self.pullPolicy = pullPolicy
    }

    private enum CodingKeys: String, CodingKey { case repository, tag, pullPolicy }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        repository = try c.decode(String.self, forKey: .repository)
        tag = try c.decodeIfPresent(String.self, forKey: .tag)
        pullPolicy = try c.decodeIfPresent(PullPolicy.self, forKey: .pullPolicy) ?? FraudModelDefaults.pullPolicy
    }
}

/// `corev1.PullPolicy`.
public enum PullPolicy: String, Codable, Sendable, Hashable, CaseIterable {
    case always = "Always"
    case ifNotPresent = "IfNotPresent"
    case never = "Never"
}

/// Requests and limits of the serving container (`spec.resources`), as Kubernetes quantities
/// (`"500m"`, `"1Gi"`; a bare integer in YAML is read as its decimal string).
public struct ResourceRequirements: Codable, Sendable, Hashable {
    /// Resource name (`cpu`, `memory`) to the most the container may use.
    public var limits: [String: String]?
    /// Resource name to what the scheduler reserves.
    public var requests: [String: String]?

    /// Requirements.
    public init(limits: [String: String]? = nil, requests: [String: String]? = nil) {
        self.limits = limits
        self.requests = requests
    }

    private enum CodingKeys: String, CodingKey { case limits, requests }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        limits = try c.decodeIfPresent([String: Quantity].self, forKey: .limits)?.mapValues(\.text)
        requests = try c.decodeIfPresent([String: Quantity].self, forKey: .requests)?.mapValues(\.text)
    }

    /// A quantity is an int-or-string on the wire.
    private struct Quantity: Decodable {
        var text: String
        init(from decoder: any Decoder) throws {
            let c = try decoder.singleValueContainer()
            if let number = try? c.decode(Int64.self) { text = String(number) } else { text = try c.decode(String.self) }
        }
    }
}

/// Where the model file lives (`spec.model`): in the image, or in an object store.
public struct ModelSource: Codable, Sendable, Hashable {
    /// The path of the model file inside the image (`MODEL_PATH`). Not allowed with a storage
    /// URI, which replaces the file in the image.
    public var path: String?
    /// Where every target cluster downloads the model from at start (`MODEL_URI`), a
    /// ``StorageURITemplate`` whose `{version}` is the revision's model version, e.g.
    /// `s3://fraud-models/fraud-detector/{version}/model.json`;
    /// `spec.clusters[].model.storageUri` overrides it per cluster. Part of the revision.
    public var storageURI: String?
    /// The model format (`MODEL_FORMAT`): a ``ModelFormat`` name, `xgboost_json`,
    /// `lightgbm_text` or `onnx`. Kept as text so a copy stored before the schema's enum decodes and is
    /// reported as an invalid spec rather than dropped.
    public var format: String?

    /// A model source.
    public init(path: String? = nil, storageURI: String? = nil, format: String? = nil) {
        self.path = path
        self.storageURI = storageURI
        self.format = format
    }

    private enum CodingKeys: String, CodingKey {
        case path, format
        case storageURI = "storageUri"
    }
}

/// Where one cluster's model comes from (`spec.clusters[].model`), so that EKS reads S3 and
/// GKE reads GCS.
public struct ClusterModelSource: Codable, Sendable, Hashable {
    /// This cluster's storage URI template, instead of `spec.model.storageUri`. Part of the
    /// revision.
    public var storageURI: String?

    /// A cluster's model source.
    public init(storageURI: String? = nil) {
        self.storageURI = storageURI
    }

    private enum CodingKeys: String, CodingKey {
        case storageURI = "storageUri"
    }
}

/// One entry of `spec.clusters`: a member cluster that serves the model, with overrides.
public struct ClusterOverride: Codable, Sendable, Hashable {
    /// The member cluster's name from the operator configuration (a DNS label; required).
    public var name: String
    /// Replicas in this cluster, 0…1000; defaults to `spec.replicas`.
    public var replicas: Int?
    /// The image registry in this cluster; defaults to the operator configuration's registry.
    public var registry: String?
    /// Where this cluster's model comes from; defaults to `spec.model`.
    public var model: ClusterModelSource?

    /// An override.
    public init(name: String, replicas: Int? = nil, registry: String? = nil, model: ClusterModelSource? = nil) {
        self.name = name
        self.replicas = replicas
        self.registry = registry
        self.model = model
    }
}
