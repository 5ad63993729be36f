import KubeAPI

/// The fleet-wide observed state, written into every copy of a FraudModel (`FraudModel.status`).
///
/// Every field is optional on the wire; a decoded status keeps unknown phase strings out
/// (they read as nil) rather than failing, because status is rewritten by the operator anyway.
public struct FraudModelStatus: Codable, Sendable, Hashable {
    /// The `metadata.generation` of this copy that the status was computed from.
    public var observedGeneration: Int64?
    /// The fleet's phase.
    public var phase: FleetPhase?
    /// The version every target cluster serves with all replicas ready; nil while they differ.
    public var servingVersion: String?
    /// `"ready/total"` target clusters serving their desired version ready, e.g. `"2/2"`.
    public var readyClusters: String?
    /// The newest version every target cluster served ready: the rollback target.
    public var lastGoodVersion: String?
    /// A version whose rollout failed; not retried until `spec.modelVersion` or the
    /// `tandem.dev/retry` annotation changes.
    public var failedVersion: String?
    /// The value of the `tandem.dev/retry` annotation when `failedVersion` was recorded
    /// (an extension of issue 7's list: it is how a change of the annotation is noticed).
    public var failedRetry: String?
    /// The digest of the revision that failed (`ModelRevision.digest`): the same version with
    /// other content (a corrected checksum) is a new revision and is tried.
    public var failedRevision: String?
    /// The revisions that served ready in every target cluster, newest first, at most
    /// ``FraudModelStatus/revisionHistoryLimit``: the first is `lastGoodVersion`'s, which a
    /// rollback restores exactly.
    public var revisions: [ServedRevision]?
    /// Ready pods of this copy's own cluster (the scale subresource's `statusReplicasPath`);
    /// set per copy by `forCopy(generation:cluster:)`.
    public var replicas: Int?
    /// One row per target cluster.
    public var clusters: [ClusterStatus]?
    /// One row per target cluster when `spec.traffic` is set: its endpoint and the routing in
    /// effect.
    public var traffic: [ClusterTrafficStatus]?
    /// `Ready`, `Progressing`, `Degraded` and `InSync`, and `TrafficReady` when `spec.traffic`
    /// is set.
    public var conditions: [Condition]?

    /// A status.
    public init(
        observedGeneration: Int64? = nil, phase: FleetPhase? = nil, servingVersion: String? = nil,
        readyClusters: String? = nil, lastGoodVersion: String? = nil, failedVersion: String? = nil,
        failedRetry: String? = nil, failedRevision: String? = nil, revisions: [ServedRevision]? = nil, replicas: Int? = nil, clusters: [ClusterStatus]? = nil,
        traffic: [ClusterTrafficStatus]? = nil, conditions: [Condition]? = nil
    ) {
        self.observedGeneration = observedGeneration
        self.phase = phase
        self.servingVersion = servingVersion
        self.readyClusters = readyClusters
        self.lastGoodVersion = lastGoodVersion
        self.failedVersion = failedVersion
        self.failedRetry = failedRetry
        self.failedRevision = failedRevision
        self.revisions = revisions
        self.replicas = replicas
        self.clusters = clusters
        self.traffic = traffic
        self.conditions = conditions
    }

    private enum CodingKeys: String, CodingKey {
        case observedGeneration, phase, servingVersion, readyClusters, lastGoodVersion, failedVersion, failedRetry, failedRevision, revisions
        case replicas, clusters, traffic, conditions
    }

    /// Decodes leniently: a field of the wrong type reads as absent (rows and conditions that
    /// cannot be read are dropped), so one bad field never hides `lastGoodVersion`.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        observedGeneration = try? c.decodeIfPresent(Int64.self, forKey: .observedGeneration)
        phase = try? c.decodeIfPresent(FleetPhase.self, forKey: .phase)
        servingVersion = try? c.decodeIfPresent(String.self, forKey: .servingVersion)
        readyClusters = try? c.decodeIfPresent(String.self, forKey: .readyClusters)
        lastGoodVersion = try? c.decodeIfPresent(String.self, forKey: .lastGoodVersion)
        failedVersion = try? c.decodeIfPresent(String.self, forKey: .failedVersion)
        failedRetry = try? c.decodeIfPresent(String.self, forKey: .failedRetry)
        failedRevision = try? c.decodeIfPresent(String.self, forKey: .failedRevision)
        revisions = (try? c.decodeIfPresent([Lenient<ServedRevision>].self, forKey: .revisions))?.compactMap(\.value)
        replicas = try? c.decodeIfPresent(Int.self, forKey: .replicas)
        clusters = (try? c.decodeIfPresent([Lenient<ClusterStatus>].self, forKey: .clusters))?.compactMap(\.value)
        traffic = (try? c.decodeIfPresent([Lenient<ClusterTrafficStatus>].self, forKey: .traffic))?.compactMap(\.value)
        conditions = (try? c.decodeIfPresent([Lenient<Condition>].self, forKey: .conditions))?.compactMap(\.value)
    }

    /// How many served revisions `revisions` keeps.
    public static let revisionHistoryLimit = 10

    /// The newest served revision of `version`, if recorded.
    public func servedRevision(of version: String) -> ModelRevision? {
        revisions?.first { $0.revision.version == version }?.revision
    }

    /// The row of `cluster`, if any.
    public func cluster(_ name: String) -> ClusterStatus? {
        clusters?.first { $0.name == name }
    }

    /// `existing` (a copy's `status` as read) with the fields the operator owns replaced by this
    /// status's; fields this version of the operator does not know are kept.
    public func merged(into existing: JSONValue?) throws(JSONConversionError) -> JSONValue {
        let encoded = try JSONValue(encoding: self)
        var merged = existing?.objectValue ?? [:]
        for key in Self.ownedKeys { merged[key] = encoded[key] }
        return .object(merged)
    }

    /// This status as written to the copy in `cluster`: `observedGeneration` (and every
    /// condition's) set to that copy's `metadata.generation`, `replicas` to that cluster's
    /// ready pods.
    public func forCopy(generation: Int64?, cluster: String) -> FraudModelStatus {
        var copy = self
        copy.observedGeneration = generation
        copy.replicas = self.cluster(cluster)?.readyReplicas
        copy.conditions = conditions?.map { condition in
            var condition = condition
            condition.observedGeneration = generation
            return condition
        }
        return copy
    }
}

/// The fleet's phase, shown in the PHASE column.
public enum FleetPhase: String, Codable, Sendable, Hashable, CaseIterable {
    /// Nothing deployed yet.
    case pending = "Pending"
    /// Clusters are moving to their desired version.
    case progressing = "Progressing"
    /// Every target cluster serves its desired version with all replicas ready.
    case ready = "Ready"
    /// A rollout failed, the spec is invalid, or a cluster is unreachable.
    case degraded = "Degraded"
    /// Clusters are moving back to `lastGoodVersion` after a failed rollout.
    case rollingBack = "RollingBack"
    /// `spec.rollout.paused` holds every cluster where it is.
    case paused = "Paused"
}

/// One cluster's phase in the fleet.
public enum ClusterPhase: String, Codable, Sendable, Hashable, CaseIterable {
    /// Waiting for a gate (an earlier cluster, bake time) or for its Deployment to exist.
    case pending = "Pending"
    /// Its Deployment is moving to the desired version.
    case progressing = "Progressing"
    /// Serves the desired version with every replica ready.
    case ready = "Ready"
    /// Failed the rollout (progress deadline exceeded), or cannot reach its desired version.
    case degraded = "Degraded"
    /// Moving back to `lastGoodVersion`.
    case rollingBack = "RollingBack"
    /// Held by `spec.rollout.paused` or `onFailure: Pause`.
    case paused = "Paused"
    /// The operator cannot reach its API server.
    case unreachable = "Unreachable"
}

/// One target cluster's row in `status.clusters`.
public struct ClusterStatus: Codable, Sendable, Hashable {
    /// The member cluster's name.
    public var name: String
    /// `aws`, `gcp` or `other`.
    public var provider: String?
    /// The cloud region, e.g. `us-east-1`.
    public var region: String?
    /// Whether the operator reached the cluster's API server in this reconcile.
    public var reachable: Bool
    /// The version the planner wants this cluster's Deployment to run now.
    public var desiredVersion: String?
    /// The digest of the revision behind `desiredVersion` (`ModelRevision.digest`): tells a
    /// change of checksum or threshold under the same version apart.
    public var desiredRevision: String?
    /// The version whose pods answer (all replicas ready at it); nil when unknown.
    public var servingVersion: String?
    /// The Deployment's image.
    public var image: String?
    /// The Deployment's desired replicas.
    public var replicas: Int?
    /// Ready pods.
    public var readyReplicas: Int?
    /// Pods of the newest template.
    public var updatedReplicas: Int?
    /// The cluster's phase.
    public var phase: ClusterPhase?
    /// Why the cluster is in its phase (names the gate it waits on, or the failure).
    public var message: String?
    /// When `phase` or `desiredVersion` last changed (RFC 3339); bake time and the progress
    /// deadline are measured from it.
    public var lastTransitionTime: String?

    /// A row.
    public init(
        name: String, provider: String? = nil, region: String? = nil, reachable: Bool = true,
        desiredVersion: String? = nil, desiredRevision: String? = nil, servingVersion: String? = nil, image: String? = nil, replicas: Int? = nil,
        readyReplicas: Int? = nil, updatedReplicas: Int? = nil, phase: ClusterPhase? = nil, message: String? = nil,
        lastTransitionTime: String? = nil
    ) {
        self.name = name
        self.provider = provider
        self.region = region
        self.reachable = reachable
        self.desiredVersion = desiredVersion
        self.desiredRevision = desiredRevision
        self.servingVersion = servingVersion
        self.image = image
        self.replicas = replicas
        self.readyReplicas = readyReplicas
        self.updatedReplicas = updatedReplicas
        self.phase = phase
        self.message = message
        self.lastTransitionTime = lastTransitionTime
    }

    private enum CodingKeys: String, CodingKey {
        case name, provider, region, reachable, desiredVersion, desiredRevision, servingVersion, image, replicas, readyReplicas
        case updatedReplicas, phase, message, lastTransitionTime
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        name = try c.decode(String.self, forKey: .name)
        provider = try? c.decodeIfPresent(String.self, forKey: .provider)
        region = try? c.decodeIfPresent(String.self, forKey: .region)
        reachable = (try? c.decodeIfPresent(Bool.self, forKey: .reachable)) ?? true
        desiredVersion = try? c.decodeIfPresent(String.self, forKey: .desiredVersion)
        desiredRevision = try? c.decodeIfPresent(String.self, forKey: .desiredRevision)
        servingVersion = try? c.decodeIfPresent(String.self, forKey: .servingVersion)
        image = try? c.decodeIfPresent(String.self, forKey: .image)
        replicas = try? c.decodeIfPresent(Int.self, forKey: .replicas)
        readyReplicas = try? c.decodeIfPresent(Int.self, forKey: .readyReplicas)
        updatedReplicas = try? c.decodeIfPresent(Int.self, forKey: .updatedReplicas)
        phase = try? c.decodeIfPresent(ClusterPhase.self, forKey: .phase)
        message = try? c.decodeIfPresent(String.self, forKey: .message)
        lastTransitionTime = try? c.decodeIfPresent(String.self, forKey: .lastTransitionTime)
    }
}

/// The condition types and reasons the operator writes.
public enum FraudModelConditions {
    /// Every target cluster serves its desired version ready.
    public static let ready = "Ready"
    /// A version is moving across the fleet.
    public static let progressing = "Progressing"
    /// A rollout failed, the spec is invalid, or a cluster is unreachable.
    public static let degraded = "Degraded"
    /// Every cluster's FraudModel asks for the same version.
    public static let inSync = "InSync"
    /// The four types the rollout planner writes, in the order they are written.
    public static let all = [ready, progressing, degraded, inSync]
    /// At least one cluster takes traffic for `spec.traffic.hostname`; written by the traffic
    /// planner after `all`, only when `spec.traffic` is set. It never waits for a load
    /// balancer address.
    public static let trafficReady = "TrafficReady"
}

/// An element that reads as nil instead of failing its array.
private struct Lenient<Value: Decodable>: Decodable {
    var value: Value?
    init(from decoder: any Decoder) throws { value = try? Value(from: decoder) }
}
