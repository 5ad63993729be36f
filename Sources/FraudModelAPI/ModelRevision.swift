/// Everything that belongs to one model version: what the staged rollout moves cluster by
/// cluster, what the bake judges, and what a rollback restores.
///
/// Two revisions are the same only when every field is: changing `threshold` or
/// `modelSHA256` under the same `modelVersion` is a new revision and rolls out like one.
/// `replicas`, `port`, `resources`, the pull policy and `spec.traffic` are not part of it:
/// they describe how the model is run, not what answers, and apply to every cluster at once.
public struct ModelRevision: Codable, Sendable, Hashable, CustomStringConvertible {
    /// The model version: the image tag and `MODEL_VERSION`.
    public var version: String
    /// The image repository inside each cluster's registry.
    public var repository: String
    /// The expected SHA-256 of the model file (`MODEL_SHA256`), if checked.
    public var modelSHA256: String?
    /// The model file's path (`MODEL_PATH`), if not fraud-server's default.
    public var modelPath: String?
    /// The model file's format (`MODEL_FORMAT`), if not detected.
    public var modelFormat: String?
    /// The decision threshold (`THRESHOLD`).
    public var threshold: Double

    /// A revision.
    public init(
        version: String, repository: String, modelSHA256: String? = nil, modelPath: String? = nil, modelFormat: String? = nil,
        threshold: Double = FraudModelDefaults.threshold
    ) {
        self.version = version
        self.repository = repository
        self.modelSHA256 = modelSHA256
        self.modelPath = modelPath
        self.modelFormat = modelFormat
        self.threshold = threshold
    }

    /// The revision a FraudModel spec asks for.
    public init(spec: FraudModelSpec) {
        self.init(
            version: spec.modelVersion, repository: spec.image.repository, modelSHA256: spec.modelSHA256,
            modelPath: spec.model?.path, modelFormat: spec.model?.format, threshold: spec.threshold)
    }

    /// The version: what messages and status columns show.
    public var description: String { version }

    /// A 16-hex-digit digest of every field (FNV-1a), stable across processes and releases:
    /// the `tandem.dev/revision` annotation of the pod template, and how status names a
    /// revision.
    public var digest: String {
        let fields = [version, repository, modelSHA256 ?? "", modelPath ?? "", modelFormat ?? "", "\(threshold)"]
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in fields.joined(separator: "\u{1F}").utf8 {
            hash = (hash ^ UInt64(byte)) &* 0x0000_0100_0000_01b3
        }
        let hex = String(hash, radix: 16)
        return String(repeating: "0", count: 16 - hex.count) + hex
    }

    /// `<registry>/<repository>:<version>`.
    public func image(registry: String) -> String {
        "\(registry)/\(repository):\(version)"
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
