import Foundation
import FraudModelAPI
import FraudModelOperator
@testable import FraudModelPlanning

/// The start of every simulated timeline.
let t0 = Date(timeIntervalSince1970: 1_800_000_000)

/// A FraudModel spec for planner tests.
func fraudSpec(
    _ version: String, strategy: RolloutStrategy = .sequential, onFailure: FailurePolicy = .rollbackAll, bake: Int = 30,
    deadline: Int = 300, paused: Bool = false, order: [String]? = nil, clusters: [ClusterOverride]? = nil
) -> FraudModelSpec {
    FraudModelSpec(
        modelVersion: version, image: ImageSpec(repository: "fraud-detector"), clusters: clusters,
        rollout: RolloutSpec(strategy: strategy, order: order, bakeSeconds: bake, progressDeadlineSeconds: deadline, onFailure: onFailure, paused: paused))
}

/// A Deployment serving `version` with every replica ready.
func readyDeployment(_ version: String, cluster: String = "eks", replicas: Int = 3) -> DeploymentObservation {
    DeploymentObservation(
        version: version, image: "reg-\(cluster)/fraud-detector:\(version)", replicas: replicas, readyReplicas: replicas,
        updatedReplicas: replicas, availableReplicas: replicas)
}

/// A Deployment that was just moved to `version` and has no ready replica of it yet.
func startingDeployment(_ version: String, cluster: String = "eks", replicas: Int = 3) -> DeploymentObservation {
    DeploymentObservation(version: version, image: "reg-\(cluster)/fraud-detector:\(version)", replicas: replicas)
}

/// A fleet over simulated time: each cluster's FraudModel spec and Deployment, the status the
/// planner wrote last, and a clock. `reconcile(after:)` advances the clock, lets pods of moved
/// Deployments become ready (or get stuck, for versions listed in `unpullable`), runs the
/// planner and applies its decisions, as the reconciler will.
struct FleetSimulator {
    var names: [String]
    var specs: [String: FraudModelSpec]
    var deployments: [String: DeploymentObservation] = [:]
    var reachable: [String: Bool] = [:]
    var modes: [String: ClusterMode] = [:]
    var retry: [String: String] = [:]
    var registries: [String: String] = [:]
    /// `cluster/version` pairs whose image cannot be pulled.
    var unpullable: Set<String> = []
    /// Revisions (by digest) whose pods run but never become ready, as with a model file whose
    /// checksum does not match `MODEL_SHA256`.
    var neverReady: Set<String> = []
    /// Clusters whose new pods never become ready on their own (tests ready them explicitly).
    var manualReadiness: Set<String> = []
    var status: FraudModelStatus?
    var now = t0
    var events: [RolloutEvent] = []
    var lastPlan: RolloutPlan?
    /// When each cluster's Deployment last became fully ready (cleared when it is moved).
    var readySince: [String: Date] = [:]
    /// `deployments`, `readySince` and `status` as the planner saw them in the last reconcile.
    var observedDeployments: [String: DeploymentObservation] = [:]
    var observedReadySince: [String: Date] = [:]
    var observedStatus: FraudModelStatus?
    /// Every version change applied: when, where, from what, to what.
    var moves: [(time: Date, cluster: String, from: String?, to: String)] = []

    /// A fleet whose clusters all serve `version` ready and whose status says so.
    init(_ names: [String] = ["eks", "gke"], serving version: String, spec: FraudModelSpec? = nil) {
        self.names = names
        let spec = spec ?? fraudSpec(version)
        specs = Dictionary(uniqueKeysWithValues: names.map { ($0, spec) })
        for name in names {
            deployments[name] = readyDeployment(version, cluster: name)
            registries[name] = "reg-\(name)"
            readySince[name] = t0
        }
        _ = reconcile()
        events = []
        moves = []
    }

    /// Sets `spec` in every listed cluster's copy (all clusters by default).
    mutating func apply(_ spec: FraudModelSpec, to clusters: [String]? = nil) {
        for name in clusters ?? names { specs[name] = spec }
    }

    /// Changes only `modelVersion` in the listed copies.
    mutating func setVersion(_ version: String, in clusters: [String]? = nil) {
        for name in clusters ?? names { specs[name]?.modelVersion = version }
    }

    mutating func setRollout(_ change: (inout RolloutSpec) -> Void) {
        for name in names { change(&specs[name]!.rollout) }
    }

    var observation: FleetObservation {
        FleetObservation(
            namespace: "fraud", name: "fraud-detector",
            clusters: names.map { name in
                ClusterObservation(
                    name: name, provider: name == "gke" ? "gcp" : "aws", region: "r-\(name)", registry: registries[name],
                    mode: modes[name] ?? .manage, reachable: reachable[name] ?? true,
                    model: specs[name].map { ObservedFraudModel(spec: $0, generation: 1, retry: retry[name]) },
                    deployment: deployments[name])
            },
            previousStatus: status, now: now)
    }

    /// Advances the clock, lets pods start, plans, and applies the plan.
    @discardableResult
    mutating func reconcile(after seconds: Int = 0) -> RolloutPlan {
        now = now.addingTimeInterval(TimeInterval(seconds))
        for name in names where (reachable[name] ?? true) && !manualReadiness.contains(name) {
            guard var deployment = deployments[name], let version = deployment.version, !deployment.isFullyReady else { continue }
            if unpullable.contains("\(name)/\(version)") {
                deployment.stuckReason = "ImagePullBackOff"
            } else if let digest = deployment.revision?.digest, neverReady.contains(digest) {
                continue
            } else {
                deployment.markReady()
                readySince[name] = now
            }
            deployments[name] = deployment
        }
        observedDeployments = deployments
        observedReadySince = readySince
        observedStatus = status
        let plan = RolloutPlanner.plan(observation)
        for decision in plan.decisions {
            guard let target = decision.target, (reachable[decision.cluster] ?? true) else { continue }
            let current = deployments[decision.cluster]
            if current?.revision != target.revision {
                moves.append((now, decision.cluster, current?.version, target.version))
                deployments[decision.cluster] = DeploymentObservation(
                    version: target.version, image: target.image, revision: target.revision, replicas: target.replicas)
                readySince[decision.cluster] = nil
            }
        }
        status = plan.status
        events += plan.events
        lastPlan = plan
        return plan
    }

    /// Marks `cluster`'s Deployment ready at its version.
    mutating func makeReady(_ cluster: String) {
        guard deployments[cluster]?.version != nil else { return }
        deployments[cluster]?.markReady()
        readySince[cluster] = now
    }

    func version(_ cluster: String) -> String? { deployments[cluster]?.version }
    func revision(_ cluster: String) -> ModelRevision? { deployments[cluster]?.revision }
    func row(_ cluster: String) -> ClusterStatus? { status?.cluster(cluster) }
    func condition(_ type: String) -> (status: String, reason: String, message: String)? {
        status?.conditions?.first { $0.type == type }.map { ($0.status.rawValue, $0.reason, $0.message) }
    }
    func eventReasons() -> [String] { events.map(\.reason.rawValue) }
}

extension DeploymentObservation {
    /// Every replica of the current template ready, as after a finished rollout.
    mutating func markReady() {
        readyReplicas = replicas
        updatedReplicas = replicas
        availableReplicas = replicas
        isCurrent = true
        stuckReason = nil
        stuckMessage = nil
    }
}
