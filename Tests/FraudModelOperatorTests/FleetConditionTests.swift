import Foundation
import FraudModelAPI
import FraudModelOperator
import KubeAPI
@testable import FraudModelPlanning
import Testing

@Suite struct FleetConditionTests {
    @Test func skewNamesEachClustersVersionAndNeverMovesAClusterPastItsOwnSpec() {
        var sim = FleetSimulator(serving: "2.1.0")
        sim.setVersion("2.2.0", in: ["eks"])
        for _ in 0..<10 { sim.reconcile(after: 10) }
        #expect(sim.version("eks") == "2.2.0")
        #expect(sim.version("gke") == "2.1.0")
        #expect(sim.condition("InSync")?.status == "False")
        #expect(sim.condition("InSync")?.reason == "VersionSkew")
        #expect(sim.condition("InSync")?.message == "eks asks for 2.2.0, gke asks for 2.1.0")
        #expect(sim.status?.servingVersion == nil)
        #expect(sim.status?.lastGoodVersion == "2.1.0")
        #expect(sim.condition("Ready")?.message == "eks serves 2.2.0, gke serves 2.1.0")
    }

    @Test func laterClusterAskingForANewerVersionWaitsForTheEarlierOne() {
        var sim = FleetSimulator(serving: "2.1.0")
        sim.setVersion("2.2.0", in: ["gke"])
        for _ in 0..<10 { sim.reconcile(after: 10) }
        #expect(sim.moves.isEmpty)
        #expect(sim.row("gke")?.phase == .pending)
        #expect(sim.row("gke")?.message == "waiting for eks to serve 2.2.0 with every replica ready; its FraudModel asks for 2.1.0")
        #expect(sim.condition("Progressing")?.reason == "RollingOut")
    }

    @Test func unreachableClusterIsShownAndTheOthersKeepGoing() {
        var sim = FleetSimulator(serving: "2.1.0", spec: fraudSpec("2.1.0", strategy: .parallel))
        sim.reachable["gke"] = false
        sim.setVersion("2.2.0")
        let plan = sim.reconcile()
        #expect(sim.version("eks") == "2.2.0")
        #expect(plan.decision(for: "gke")?.action == .leaveAlone(reason: "unreachable"))
        let row = sim.row("gke")
        #expect(row?.reachable == false)
        #expect(row?.phase == .unreachable)
        #expect(row?.servingVersion == "2.1.0")
        #expect(sim.status?.phase == .degraded)
        #expect(sim.condition("Degraded")?.reason == "ClusterUnreachable")
        #expect(sim.condition("Degraded")?.message == "gke: API server unreachable")
        #expect(sim.condition("InSync")?.status == "Unknown")
        sim.reachable["gke"] = nil
        sim.reconcile(after: 5)
        sim.reconcile(after: 5)
        #expect(sim.status?.phase == .ready)
        #expect(sim.status?.servingVersion == "2.2.0")
    }

    @Test func gatesThatDependOnAnUnreachableClusterHoldAndSaySo() {
        var sim = FleetSimulator(serving: "2.1.0")
        sim.reachable["eks"] = false
        sim.setVersion("2.2.0")
        sim.reconcile(after: 60)
        #expect(sim.moves.isEmpty)
        #expect(sim.row("gke")?.message == "waiting for eks to serve 2.2.0: eks is unreachable")
    }

    @Test func pausedFleetMovesNothingAndSaysSo() {
        var sim = FleetSimulator(serving: "2.1.0")
        sim.setRollout { $0.paused = true }
        sim.setVersion("2.2.0")
        for _ in 0..<3 { sim.reconcile(after: 60) }
        #expect(sim.moves.isEmpty)
        #expect(sim.status?.phase == .paused)
        #expect(sim.row("eks")?.phase == .paused)
        #expect(sim.row("eks")?.message == "spec.rollout.paused holds it at 2.1.0 instead of 2.2.0")
        #expect(sim.condition("Progressing")?.reason == "RolloutPaused")
        #expect(sim.condition("Progressing")?.message == "spec.rollout.paused is true: no cluster changes version; eks runs 2.1.0, gke runs 2.1.0")
        sim.setRollout { $0.paused = false }
        sim.reconcile(after: 1)
        #expect(sim.version("eks") == "2.2.0")
    }

    @Test("one InvalidSpec: Ready and Progressing False, Degraded True, one reason and message; an unchanged mark keeps its time")
    func invalidSpecMarksThreeConditions() {
        var conditions: [Condition] = []
        InvalidSpec.mark(&conditions, message: "spec: bad", generation: 3, time: "2026-01-01T00:00:00Z")
        #expect(conditions.map(\.type).sorted() == ["Degraded", "Progressing", "Ready"])
        for condition in conditions {
            #expect(condition.reason == "InvalidSpec")
            #expect(condition.message == "spec: bad")
            #expect(condition.observedGeneration == 3)
        }
        #expect(conditions[type: "Degraded"]?.status == .true && conditions[type: "Ready"]?.status == .false)
        InvalidSpec.mark(&conditions, message: "spec: bad", generation: 3, time: "2026-01-02T00:00:00Z")
        #expect(conditions[type: "Ready"]?.lastTransitionTime == "2026-01-01T00:00:00Z")
    }

    @Test func orderNamingAnUnknownClusterIsInvalidSpec() {
        var sim = FleetSimulator(serving: "2.1.0")
        sim.apply(fraudSpec("2.2.0", order: ["eks", "aks"]))
        let plan = sim.reconcile()
        #expect(sim.moves.isEmpty)
        #expect(sim.status?.phase == .degraded)
        #expect(sim.condition("Degraded")?.reason == "InvalidSpec")
        #expect(sim.condition("Degraded")?.message == "spec.rollout.order names aks, which is not a target cluster (targets: eks, gke)")
        #expect(plan.decisions.allSatisfy { $0.target == nil })
        #expect(plan.events.isEmpty)
    }

    @Test func missingRegistryIsInvalidSpecAndAnOverrideFixesIt() {
        var sim = FleetSimulator(serving: "2.1.0")
        sim.registries["gke"] = nil
        sim.reconcile()
        #expect(sim.condition("Degraded")?.reason == "InvalidSpec")
        #expect(sim.condition("Degraded")?.message == "cluster gke has no image registry: set registry in the operator configuration or spec.clusters[].registry")
        sim.apply(fraudSpec("2.1.0", clusters: [ClusterOverride(name: "eks"), ClusterOverride(name: "gke", registry: "gcr.example/p")]))
        let plan = sim.reconcile()
        #expect(sim.condition("Degraded")?.reason == "AsExpected")
        #expect(plan.decision(for: "gke")?.target?.image == "gcr.example/p/fraud-detector:2.1.0")
    }

    @Test func specClustersNamingAnUnknownMemberIsInvalidSpec() {
        var sim = FleetSimulator(serving: "2.1.0")
        sim.apply(fraudSpec("2.1.0", clusters: [ClusterOverride(name: "aks")]))
        sim.reconcile()
        #expect(sim.condition("Degraded")?.message == "spec.clusters names aks, which is not a member cluster (members: eks, gke)")
    }

    @Test func observedClustersAreNeverActedOnButCountInTheFleet() {
        var sim = FleetSimulator(serving: "2.1.0", spec: fraudSpec("2.1.0", strategy: .parallel))
        sim.modes["gke"] = .observe
        sim.setVersion("2.2.0")
        let plan = sim.reconcile()
        #expect(plan.decision(for: "gke")?.action == .leaveAlone(reason: "observe mode: another operator instance runs 2.2.0 here"))
        #expect(sim.row("gke")?.desiredVersion == "2.2.0")
        #expect(sim.version("gke") == "2.1.0")
    }

    @Test func noCopyAnywhereLeavesEverythingAlone() {
        var sim = FleetSimulator(serving: "2.1.0")
        sim.specs = [:]
        let plan = sim.reconcile()
        #expect(plan.decisions.allSatisfy { $0.target == nil })
        #expect(plan.events.isEmpty)
    }

    @Test func conditionsCarryTheirTransitionTimesAndAreWrittenInOrder() {
        var sim = FleetSimulator(serving: "2.1.0")
        let readySince = sim.status?.conditions?.first?.lastTransitionTime
        sim.reconcile(after: 100)
        #expect(sim.status?.conditions?.map(\.type) == ["Ready", "Progressing", "Degraded", "InSync"])
        #expect(sim.status?.conditions?.first?.lastTransitionTime == readySince)
        sim.setVersion("2.2.0")
        sim.reconcile(after: 100)
        #expect(sim.status?.conditions?.first?.status == .false)
        #expect(sim.status?.conditions?.first?.lastTransitionTime == "2027-01-15T08:03:20Z")
    }
}
