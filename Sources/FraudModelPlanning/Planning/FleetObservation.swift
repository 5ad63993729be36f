#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import FraudModelAPI

/// Everything the rollout planner looks at: one fleet (the FraudModels with the same
/// namespace/name in every member cluster), as observed in one reconcile.
///
/// The planner reads nothing else — no clock, no cluster — so equal observations always
/// give equal plans.
public struct FleetObservation: Sendable, Hashable {
    /// The fleet's namespace.
    public var namespace: String
    /// The fleet's name.
    public var name: String
    /// Every member cluster, in the operator configuration's order.
    public var clusters: [ClusterObservation]
    /// The fleet status last written (any managed copy's `status`; they are written alike).
    /// Bake time, the progress deadline, `lastGoodVersion` and `failedVersion` come from it.
    public var previousStatus: FraudModelStatus?
    /// The time of this reconcile.
    public var now: Date

    /// An observation.
    public init(namespace: String, name: String, clusters: [ClusterObservation], previousStatus: FraudModelStatus?, now: Date) {
        self.namespace = namespace
        self.name = name
        self.clusters = clusters
        self.previousStatus = previousStatus
        self.now = now
    }
}

/// Whether the operator instance acts on a member cluster or only looks at it.
public enum ClusterMode: String, Sendable, Hashable, CaseIterable {
    /// The operator writes this cluster's Deployment, Service and FraudModel status.
    case manage
    /// Another operator instance manages it; this one reads it for gates and status.
    case observe
}

/// One member cluster as observed.
public struct ClusterObservation: Sendable, Hashable {
    /// The cluster's name from the operator configuration.
    public var name: String
    /// `aws`, `gcp` or `other`.
    public var provider: String
    /// The cloud region, if configured.
    public var region: String?
    /// The image registry from the operator configuration, if any.
    public var registry: String?
    /// `manage` or `observe`.
    public var mode: ClusterMode
    /// Whether its API server answered in this reconcile. When false, `model` and
    /// `deployment` are ignored.
    public var reachable: Bool
    /// Its copy of the FraudModel; nil when the cluster has none.
    public var model: ObservedFraudModel?
    /// The Deployment the operator manages for the FraudModel; nil when it does not exist.
    public var deployment: DeploymentObservation?

    /// An observation.
    public init(
        name: String, provider: String = "other", region: String? = nil, registry: String? = nil,
        mode: ClusterMode = .manage, reachable: Bool = true, model: ObservedFraudModel? = nil,
        deployment: DeploymentObservation? = nil
    ) {
        self.name = name
        self.provider = provider
        self.region = region
        self.registry = registry
        self.mode = mode
        self.reachable = reachable
        self.model = model
        self.deployment = deployment
    }
}

extension ClusterObservation {
    /// The registry this cluster pulls from under `spec`: `spec.clusters[].registry`, else the
    /// operator configuration's.
    public func registry(under spec: FraudModelSpec?) -> String? {
        spec?.override(for: name)?.registry ?? registry
    }
}

/// A cluster's copy of the FraudModel: the parts the planner reads.
public struct ObservedFraudModel: Sendable, Hashable {
    /// The (validated, defaulted) spec.
    public var spec: FraudModelSpec
    /// `metadata.generation`.
    public var generation: Int64?
    /// The value of the `tandem.dev/retry` annotation, if set.
    public var retry: String?

    /// An observed copy.
    public init(spec: FraudModelSpec, generation: Int64? = nil, retry: String? = nil) {
        self.spec = spec
        self.generation = generation
        self.retry = retry
    }

    /// The copy read from a `FraudModel`.
    public init(_ model: FraudModel) {
        self.init(spec: model.spec, generation: model.metadata.generation, retry: model.retryAnnotation)
    }
}

/// A Deployment's observed state: the parts the planner reads.
public struct DeploymentObservation: Sendable, Hashable {
    /// The model version its pod template runs (the `app.kubernetes.io/version` label, or the
    /// image tag); nil when unknown — the planner then never moves it.
    public var version: String?
    /// The image of the `fraud-server` container.
    public var image: String?
    /// The revision its pod template runs (version, repository, checksum, model file,
    /// threshold); nil when unknown — the planner then never moves it.
    public var revision: ModelRevision?
    /// `spec.replicas`.
    public var replicas: Int
    /// `status.readyReplicas`.
    public var readyReplicas: Int
    /// `status.updatedReplicas`.
    public var updatedReplicas: Int
    /// `status.availableReplicas`.
    public var availableReplicas: Int
    /// `status.replicas`: pods of every template, old ones included (terminating ones not);
    /// nil when not reported.
    public var totalReplicas: Int?
    /// True when `status.observedGeneration` ≥ `metadata.generation`: the counts describe the
    /// current template.
    public var isCurrent: Bool
    /// The Deployment's `Progressing` condition has reason `ProgressDeadlineExceeded`.
    public var progressDeadlineExceeded: Bool
    /// Why its new pods do not start, from their container statuses (`ImagePullBackOff`,
    /// `CrashLoopBackOff`, `ErrImagePull`), if any.
    public var stuckReason: String?
    /// The detail of `stuckReason`, if any.
    public var stuckMessage: String?

    /// An observation. Without `revision`, one is derived from `version` and `image` (the
    /// repository after the image's first `/`, every other field at its default), as a
    /// Deployment with no model settings in its environment runs.
    public init(
        version: String?, image: String? = nil, revision: ModelRevision? = nil, replicas: Int, readyReplicas: Int = 0, updatedReplicas: Int = 0,
        availableReplicas: Int = 0, isCurrent: Bool = true, progressDeadlineExceeded: Bool = false,
        stuckReason: String? = nil, stuckMessage: String? = nil
    ) {
        self.version = version
        self.image = image
        self.revision = revision ?? version.flatMap { version in
            image.flatMap { Self.repository(of: $0, version: version) }.map { ModelRevision(version: version, repository: $0) }
        }
        self.replicas = replicas
        self.readyReplicas = readyReplicas
        self.updatedReplicas = updatedReplicas
        self.availableReplicas = availableReplicas
        self.isCurrent = isCurrent
        self.progressDeadlineExceeded = progressDeadlineExceeded
        self.stuckReason = stuckReason
        self.stuckMessage = stuckMessage
    }

    /// Every replica runs the current template and is ready, and no pod of an older template
    /// is left (kubectl's `rollout status` rule: until then `readyReplicas` counts old pods too).
    public var isFullyReady: Bool {
        isCurrent && updatedReplicas >= replicas && readyReplicas >= replicas && (totalReplicas ?? updatedReplicas) <= updatedReplicas
    }

    /// `2/3 replicas ready`, and `, 1 old pod still running` while an older template's pods
    /// remain (they count in `readyReplicas`).
    public var readiness: String {
        let old = (totalReplicas ?? updatedReplicas) - updatedReplicas
        return "\(readyReplicas)/\(replicas) replicas ready" + (old > 0 ? ", \(old) old pod\(old == 1 ? "" : "s") still running" : "")
    }

    /// True when it serves `version` with every replica ready.
    public func serves(_ version: String) -> Bool {
        self.version == version && isFullyReady
    }

    /// True when it serves exactly `revision` with every replica ready.
    public func serves(_ revision: ModelRevision) -> Bool {
        self.revision == revision && isFullyReady
    }

    /// The repository of `image` (`registry/team/model:2.1.0` → `team/model`), given that
    /// its tag is `version` and everything before the first `/` is the registry.
    static func repository(of image: String, version: String) -> String? {
        guard image.hasSuffix(":\(version)"), let slash = image.firstIndex(of: "/") else { return nil }
        let path = image[image.index(after: slash)...].dropLast(version.count + 1)
        return path.isEmpty ? nil : String(path)
    }
}
