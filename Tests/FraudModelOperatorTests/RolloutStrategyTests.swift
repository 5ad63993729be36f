import Foundation
import FraudModelAPI
import FraudModelOperator
@testable import FraudModelPlanning
import Testing

@Suite struct RolloutStrategyTests {
    @Test func convergedFleetIsReadyAndRecordsLastGoodVersion() throws {
        let sim = FleetSimulator(serving: "2.1.0")
        let status = try #require(sim.status)
        #expect(status.phase == .ready)
        #expect(status.servingVersion == "2.1.0")
        #expect(status.lastGoodVersion == "2.1.0")
        #expect(status.readyClusters == "2/2")
        #expect(sim.condition("Ready")?.status == "True")
        #expect(sim.condition("InSync")?.reason == "VersionsMatch")
        #expect(sim.row("eks") == ClusterStatus(
            name: "eks", provider: "aws", region: "r-eks", reachable: true, desiredVersion: "2.1.0",
            desiredRevision: ModelRevision(version: "2.1.0", repository: "fraud-detector").digest, servingVersion: "2.1.0",
            image: "reg-eks/fraud-detector:2.1.0", replicas: 3, readyReplicas: 3, updatedReplicas: 3, phase: .ready,
            message: "serving 2.1.0 with 3 replicas ready", lastTransitionTime: "2027-01-15T08:00:00Z"))
    }

    @Test func sequentialMovesTheNextClusterOnlyAfterTheEarlierOneBakes() {
        var sim = FleetSimulator(serving: "2.1.0")
        sim.setVersion("2.2.0")
        var plan = sim.reconcile()
        #expect(sim.version("eks") == "2.2.0")
        #expect(sim.version("gke") == "2.1.0")
        #expect(plan.decision(for: "eks")?.target == DeploymentTarget(revision: ModelRevision(version: "2.2.0", repository: "fraud-detector"), image: "reg-eks/fraud-detector:2.2.0", replicas: 3))
        #expect(plan.decision(for: "gke")?.target?.version == "2.1.0")
        #expect(sim.row("gke")?.phase == .pending)
        #expect(sim.row("gke")?.message == "waiting for eks to serve 2.2.0 with every replica ready")
        #expect(sim.status?.phase == .progressing)
        #expect(sim.eventReasons() == ["RolloutStarted", "ClusterPromoted"])

        plan = sim.reconcile(after: 5)
        #expect(sim.row("eks")?.phase == .ready)
        #expect(sim.row("gke")?.message == "waiting for eks to bake 2.2.0: ready for 0s of 30s")
        #expect(plan.requeueAfterSeconds == 30)
        #expect(sim.status?.readyClusters == "1/2")

        plan = sim.reconcile(after: 29)
        #expect(sim.version("gke") == "2.1.0")
        #expect(plan.requeueAfterSeconds == 1)

        sim.reconcile(after: 1)
        #expect(sim.version("gke") == "2.2.0")
        #expect(sim.eventReasons() == ["RolloutStarted", "ClusterPromoted", "ClusterPromoted"])

        sim.reconcile(after: 5)
        #expect(sim.status?.phase == .ready)
        #expect(sim.status?.servingVersion == "2.2.0")
        #expect(sim.status?.lastGoodVersion == "2.2.0")
        #expect(sim.eventReasons().last == "RolloutSucceeded")
        #expect(sim.moves.map { "\($0.cluster)@\(Int($0.time.timeIntervalSince(t0)))" } == ["eks@0", "gke@35"])
    }

    @Test func rolloutOrderOverridesConfigurationOrder() {
        var sim = FleetSimulator(["eks", "gke", "aks"], serving: "1.0.0")
        sim.apply(fraudSpec("1.1.0", bake: 10, order: ["gke", "aks"]))
        sim.reconcile()
        #expect(sim.version("gke") == "1.1.0")
        #expect(sim.version("eks") == "1.0.0")
        #expect(sim.version("aks") == "1.0.0")
        for _ in 0..<10 { sim.reconcile(after: 5) }
        #expect(sim.moves.map(\.cluster) == ["gke", "aks", "eks"])
        #expect(sim.status?.phase == .ready)
    }

    @Test func parallelMovesEveryClusterAtOnce() {
        var sim = FleetSimulator(serving: "2.1.0", spec: fraudSpec("2.1.0", strategy: .parallel))
        sim.setVersion("2.2.0")
        sim.reconcile()
        #expect(sim.version("eks") == "2.2.0")
        #expect(sim.version("gke") == "2.2.0")
        #expect(sim.eventReasons() == ["RolloutStarted", "ClusterPromoted", "ClusterPromoted"])
        sim.reconcile(after: 3)
        #expect(sim.status?.phase == .ready)
        #expect(sim.status?.servingVersion == "2.2.0")
    }

    @Test func zeroBakeMovesTheNextClusterAsSoonAsTheEarlierIsReady() {
        var sim = FleetSimulator(serving: "1.0.0", spec: fraudSpec("1.0.0", bake: 0))
        sim.setVersion("1.1.0")
        sim.reconcile()
        #expect(sim.version("gke") == "1.0.0")
        sim.reconcile(after: 2)
        #expect(sim.version("gke") == "1.1.0")
    }

    @Test func aClusterThatIsNotReadyStopsTheGateWithoutFailingBeforeTheDeadline() {
        var sim = FleetSimulator(serving: "1.0.0")
        sim.manualReadiness = ["eks"]
        sim.setVersion("1.1.0")
        sim.reconcile()
        let plan = sim.reconcile(after: 100)
        #expect(sim.row("eks")?.phase == .progressing)
        #expect(sim.row("eks")?.message == "moving to 1.1.0: 0/3 replicas ready")
        #expect(plan.requeueAfterSeconds == 200)
        #expect(sim.version("gke") == "1.0.0")
        #expect(sim.status?.failedVersion == nil)
    }

    @Test func newVersionMidRolloutSkipsTheOldOneEverywhere() {
        var sim = FleetSimulator(serving: "2.1.0")
        sim.setVersion("2.2.0")
        sim.reconcile()
        sim.reconcile(after: 10)
        #expect(sim.row("eks")?.phase == .ready)
        sim.setVersion("2.3.0")
        sim.reconcile(after: 1)
        #expect(sim.version("eks") == "2.3.0")
        #expect(sim.version("gke") == "2.1.0")
        for _ in 0..<20 { sim.reconcile(after: 5) }
        #expect(sim.moves.filter { $0.cluster == "gke" }.map(\.to) == ["2.3.0"])
        #expect(sim.status?.servingVersion == "2.3.0")
        #expect(sim.status?.lastGoodVersion == "2.3.0")
    }

    @Test func freshFleetIsCreatedClusterByCluster() {
        var sim = FleetSimulator(serving: "1.0.0")
        sim.deployments = [:]
        sim.status = nil
        let plan = sim.reconcile()
        #expect(sim.version("eks") == "1.0.0")
        #expect(sim.version("gke") == nil)
        #expect(plan.decision(for: "gke")?.action == .leaveAlone(reason: "waiting for eks to serve 1.0.0 with every replica ready"))
        #expect(sim.status?.phase == .progressing)
        sim.reconcile(after: 5)
        sim.reconcile(after: 30)
        #expect(sim.version("gke") == "1.0.0")
        sim.reconcile(after: 5)
        #expect(sim.status?.phase == .ready)
        #expect(sim.status?.lastGoodVersion == "1.0.0")
    }

    @Test func aPromotionIsAnnouncedOnceEvenWhenPlannedAgainBeforeTheDeploymentMoves() {
        var sim = FleetSimulator(serving: "2.1.0")
        sim.setVersion("2.2.0")
        let first = RolloutPlanner.plan(sim.observation)
        #expect(first.events.filter { $0.reason == .clusterPromoted }.map(\.message) == ["eks: moving to 2.2.0"])
        // The reconciler wrote the status, but its cache does not show eks's Deployment moved yet.
        sim.status = first.status
        let again = RolloutPlanner.plan(sim.observation)
        #expect(again.decision(for: "eks")?.target?.version == "2.2.0")
        #expect(again.events.isEmpty)
    }

    @Test func convergedFleetPlansTheSameStatusAgain() {
        var sim = FleetSimulator(serving: "2.1.0")
        let before = sim.status
        let plan = sim.reconcile(after: 3600)
        #expect(sim.status == before)
        #expect(plan.events.isEmpty)
        #expect(plan.requeueAfterSeconds == nil)
        #expect(RolloutPlanner.plan(sim.observation) == RolloutPlanner.plan(sim.observation))
    }

    @Test func perClusterReplicasAndRegistryOverridesShapeTheTarget() {
        var sim = FleetSimulator(serving: "1.0.0")
        sim.apply(fraudSpec("1.0.0", clusters: [ClusterOverride(name: "eks", replicas: 5), ClusterOverride(name: "gke", registry: "us-docker.pkg.dev/p/r")]))
        let plan = sim.reconcile()
        #expect(plan.decision(for: "eks")?.target == DeploymentTarget(revision: ModelRevision(version: "1.0.0", repository: "fraud-detector"), image: "reg-eks/fraud-detector:1.0.0", replicas: 5))
        #expect(plan.decision(for: "gke")?.target == DeploymentTarget(revision: ModelRevision(version: "1.0.0", repository: "fraud-detector"), image: "us-docker.pkg.dev/p/r/fraud-detector:1.0.0", replicas: 3))
    }

    @Test func specClustersRestrictsTheTargets() {
        var sim = FleetSimulator(serving: "1.0.0")
        sim.apply(fraudSpec("1.1.0", clusters: [ClusterOverride(name: "gke")]))
        let plan = sim.reconcile()
        #expect(plan.decision(for: "eks")?.action == .leaveAlone(reason: "not a target of spec.clusters"))
        #expect(sim.version("gke") == "1.1.0")
        #expect(sim.status?.clusters?.map(\.name) == ["gke"])
    }
}
