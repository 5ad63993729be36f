import Foundation
import FraudModelAPI
import FraudModelOperator
@testable import FraudModelPlanning
import KubeAPI

/// Clusters and plans for the traffic planner tests: `eks` (aws, us-east-1) and `gke` (gcp,
/// configured with the nearest AWS region, us-east-2), both serving 2.1.0 ready.
enum TrafficFixtures {
    static let host = "fraud.api.example.com"
    static let now = Date(timeIntervalSince1970: 1_800_000_000)
    static let later = Date(timeIntervalSince1970: 1_800_000_060)
    static let current = ExternalDNSAnnotations()

    static var eks: TrafficClusterObservation {
        TrafficClusterObservation(
            name: "eks", provider: "aws", region: "us-east-1", phase: .ready, message: "serving 2.1.0 with 3 replicas ready",
            desiredVersion: "2.1.0", servingVersion: "2.1.0", readyReplicas: 3,
            loadBalancerIngress: [LoadBalancerIngress(hostname: "k8s-fraud-abc.elb.us-east-1.amazonaws.com")])
    }

    static var gke: TrafficClusterObservation {
        TrafficClusterObservation(
            name: "gke", provider: "gcp", region: "us-east-2", phase: .ready, message: "serving 2.1.0 with 3 replicas ready",
            desiredVersion: "2.1.0", servingVersion: "2.1.0", readyReplicas: 3,
            loadBalancerIngress: [LoadBalancerIngress(ip: "34.1.2.3")])
    }

    static func plan(
        _ traffic: TrafficSpec?, _ clusters: [TrafficClusterObservation], previous: FraudModelStatus? = nil,
        externalDNS: ExternalDNSAnnotations = current, now: Date = now
    ) -> TrafficPlan {
        TrafficPlanner.plan(TrafficObservation(traffic: traffic, clusters: clusters, previousStatus: previous, externalDNS: externalDNS, now: now))
    }

    /// The status a reconcile would write, to feed the next one.
    static func status(of plan: TrafficPlan) -> FraudModelStatus {
        var status = FraudModelStatus()
        plan.apply(to: &status)
        return status
    }
}

extension TrafficClusterObservation {
    /// Started moving to `version` and not yet ready at it.
    func rollingOut(to version: String) -> Self {
        var copy = self
        copy.phase = .progressing
        copy.desiredVersion = version
        copy.message = "moving to \(version): 1/3 replicas ready"
        return copy
    }

    /// Serving `version` with every replica ready.
    func ready(at version: String) -> Self {
        var copy = self
        copy.phase = .ready
        copy.desiredVersion = version
        copy.servingVersion = version
        return copy
    }

    /// Stuck on 2.2.0 (ProgressDeadlineExceeded) while the old pods still serve 2.1.0.
    func degraded(_ message: String = "2.2.0 is not progressing (ProgressDeadlineExceeded)") -> Self {
        var copy = self
        copy.phase = .degraded
        copy.desiredVersion = "2.2.0"
        copy.message = message
        return copy
    }

    /// Degraded because `failed` failed, and back on the version it serves, every replica ready.
    func rolledBack(from failed: String) -> Self {
        var copy = self
        copy.phase = .degraded
        copy.desiredVersion = servingVersion
        copy.message = "serving \(servingVersion ?? "") because \(failed) failed"
        return copy
    }

    func unreachable() -> Self {
        var copy = self
        copy.reachable = false
        copy.phase = .unreachable
        copy.loadBalancerIngress = []
        return copy
    }
}

extension TrafficPlan {
    func row(_ cluster: String) -> ClusterTrafficStatus? {
        traffic?.first { $0.name == cluster }
    }

    func annotations(_ cluster: String) -> [String: String] {
        service(for: cluster)?.annotations ?? [:]
    }

    /// The ExternalDNS annotations of `cluster` under `prefix`, without it.
    func externalDNS(_ cluster: String, prefix: String = ExternalDNSAnnotations.currentPrefix) -> [String: String] {
        Dictionary(uniqueKeysWithValues: annotations(cluster).compactMap { key, value in
            key.hasPrefix(prefix) ? (String(key.dropFirst(prefix.count)), value) : nil
        })
    }
}
