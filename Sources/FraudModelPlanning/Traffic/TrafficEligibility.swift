import FraudModelAPI

/// Whether a cluster may take traffic, and if not, why (the `status.traffic` reason).
enum TrafficEligibility: Hashable {
    case eligible
    case ineligible(reason: String, message: String)

    /// The reason of a cluster whose API server the operator cannot reach.
    static let unreachableReason = "Unreachable"

    /// Judges `cluster` under `traffic`. In order: unreachable, Degraded (unless it settled on
    /// what it should run, as after a rollback), rolling out (with `drainDuringRollout`),
    /// serving nothing, and — for `Latency` — without an AWS region.
    static func of(_ cluster: TrafficClusterObservation, under traffic: TrafficSpec) -> TrafficEligibility {
        if !cluster.reachable || cluster.phase == .unreachable {
            return .ineligible(
                reason: unreachableReason,
                message: "the operator cannot reach its API server; its Service keeps its annotations until it can")
        }
        if cluster.phase == .degraded, !servesItsTarget(cluster) {
            return .ineligible(reason: "Degraded", message: "its rollout is Degraded" + (cluster.message.map { ": \($0)" } ?? ""))
        }
        if traffic.drainDuringRollout, let moving = rollout(of: cluster) {
            return .ineligible(reason: "RollingOut", message: moving)
        }
        if cluster.servingVersion == nil || cluster.readyReplicas == 0 {
            return .ineligible(reason: "NotServing", message: "no version serves with every replica ready yet")
        }
        if traffic.policy == .latency, !isAWSRegion(cluster.region) {
            let configured = cluster.region.map { "\"\($0)\" is not an AWS region" } ?? "no region is configured"
            return .ineligible(
                reason: "NoRegion",
                message: "Route 53 latency records need an AWS region and \(configured); configure the AWS region nearest the cluster")
        }
        return .eligible
    }

    /// True when `cluster` serves the version it should run now with ready replicas: a
    /// Degraded cluster rolled back to the last good version is healthy again and takes its
    /// share; one stuck on a failed or stalled version is not.
    static func servesItsTarget(_ cluster: TrafficClusterObservation) -> Bool {
        guard let serving = cluster.servingVersion, serving == cluster.desiredVersion else { return false }
        return (cluster.readyReplicas ?? 0) > 0
    }

    /// A description of the move when `cluster` is between starting a version and serving it
    /// with every replica ready; nil when it is not moving.
    static func rollout(of cluster: TrafficClusterObservation) -> String? {
        let serving = cluster.servingVersion.map { "serving \($0)" } ?? "serving nothing yet"
        let target = cluster.desiredVersion ?? "a new version"
        switch cluster.phase {
        case .rollingBack?: return "rolling back to \(target) (\(serving))"
        case .progressing?: return "moving to \(target) (\(serving))"
        default:
            guard let desired = cluster.desiredVersion, let current = cluster.servingVersion, desired != current else { return nil }
            return "moving to \(desired) (\(serving))"
        }
    }

    /// True for an AWS region code such as `us-east-1` or `us-gov-west-1`; false for GCP's
    /// `us-central1` and for nil.
    static func isAWSRegion(_ region: String?) -> Bool {
        guard let region else { return false }
        return FraudModelValidation.matches(region, #"^[a-z]{2}(-[a-z]+)+-[0-9]+$"#)
    }
}
