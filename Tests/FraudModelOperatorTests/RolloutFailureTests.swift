import Foundation
import FraudModelAPI
import FraudModelOperator
@testable import FraudModelPlanning
import Testing

@Suite struct RolloutFailureTests {
    /// eks cannot pull 2.2.0; gke can. Parallel, so both have moved when eks fails.
    func failingParallelRollout(_ onFailure: FailurePolicy) -> FleetSimulator {
        var sim = FleetSimulator(serving: "2.1.0", spec: fraudSpec("2.1.0", strategy: .parallel, onFailure: onFailure))
        sim.unpullable = ["eks/2.2.0"]
        sim.setVersion("2.2.0")
        sim.reconcile()
        sim.reconcile(after: 10)
        return sim
    }

    @Test func stuckClusterIsReportedBeforeTheDeadline() {
        let sim = failingParallelRollout(.rollbackAll)
        #expect(sim.row("eks")?.phase == .progressing)
        #expect(sim.row("eks")?.message == "moving to 2.2.0: 0/3 replicas ready; ImagePullBackOff on reg-eks/fraud-detector:2.2.0")
        #expect(sim.row("gke")?.phase == .ready)
        #expect(sim.status?.failedVersion == nil)
        #expect(sim.lastPlan?.requeueAfterSeconds == 290)
    }

    @Test func rollbackAllSendsEveryClusterBackToLastGoodVersion() {
        var sim = failingParallelRollout(.rollbackAll)
        sim.reconcile(after: 290)
        #expect(sim.version("eks") == "2.1.0")
        #expect(sim.version("gke") == "2.1.0")
        #expect(sim.status?.phase == .rollingBack)
        #expect(sim.status?.failedVersion == "2.2.0")
        #expect(sim.condition("Degraded")?.reason == "RolloutFailed")
        #expect(sim.condition("Degraded")?.message == "2.2.0 failed: eks: ImagePullBackOff on reg-eks/fraud-detector:2.2.0")
        #expect(sim.condition("Progressing")?.reason == "RollingBack")
        let failed = sim.events.first { $0.reason == .rolloutFailed }
        #expect(failed?.kind == .warning)
        #expect(failed?.message == "2.2.0 failed: eks: ImagePullBackOff on reg-eks/fraud-detector:2.2.0; rolling every cluster back to 2.1.0")

        sim.reconcile(after: 5)
        #expect(sim.status?.phase == .degraded)
        #expect(sim.status?.servingVersion == "2.1.0")
        #expect(sim.status?.lastGoodVersion == "2.1.0")
        #expect(sim.row("eks")?.message == "serving 2.1.0 because 2.2.0 failed")
        #expect(sim.condition("Degraded")?.message == "2.2.0 failed: eks: ImagePullBackOff on reg-eks/fraud-detector:2.2.0")
        #expect(sim.eventReasons().last == "RolledBack")
    }

    @Test func rollbackFailedOnlyMovesTheFailedCluster() {
        var sim = failingParallelRollout(.rollbackFailed)
        sim.reconcile(after: 290)
        #expect(sim.version("eks") == "2.1.0")
        #expect(sim.version("gke") == "2.2.0")
        sim.reconcile(after: 5)
        #expect(sim.status?.phase == .degraded)
        #expect(sim.status?.servingVersion == nil)
        #expect(sim.row("gke")?.phase == .ready)
        #expect(sim.row("eks")?.phase == .degraded)
        #expect(sim.status?.lastGoodVersion == "2.1.0")
    }

    @Test func pauseMovesNothingAfterAFailure() {
        var sim = failingParallelRollout(.pause)
        let movesBefore = sim.moves.count
        sim.reconcile(after: 290)
        sim.reconcile(after: 600)
        #expect(sim.moves.count == movesBefore)
        #expect(sim.version("eks") == "2.2.0")
        #expect(sim.status?.phase == .degraded)
        #expect(sim.row("eks")?.phase == .degraded)
        #expect(sim.row("eks")?.message == "2.2.0 failed; onFailure Pause holds it: 0/3 replicas ready; ImagePullBackOff on reg-eks/fraud-detector:2.2.0")
        #expect(sim.condition("Progressing")?.reason == "RolloutPaused")
    }

    @Test func progressDeadlineExceededFailsWithoutWaitingForTheDeadline() {
        var sim = FleetSimulator(serving: "2.1.0")
        sim.manualReadiness = ["eks"]
        sim.setVersion("2.2.0")
        sim.reconcile()
        sim.deployments["eks"]?.progressDeadlineExceeded = true
        sim.reconcile(after: 1)
        #expect(sim.status?.failedVersion == "2.2.0")
        #expect(sim.version("eks") == "2.1.0")
        #expect(sim.condition("Degraded")?.message == "2.2.0 failed: eks: ProgressDeadlineExceeded on reg-eks/fraud-detector:2.2.0")
    }

    @Test func sequentialFailureNeverReachesLaterClusters() {
        var sim = FleetSimulator(serving: "2.1.0")
        sim.unpullable = ["eks/2.2.0"]
        sim.setVersion("2.2.0")
        for _ in 0..<20 { sim.reconcile(after: 30) }
        #expect(!sim.moves.contains { $0.cluster == "gke" })
        #expect(sim.version("eks") == "2.1.0")
        #expect(sim.row("gke")?.message == "serving 2.1.0 because 2.2.0 failed")
    }

    @Test func failedVersionIsNotRetriedUntilTheRetryAnnotationChanges() {
        var sim = failingParallelRollout(.rollbackAll)
        sim.reconcile(after: 290)
        sim.reconcile(after: 5)
        let moves = sim.moves.count
        for _ in 0..<5 { sim.reconcile(after: 600) }
        #expect(sim.moves.count == moves)
        #expect(sim.status?.failedVersion == "2.2.0")

        sim.retry = ["eks": "1", "gke": "1"]
        sim.unpullable = []
        sim.reconcile(after: 1)
        #expect(sim.version("eks") == "2.2.0")
        #expect(sim.status?.failedVersion == nil)
        sim.reconcile(after: 5)
        #expect(sim.status?.phase == .ready)
        #expect(sim.condition("Degraded")?.status == "False")
    }

    @Test func aRetriedVersionThatFailsAgainIsRecordedWithTheNewRetryValue() {
        var sim = failingParallelRollout(.rollbackAll)
        sim.reconcile(after: 290)
        sim.reconcile(after: 5)
        sim.retry = ["eks": "2", "gke": "2"]
        sim.reconcile(after: 1)
        sim.reconcile(after: 300)
        #expect(sim.status?.failedVersion == "2.2.0")
        #expect(sim.status?.failedRetry == "2")
        #expect(sim.version("eks") == "2.1.0")
        let moves = sim.moves.count
        for _ in 0..<3 { sim.reconcile(after: 600) }
        #expect(sim.moves.count == moves)
    }

    @Test func degradedClearsOnceTheSpecMovesOffTheFailedVersionAndConverges() {
        var sim = failingParallelRollout(.rollbackAll)
        sim.reconcile(after: 290)
        sim.reconcile(after: 5)
        sim.setVersion("2.3.0")
        sim.reconcile(after: 1)
        #expect(sim.status?.failedVersion == "2.2.0")
        #expect(sim.condition("Degraded")?.status == "True")
        sim.reconcile(after: 5)
        #expect(sim.status?.failedVersion == nil)
        #expect(sim.status?.phase == .ready)
        #expect(sim.status?.lastGoodVersion == "2.3.0")
        #expect(sim.condition("Degraded")?.reason == "AsExpected")
    }

    /// The spec is rolled back to the last good version after the automatic rollback.
    @Test func rollingTheSpecBackToLastGoodClearsTheFailure() {
        var sim = failingParallelRollout(.rollbackAll)
        sim.reconcile(after: 290)
        sim.reconcile(after: 5)
        let moves = sim.moves.count
        sim.setVersion("2.1.0")
        sim.reconcile(after: 1)
        #expect(sim.moves.count == moves)
        #expect(sim.status?.phase == .ready)
        #expect(sim.status?.failedVersion == nil)
        #expect(sim.eventReasons().last == "RolloutSucceeded")
    }

    /// A new version applied while the fleet is rolling back goes forward again, gated as usual.
    @Test func newVersionDuringRollbackRollsForward() {
        var sim = FleetSimulator(serving: "2.1.0", spec: fraudSpec("2.1.0", strategy: .parallel))
        sim.unpullable = ["eks/2.2.0"]
        sim.manualReadiness = ["gke"]
        sim.setVersion("2.2.0")
        sim.reconcile()
        sim.reconcile(after: 300)
        #expect(sim.status?.phase == .rollingBack)
        sim.setVersion("2.3.0")
        sim.manualReadiness = []
        sim.reconcile(after: 1)
        #expect(sim.version("eks") == "2.3.0")
        #expect(sim.version("gke") == "2.3.0")
        sim.reconcile(after: 5)
        #expect(sim.status?.phase == .ready)
        #expect(sim.status?.failedVersion == nil)
    }

    /// The rollback itself cannot complete: it is reported, nothing moves to the failed version.
    @Test func aStuckRollbackIsReportedAndNeverReturnsToTheFailedVersion() {
        var sim = failingParallelRollout(.rollbackAll)
        sim.unpullable.insert("eks/2.1.0")
        sim.reconcile(after: 290)
        for _ in 0..<5 { sim.reconcile(after: 400) }
        #expect(sim.version("eks") == "2.1.0")
        #expect(sim.status?.phase == .rollingBack)
        #expect(sim.row("eks")?.message == "rolling back to 2.1.0 after 2.2.0 failed: 0/3 replicas ready; ImagePullBackOff on reg-eks/fraud-detector:2.1.0")
        #expect(sim.moves.filter { $0.to == "2.2.0" }.count == 2)
    }

    @Test func firstEverRolloutThatFailsHasNoRollbackTargetAndHolds() {
        var sim = FleetSimulator(serving: "1.0.0")
        sim.deployments = [:]
        sim.status = nil
        sim.unpullable = ["eks/1.0.0"]
        sim.reconcile()
        sim.reconcile(after: 300)
        #expect(sim.status?.failedVersion == "1.0.0")
        #expect(sim.status?.lastGoodVersion == nil)
        #expect(sim.version("eks") == "1.0.0")
        #expect(sim.version("gke") == nil)
        #expect(sim.status?.phase == .degraded)
    }
}
