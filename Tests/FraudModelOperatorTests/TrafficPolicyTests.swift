import Foundation
import FraudModelAPI
import FraudModelOperator
@testable import FraudModelPlanning
import KubeAPI
import Testing

/// Every policy, and every transition: drain on rollout, restore once ready, Degraded,
/// unreachable, and no cluster healthy.
@Suite struct TrafficPolicyTests {
    typealias F = TrafficFixtures
    static let weighted = TrafficSpec(hostname: F.host, policy: .weighted, weights: ["eks": 50])
    static let failover = TrafficSpec(hostname: F.host, policy: .failover, primary: "eks")
    static let latency = TrafficSpec(hostname: F.host, policy: .latency)

    // MARK: Weighted

    @Test func weightedHealthyClustersGetTheirWeightAndUnlistedOnesGetOne() {
        let plan = F.plan(Self.weighted, [F.eks, F.gke])
        #expect(plan.externalDNS("eks") == ["hostname": F.host, "set-identifier": "eks", "aws-weight": "50"])
        #expect(plan.externalDNS("gke") == ["hostname": F.host, "set-identifier": "gke", "aws-weight": "1"])
        #expect(plan.row("eks") == ClusterTrafficStatus(
            name: "eks", endpoint: "k8s-fraud-abc.elb.us-east-1.amazonaws.com", weight: 50, state: .serving, reason: "Healthy",
            message: "weight 50"))
        #expect(plan.row("gke")?.message == "weight 1 (not listed in spec.traffic.weights)")
        #expect(plan.row("gke")?.endpoint == "34.1.2.3")
        #expect(plan.condition?.status == .true)
        #expect(plan.condition?.reason == "AllClustersServing")
        #expect(plan.condition?.message == "fraud.api.example.com (Weighted): eks weight 50 Serving; gke weight 1 Serving")
    }

    @Test func weightedDrainsAClusterDuringItsRolloutAndRestoresItOnceReady() {
        let rolling = F.plan(Self.weighted, [F.eks.rollingOut(to: "2.2.0"), F.gke])
        #expect(rolling.externalDNS("eks")["aws-weight"] == "0")
        #expect(rolling.row("eks")?.state == .drained)
        #expect(rolling.row("eks")?.reason == "RollingOut")
        #expect(rolling.row("eks")?.message == "moving to 2.2.0 (serving 2.1.0); weight 0 instead of 50")
        #expect(rolling.externalDNS("gke")["aws-weight"] == "1")
        #expect(rolling.condition?.status == .true)
        #expect(rolling.condition?.reason == "ClustersDrained")

        let restored = F.plan(Self.weighted, [F.eks.ready(at: "2.2.0"), F.gke], previous: F.status(of: rolling), now: F.later)
        #expect(restored.externalDNS("eks")["aws-weight"] == "50")
        #expect(restored.row("eks")?.state == .serving)
        #expect(restored.condition?.reason == "AllClustersServing")
        #expect(restored.condition?.lastTransitionTime == rolling.condition?.lastTransitionTime, "True both times")
    }

    @Test func rolloutDrainIsOptionalButAClusterServingNothingIsAlwaysDrained() {
        var keep = Self.weighted
        keep.drainDuringRollout = false
        #expect(F.plan(keep, [F.eks.rollingOut(to: "2.2.0"), F.gke]).externalDNS("eks")["aws-weight"] == "50")
        var fresh = F.eks.rollingOut(to: "2.1.0")
        fresh.servingVersion = nil
        let plan = F.plan(keep, [fresh, F.gke])
        #expect(plan.externalDNS("eks")["aws-weight"] == "0")
        #expect(plan.row("eks")?.reason == "NotServing")
    }

    @Test func aClusterWaitingOnARolloutGateOrPausedAtWhatItServesKeepsItsTraffic() {
        var gated = F.gke
        gated.phase = .pending
        gated.message = "waiting for eks to bake 2.2.0: ready for 10s of 30s"
        var paused = F.eks.ready(at: "2.2.0")
        paused.phase = .paused
        let plan = F.plan(Self.weighted, [paused, gated])
        #expect(plan.row("eks")?.state == .serving)
        #expect(plan.row("gke")?.state == .serving)
        var pausedMidway = F.eks.rollingOut(to: "2.2.0")
        pausedMidway.phase = .paused
        #expect(F.plan(Self.weighted, [pausedMidway, gated]).row("eks")?.reason == "RollingOut")
    }

    @Test func weightedDrainsDegradedAndUnreachableClusters() {
        let degraded = F.plan(Self.weighted, [F.eks.degraded(), F.gke])
        #expect(degraded.externalDNS("eks")["aws-weight"] == "0")
        #expect(degraded.row("eks")?.reason == "Degraded")
        #expect(degraded.row("eks")?.message == "its rollout is Degraded: 2.2.0 is not progressing (ProgressDeadlineExceeded); weight 0 instead of 50")

        let unreachable = F.plan(Self.weighted, [F.eks, F.gke.unreachable()], previous: F.status(of: F.plan(Self.weighted, [F.eks, F.gke])))
        #expect(unreachable.externalDNS("gke")["aws-weight"] == "0")
        #expect(unreachable.row("gke")?.reason == "Unreachable")
        #expect(unreachable.row("gke")?.endpoint == "34.1.2.3", "the last known endpoint is kept")
        #expect(unreachable.condition?.message.contains("gke weight 0 Drained (Unreachable: the operator cannot reach its API server") == true)
    }

    /// A failed version rolled back: the cluster stays Degraded (the failure is remembered) but
    /// serves the last good version with every replica ready, so it takes its share again.
    @Test func aClusterRolledBackToTheLastGoodVersionTakesTrafficAgain() {
        let rolledBack = F.eks.rolledBack(from: "2.2.0")
        let weighted = F.plan(Self.weighted, [rolledBack, F.gke], previous: F.status(of: F.plan(Self.weighted, [F.eks.degraded(), F.gke])))
        #expect(weighted.externalDNS("eks")["aws-weight"] == "50")
        #expect(weighted.row("eks")?.state == .serving)
        #expect(weighted.condition?.reason == "AllClustersServing")

        let failover = F.plan(Self.failover, [rolledBack, F.gke], previous: F.status(of: F.plan(Self.failover, [F.eks.degraded(), F.gke])))
        #expect(failover.externalDNS("eks")["aws-failover"] == "PRIMARY")
        #expect(failover.externalDNS("gke")["aws-failover"] == "SECONDARY")

        var unready = rolledBack
        unready.readyReplicas = 0
        #expect(F.plan(Self.weighted, [unready, F.gke]).row("eks")?.reason == "Degraded", "not without a ready replica")
    }

    @Test func aConfiguredWeightOfZeroIsStandbyNotDrained() {
        let plan = F.plan(TrafficSpec(hostname: F.host, weights: ["gke": 0]), [F.eks, F.gke])
        #expect(plan.row("gke")?.state == .standby)
        #expect(plan.externalDNS("gke")["aws-weight"] == "0")
        #expect(plan.condition?.reason == "AllClustersServing")
    }

    @Test func noHealthyClusterKeepsTheLastWeightsAndSaysSo() {
        let before = F.plan(Self.weighted, [F.eks.rollingOut(to: "2.2.0"), F.gke])
        let plan = F.plan(Self.weighted, [F.eks.degraded(), F.gke.unreachable()], previous: F.status(of: before), now: F.later)
        #expect(plan.externalDNS("eks")["aws-weight"] == "0")
        #expect(plan.externalDNS("gke")["aws-weight"] == "1")
        #expect(plan.traffic?.map(\.state) == [.held, .held])
        #expect(plan.row("gke")?.reason == "Unreachable")
        #expect(plan.condition?.status == .false)
        #expect(plan.condition?.reason == "NoHealthyCluster")
        #expect(plan.condition?.message.hasPrefix("fraud.api.example.com (Weighted): no cluster is healthy, keeping the last configuration: eks weight 0 Held (Degraded: ") == true)
        #expect(plan.condition?.lastTransitionTime == "2027-01-15T08:01:00Z")
    }

    @Test func noHealthyClusterAndNoLastConfigurationUsesTheSpec() {
        let plan = F.plan(Self.weighted, [F.eks.degraded(), F.gke.degraded()])
        #expect(plan.traffic?.map(\.weight) == [50, 1])
        #expect(plan.row("eks")?.message?.hasSuffix("it keeps the configuration spec.traffic asks for") == true)
        #expect(plan.condition?.status == .false)
    }

    /// Over every pair of consecutive reconciles of three clusters in any state: some cluster
    /// serves, or every cluster keeps the routing of the previous reconcile.
    @Test func neverDrainsEveryCluster() {
        let aks = TrafficClusterObservation(
            name: "aks", region: "eu-west-1", phase: .ready, desiredVersion: "2.1.0", servingVersion: "2.1.0", readyReplicas: 3)
        let states: [(TrafficClusterObservation) -> TrafficClusterObservation] = [
            { $0 }, { $0.degraded() }, { $0.unreachable() }, { $0.rollingOut(to: "2.2.0") }, { $0.ready(at: "2.2.0") },
        ]
        let fleets = states.flatMap { a in states.flatMap { b in states.map { c in [a(F.eks), b(F.gke), c(aks)] } } }
        for traffic in [Self.weighted, Self.failover, Self.latency] {
            for before in fleets {
                let previous = F.plan(traffic, before)
                for after in fleets {
                    let plan = F.plan(traffic, after, previous: F.status(of: previous))
                    let rows = plan.traffic ?? []
                    guard !rows.contains(where: { $0.state == .serving }) else { continue }
                    #expect(rows.allSatisfy { $0.state == .held })
                    #expect(routing(rows) == routing(previous.traffic ?? []))
                    #expect(plan.condition?.status == .false)
                }
            }
        }
    }

    /// Only the routing of each row.
    func routing(_ rows: [ClusterTrafficStatus]) -> [ClusterTrafficStatus] {
        rows.map { ClusterTrafficStatus(name: $0.name, weight: $0.weight, role: $0.role, region: $0.region) }
    }

    // MARK: Failover

    @Test func failoverPrimaryTakesTrafficAndTheOtherStandsBy() {
        let plan = F.plan(Self.failover, [F.eks, F.gke])
        #expect(plan.externalDNS("eks") == ["hostname": F.host, "set-identifier": "eks", "aws-failover": "PRIMARY"])
        #expect(plan.externalDNS("gke") == ["hostname": F.host, "set-identifier": "gke", "aws-failover": "SECONDARY"])
        #expect(plan.row("gke")?.state == .standby)
        #expect(plan.condition?.reason == "AllClustersServing")
        #expect(plan.condition?.message == "fraud.api.example.com (Failover): eks PRIMARY Serving; gke SECONDARY Standby")
    }

    @Test func failoverMovesPrimaryOffADegradedOrRollingPrimaryAndBack() {
        for sick in [F.eks.degraded(), F.eks.rollingOut(to: "2.2.0")] {
            let plan = F.plan(Self.failover, [sick, F.gke])
            #expect(plan.externalDNS("eks")["aws-failover"] == "SECONDARY")
            #expect(plan.externalDNS("gke")["aws-failover"] == "PRIMARY")
            #expect(plan.row("eks")?.state == .drained)
            #expect(plan.row("eks")?.message?.hasSuffix("; PRIMARY goes to gke") == true)
            #expect(plan.row("gke")?.message == "PRIMARY in place of eks")
            #expect(plan.condition?.status == .true)
            #expect(plan.condition?.reason == "FailedOver")

            let back = F.plan(Self.failover, [F.eks.ready(at: "2.2.0"), F.gke], previous: F.status(of: plan))
            #expect(back.externalDNS("eks")["aws-failover"] == "PRIMARY")
            #expect(back.externalDNS("gke")["aws-failover"] == "SECONDARY")
            #expect(back.condition?.reason == "AllClustersServing")
        }
    }

    /// The operator cannot rewrite an unreachable cluster's Service, whose record says PRIMARY:
    /// promoting the survivor would publish two PRIMARY records. The survivor stays SECONDARY,
    /// and Route 53's health check on the dead cluster's record does the failover.
    @Test func anUnreachablePrimaryKeepsPrimaryAndTheSurvivorStaysSecondary() {
        let healthy = F.plan(Self.failover, [F.eks, F.gke])
        let plan = F.plan(Self.failover, [F.eks.unreachable(), F.gke], previous: F.status(of: healthy))
        #expect(plan.externalDNS("gke")["aws-failover"] == "SECONDARY")
        #expect(plan.row("eks")?.role == .primary)
        #expect(plan.row("eks")?.reason == "Unreachable")
        #expect(plan.row("eks")?.message?.hasSuffix("its record stays PRIMARY, so no other cluster takes PRIMARY: Route 53 fails over on that record's health check") == true)
        #expect(plan.row("gke")?.message?.hasPrefix("SECONDARY: eks is unreachable and its record stays PRIMARY") == true)
        let primaries = [plan.row("eks"), plan.row("gke")].filter { $0?.role == .primary }
        #expect(primaries.count == 1, "one PRIMARY at a time")

        // Before any status was written, the nominal primary counts as PRIMARY.
        let first = F.plan(Self.failover, [F.eks.unreachable(), F.gke])
        #expect(first.externalDNS("gke")["aws-failover"] == "SECONDARY")

        // A secondary that becomes unreachable does not hold PRIMARY back.
        let drained = F.plan(Self.failover, [F.eks.degraded(), F.gke])
        let gone = F.plan(Self.failover, [F.eks.unreachable(), F.gke], previous: F.status(of: drained))
        #expect(gone.externalDNS("gke")["aws-failover"] == "PRIMARY")

        // Back: eks reachable and healthy takes PRIMARY again.
        let back = F.plan(Self.failover, [F.eks, F.gke], previous: F.status(of: plan))
        #expect(back.externalDNS("eks")["aws-failover"] == "PRIMARY")
        #expect(back.externalDNS("gke")["aws-failover"] == "SECONDARY")
    }

    @Test func failoverWithNoHealthyClusterKeepsTheLastPrimary() {
        let failedOver = F.plan(Self.failover, [F.eks.degraded(), F.gke])
        let plan = F.plan(Self.failover, [F.eks.degraded(), F.gke.rollingOut(to: "2.2.0")], previous: F.status(of: failedOver))
        #expect(plan.externalDNS("gke")["aws-failover"] == "PRIMARY")
        #expect(plan.externalDNS("eks")["aws-failover"] == "SECONDARY")
        #expect(plan.condition?.reason == "NoHealthyCluster")
    }

    @Test func failoverToAPrimaryThatIsNotATargetUsesTheFirstHealthyCluster() {
        let plan = F.plan(TrafficSpec(hostname: F.host, policy: .failover, primary: "aks"), [F.eks, F.gke])
        #expect(plan.externalDNS("eks")["aws-failover"] == "PRIMARY")
        #expect(plan.row("eks")?.message == "PRIMARY in place of aks (spec.traffic.primary is not a target cluster)")
    }

    // MARK: Latency

    @Test func latencyPublishesEachHealthyClustersAWSRegion() {
        let plan = F.plan(Self.latency, [F.eks, F.gke])
        #expect(plan.externalDNS("eks") == ["hostname": F.host, "set-identifier": "eks", "aws-region": "us-east-1"])
        #expect(plan.externalDNS("gke") == ["hostname": F.host, "set-identifier": "gke", "aws-region": "us-east-2"])
        #expect(plan.condition?.message == "fraud.api.example.com (Latency): eks us-east-1 Serving; gke us-east-2 Serving")
    }

    @Test func latencyDrainsByRemovingTheRecordAndRestoresIt() {
        let rolling = F.plan(Self.latency, [F.eks, F.gke.rollingOut(to: "2.2.0")])
        #expect(rolling.externalDNS("gke") == [:])
        #expect(rolling.annotations("gke") == ["networking.gke.io/load-balancer-type": "Internal"])
        #expect(rolling.row("gke")?.region == nil)
        #expect(rolling.row("gke")?.state == .drained)
        let back = F.plan(Self.latency, [F.eks, F.gke.ready(at: "2.2.0")], previous: F.status(of: rolling))
        #expect(back.externalDNS("gke")["aws-region"] == "us-east-2")
    }

    @Test func latencyNeedsAnAWSRegion() {
        var gcpRegion = F.gke
        gcpRegion.region = "us-central1"
        let plan = F.plan(Self.latency, [F.eks, gcpRegion])
        #expect(plan.externalDNS("gke") == [:])
        #expect(plan.row("gke")?.reason == "NoRegion")
        #expect(plan.row("gke")?.message?.contains("\"us-central1\" is not an AWS region") == true)
    }

    @Test func latencyWithNoHealthyClusterKeepsTheLastRecords() {
        let before = F.plan(Self.latency, [F.eks, F.gke.degraded()])
        let plan = F.plan(Self.latency, [F.eks.unreachable(), F.gke.degraded()], previous: F.status(of: before))
        #expect(plan.externalDNS("eks")["aws-region"] == "us-east-1")
        #expect(plan.externalDNS("gke") == [:])
        #expect(plan.condition?.reason == "NoHealthyCluster")
    }
}
