/// Everything that belongs to one model version: what the staged rollout moves cluster by
/// cluster, what the bake judges, and what a rollback restores.
///
/// Two revisions are the same only when every field is: changing `threshold`, `modelSHA256`
/// or a storage URI under the same `modelVersion` is a new revision and rolls out like one.
/// The storage URIs of every cluster belong to the one revision, so a new GKE URI also moves
/// EKS's pods to the new revision (their own URI unchanged) as the rollout reaches EKS.
/// `replicas`, `port`, `resources`, the pull policy and `spec.traffic` are not part of it:
/// they describe how the model is run, not what answers, and apply to every cluster at once.
public struct ModelRevision: Codable, Sendable, Hashable, CustomStringConvertible {
    /// The model version: `MODEL_VERSION`, the `{version}` of storage URIs, and the image
    /// tag unless `imageTag` is set.
    public var version: String
    /// The image repository inside each cluster's registry.
    public var repository: String
    /// The image tag (`spec.image.tag`), if not `version`.
    public var imageTag: String?
    /// The storage URI template every cluster downloads the model from (`spec.model.storageUri`), if any.
    public var storageURI: String?
    /// Per-cluster storage URI templates (`spec.clusters[].model.storageUri`) by cluster name, if any.
    public var clusterStorageURIs: [String: String]?
    /// The expected SHA-256 of the model file (`MODEL_SHA256`), if checked.
    public var modelSHA256: String?
    /// The model file's path (`MODEL_PATH`), if not fraud-server's default.
    public var modelPath: String?
    /// The model file's format (`MODEL_FORMAT`), if not detected.
    public var modelFormat: String?
    /// The decision threshold (`THRESHOLD`).
    public var threshold: Double

    /// A revision; an empty `clusterStorageURIs` counts as none.
    public init(
        version: String, repository: String, imageTag: String? = nil, modelSHA256: String? = nil, modelPath: String? = nil,
        storageURI: String? = nil, clusterStorageURIs: [String: String]? = nil, modelFormat: String? = nil,
        threshold: Double = FraudModelDefaults.threshold
    ) {
        self.version = version
        self.repository = repository
        self.imageTag = imageTag
        self.modelSHA256 = modelSHA256
        self.modelPath = modelPath
        self.storageURI = storageURI
        self.clusterStorageURIs = clusterStorageURIs?.isEmpty == true ? nil : clusterStorageURIs
        self.modelFormat = modelFormat
        self.threshold = threshold
    }

    /// The revision a FraudModel spec asks for.
    public init(spec: FraudModelSpec) {
        self.init(
            version: spec.modelVersion, repository: spec.image.repository, imageTag: spec.image.tag, modelSHA256: spec.modelSHA256,
            modelPath: spec.model?.path, storageURI: spec.model?.storageURI, clusterStorageURIs: spec.clusterStorageURIs,
            modelFormat: spec.model?.format, threshold: spec.threshold)
    }

    private enum CodingKeys: String, CodingKey {
        case version, repository, imageTag, modelSHA256, modelPath, modelFormat, threshold
        case storageURI = "storageUri"
        case clusterStorageURIs = "clusterStorageUris"
    }

    /// The version: what messages and status columns show.
    public var description: String { version }

    /// A 16-hex-digit digest of every field (FNV-1a), stable across processes and releases:
    /// the `tandem.dev/revision` annotation of the pod template, and how status names a
    /// revision.
    ///
    /// # Guarantees
    /// - A revision without `imageTag` and storage URIs has the digest releases before those
    ///   fields gave it: they are hashed only when set (each with its name, so no two fields
    ///   can be mistaken for each other), and an operator upgrade restarts no pod.
    public var digest: String {
        var fields = [version, repository, modelSHA256 ?? "", modelPath ?? "", modelFormat ?? "", "\(threshold)"]
        if let imageTag { fields.append("imageTag=\(imageTag)") }
        if let storageURI { fields.append("storageUri=\(storageURI)") }
        for (cluster, uri) in (clusterStorageURIs ?? [:]).sorted(by: { $0.key < $1.key }) {
            fields.append("storageUri[\(cluster)]=\(uri)")
        }
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in fields.joined(separator: "\u{1F}").utf8 {
            hash = (hash ^ UInt64(byte)) &* 0x0000_0100_0000_01b3
        }
        let hex = String(hash, radix: 16)
        return String(repeating: "0", count: 16 - hex.count) + hex
    }

    /// The image tag: `imageTag`, else `version`.
    public var tag: String { imageTag ?? version }

    /// `<registry>/<repository>:<tag>`.
    public func image(registry: String) -> String {
        "\(registry)/\(repository):\(tag)"
    }

    /// The storage URI template of `cluster`: its own, else the fleet's; nil when the model
    /// comes from the image.
    public func storageURITemplate(for cluster: String) -> String? {
        clusterStorageURIs?[cluster] ?? storageURI
    }

    /// Where `cluster` downloads the model (`MODEL_URI`): its template with `{version}`
    /// resolved; nil when the model comes from the image.
    public func modelURI(for cluster: String) -> String? {
        storageURITemplate(for: cluster).map { StorageURITemplate.resolve($0, version: version) }
    }
}

/// A revision that served ready in every target cluster, kept in `status.revisions` so that a
/// rollback restores exactly what last served.
public struct ServedRevision: Codable, Sendable, Hashable {
    /// What ran.
    public var revision: ModelRevision
    /// When every target cluster first served it ready (RFC 3339).
    public var servedAt: String?

    /// A record.
    public init(revision: ModelRevision, servedAt: String?) {
        self.revision = revision
        self.servedAt = servedAt
    }

    private enum CodingKeys: String, CodingKey {
        case digest, servedAt
    }

    /// Reads the revision's fields and `servedAt` from one object.
    public init(from decoder: any Decoder) throws {
        revision = try ModelRevision(from: decoder)
        servedAt = try decoder.container(keyedBy: CodingKeys.self).decodeIfPresent(String.self, forKey: .servedAt)
    }

    /// Writes the revision's fields, its digest and `servedAt` as one object.
    public func encode(to encoder: any Encoder) throws {
        try revision.encode(to: encoder)
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(revision.digest, forKey: .digest)
        try container.encodeIfPresent(servedAt, forKey: .servedAt)
    }
}
