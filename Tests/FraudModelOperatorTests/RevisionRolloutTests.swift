import Foundation
import FraudModelAPI
import FraudModelOperator
@testable import FraudModelPlanning
import KubeAPI
import Testing

/// A version is a whole revision: image, checksum, model file and format, threshold travel
/// together through the staged rollout, the bake and the rollback.
@Suite struct RevisionRolloutTests {
    static let shaA = String(repeating: "a", count: 64)
    static let shaB = String(repeating: "b", count: 64)

    /// 2.1.0 with checksum A, threshold 0.5, an XGBoost file.
    static func goodSpec() -> FraudModelSpec {
        var spec = fraudSpec("2.1.0", bake: 30, deadline: 60)
        spec.modelSHA256 = shaA
        spec.model = ModelSource(path: "/models/v1.json", format: "xgboost_json")
        return spec
    }

    /// The spec moved to 2.2.0 with checksum B, threshold 0.7 and a LightGBM file.
    static func nextSpec(_ strategy: RolloutStrategy = .sequential) -> FraudModelSpec {
        var spec = goodSpec()
        spec.rollout.strategy = strategy
        spec.modelVersion = "2.2.0"
        spec.modelSHA256 = shaB
        spec.threshold = 0.7
        spec.model = ModelSource(path: "/models/v2.txt", format: "lightgbm_text")
        return spec
    }

    static let good = ModelRevision(
        version: "2.1.0", repository: "fraud-detector", modelSHA256: shaA, modelPath: "/models/v1.json", modelFormat: "xgboost_json", threshold: 0.5)

    func servingGood() -> FleetSimulator {
        var sim = FleetSimulator(serving: "2.1.0", spec: Self.goodSpec())
        // The initial Deployments were made from the version alone: let the operator bring them to the revision.
        sim.reconcile()
        sim.reconcile(after: 40)
        sim.reconcile(after: 1)
        return sim
    }

    /// After eks moved: eks becomes ready, bakes 30 s, then gke moves and becomes ready.
    func rollOn(_ sim: inout FleetSimulator) {
        sim.reconcile(after: 1)
        sim.reconcile(after: 31)
        sim.reconcile(after: 1)
    }

    @Test func theFleetRecordsTheRevisionThatServed() throws {
        let sim = servingGood()
        #expect(sim.revision("eks") == Self.good)
        #expect(sim.revision("gke") == Self.good)
        let history = try #require(sim.status?.revisions)
        #expect(history.first?.revision == Self.good)
        #expect(sim.status?.lastGoodVersion == "2.1.0")
    }

    @Test func aClusterWaitingItsTurnKeepsItsWholeRevision() throws {
        var sim = servingGood()
        sim.apply(Self.nextSpec())
        let plan = sim.reconcile()
        #expect(sim.revision("eks") == ModelRevision(spec: Self.nextSpec()))
        // gke waits for eks to bake: its Deployment keeps 2.1.0's checksum, file and threshold, not the new spec's.
        #expect(plan.decision(for: "gke")?.target?.revision == Self.good)
        #expect(sim.revision("gke") == Self.good)
    }

    @Test func aRollbackRestoresExactlyTheRevisionThatLastServed() throws {
        var sim = servingGood()
        sim.neverReady = [ModelRevision(spec: Self.nextSpec(.parallel)).digest]
        sim.apply(Self.nextSpec(.parallel))
        sim.reconcile()
        #expect(sim.version("eks") == "2.2.0" && sim.version("gke") == "2.2.0")
        sim.reconcile(after: 61)
        #expect(sim.status?.failedVersion == "2.2.0")
        #expect(sim.status?.failedRevision == ModelRevision(spec: Self.nextSpec(.parallel)).digest)
        // Back on 2.1.0 with 2.1.0's checksum, file, format and threshold: pods that can become ready.
        #expect(sim.revision("eks") == Self.good)
        #expect(sim.revision("gke") == Self.good)
        sim.reconcile(after: 1)
        #expect(sim.status?.servingVersion == "2.1.0")
        #expect(sim.status?.phase == .degraded)
    }

    @Test func aThresholdChangeUnderTheSameVersionIsStagedAndBaked() throws {
        var sim = servingGood()
        var changed = Self.goodSpec()
        changed.threshold = 0.8
        sim.apply(changed)
        sim.reconcile()
        #expect(sim.revision("eks")?.threshold == 0.8)
        #expect(sim.revision("gke")?.threshold == 0.5, "gke waits for eks to bake the new threshold")
        #expect(sim.row("gke")?.phase == .pending)
        sim.reconcile(after: 10)
        #expect(sim.revision("gke")?.threshold == 0.5)
        sim.reconcile(after: 31)
        #expect(sim.revision("gke")?.threshold == 0.8)
        sim.reconcile(after: 1)
        #expect(sim.status?.phase == .ready)
        #expect(sim.status?.revisions?.map(\.revision.threshold) == [0.8, 0.5])
    }

    @Test func aFailedRevisionIsRetriedWhenItsContentChangesUnderTheSameVersion() throws {
        var sim = servingGood()
        var wrong = Self.goodSpec()
        wrong.modelVersion = "2.2.0"
        wrong.modelSHA256 = Self.shaB
        sim.neverReady = [ModelRevision(spec: wrong).digest]
        sim.apply(wrong)
        sim.reconcile()
        sim.reconcile(after: 61)
        #expect(sim.status?.failedVersion == "2.2.0")
        #expect(sim.revision("eks") == Self.good)
        sim.reconcile(after: 1)
        // The same revision is not tried again...
        sim.reconcile(after: 5)
        #expect(sim.revision("eks") == Self.good)
        // ...but the corrected checksum is a new revision of 2.2.0, and rolls out.
        var fixed = wrong
        fixed.modelSHA256 = String(repeating: "c", count: 64)
        sim.apply(fixed)
        sim.reconcile()
        #expect(sim.revision("eks") == ModelRevision(spec: fixed))
        rollOn(&sim)
        #expect(sim.revision("gke") == ModelRevision(spec: fixed))
        sim.reconcile(after: 1)
        #expect(sim.status?.phase == .ready)
        #expect(sim.status?.failedVersion == nil)
        #expect(sim.status?.lastGoodVersion == "2.2.0")
    }

    @Test func theHistoryKeepsTheNewestTenRevisions() throws {
        var sim = servingGood()
        for minor in 2...13 {
            sim.setVersion("2.\(minor).0")
            sim.reconcile()
            rollOn(&sim)
            #expect(sim.status?.servingVersion == "2.\(minor).0")
        }
        let versions = try #require(sim.status?.revisions).map(\.revision.version)
        #expect(versions == (4...13).reversed().map { "2.\($0).0" })
    }

    @Test func aStatusWithoutHistoryRollsBackToWhatADeploymentStillServes() throws {
        var sim = servingGood()
        sim.status?.revisions = nil
        sim.neverReady = [ModelRevision(spec: Self.nextSpec()).digest]
        sim.apply(Self.nextSpec())
        sim.reconcile()
        sim.reconcile(after: 61)
        #expect(sim.status?.failedVersion == "2.2.0")
        #expect(sim.revision("eks") == Self.good, "gke still served 2.1.0's revision: the rollback takes it from there")
    }

    @Test func servedRevisionsRoundTripThroughStatusJSON() throws {
        let status = FraudModelStatus(revisions: [ServedRevision(revision: Self.good, servedAt: "2027-01-15T08:00:00Z")])
        let json = try JSONValue(encoding: status)
        #expect(json[path: ["revisions"]]?[0]?["digest"] == .string(Self.good.digest))
        #expect(json[path: ["revisions"]]?[0]?["modelSHA256"] == .string(Self.shaA))
        let decoded = try json.decode(as: FraudModelStatus.self)
        #expect(decoded.revisions == status.revisions)
    }
}
