#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import FraudModelAPI
import FraudModelPlanning
import KubeAPI

/// Everything decided for a fleet in one reconcile: the rollout plan and the traffic plan, with
/// the traffic written into the fleet status.
struct FleetPlan {
    /// The rollout plan, whose `status` also carries `status.traffic` and `TrafficReady`.
    var rollout: RolloutPlan
    /// Each cluster's Service shape and the traffic status.
    var traffic: TrafficPlan

    /// The fleet status to write (through `forCopy`).
    var status: FraudModelStatus { rollout.status }
    /// The events to record.
    var events: [RolloutEvent] { rollout.events }

    /// Plans `snapshot` from `previous` at `now`; ExternalDNS annotations use `externalDNS`.
    static func make(_ snapshot: FleetSnapshot, fleet: FleetID, previous: FraudModelStatus?, now: Date,
                     externalDNS: ExternalDNSAnnotations) -> FleetPlan {
        var rollout = RolloutPlanner.plan(FleetObservation(
            namespace: fleet.namespace, name: fleet.name, clusters: snapshot.clusters, previousStatus: previous, now: now))
        let reference = snapshot.clusters.first { $0.reachable && $0.model != nil }?.model?.spec
        let rows = rollout.status.clusters ?? []
        let traffic = TrafficPlanner.plan(TrafficObservation(
            traffic: reference?.traffic,
            clusters: rows.map { row in
                let service = snapshot.services[row.name].flatMap { try? $0.decode(as: Service.self) }
                return TrafficClusterObservation(row, loadBalancerIngress: service.map(LoadBalancerIngress.of) ?? [])
            },
            previousStatus: previous, externalDNS: externalDNS, now: now))
        traffic.apply(to: &rollout.status)
        return FleetPlan(rollout: rollout, traffic: traffic)
    }
}
