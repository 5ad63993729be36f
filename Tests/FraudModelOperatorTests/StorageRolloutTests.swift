import Foundation
import FraudModelAPI
import FraudModelOperator
@testable import FraudModelPlanning
import Testing

/// A model downloaded from an object store: the storage URIs travel with the revision through
/// the staged rollout, the bake and the rollback, while the image stays the same.
@Suite struct StorageRolloutTests {
    static let sha = String(repeating: "a", count: 64)
    static let s3 = "s3://fraud-models/fraud-detector/{version}/model.json"
    static let s3Next = "s3://fraud-models-v2/fraud-detector/{version}/model.json"
    static let gcs = "gs://fraud-models/fraud-detector/{version}/model.json"

    /// 2.1.0 from `template` (eks) and `gke` (gke's override), image tag 1.4.0.
    static func storageSpec(_ template: String = s3, gke: String = gcs, strategy: RolloutStrategy = .sequential) -> FraudModelSpec {
        var spec = fraudSpec(
            "2.1.0", strategy: strategy, bake: 30, deadline: 60,
            clusters: [ClusterOverride(name: "eks"), ClusterOverride(name: "gke", model: ClusterModelSource(storageURI: gke))])
        spec.image.tag = "1.4.0"
        spec.modelSHA256 = sha
        spec.model = ModelSource(storageURI: template, format: "xgboost_json")
        return spec
    }

    /// Both clusters serve `storageSpec()` ready, baked.
    func servingFromTheStore() -> FleetSimulator {
        var sim = FleetSimulator(serving: "2.1.0", spec: Self.storageSpec())
        sim.reconcile()
        sim.reconcile(after: 40)
        sim.reconcile(after: 1)
        return sim
    }

    func uri(_ sim: FleetSimulator, _ cluster: String) -> String? {
        sim.lastPlan?.decision(for: cluster)?.target?.modelURI
    }

    @Test func eachClusterDownloadsFromItsOwnStore() throws {
        let sim = servingFromTheStore()
        #expect(sim.status?.phase == .ready)
        #expect(sim.revision("eks") == ModelRevision(spec: Self.storageSpec()))
        #expect(uri(sim, "eks") == "s3://fraud-models/fraud-detector/2.1.0/model.json")
        #expect(uri(sim, "gke") == "gs://fraud-models/fraud-detector/2.1.0/model.json")
        #expect(sim.deployments["eks"]?.image == "reg-eks/fraud-detector:1.4.0")
        #expect(sim.status?.revisions?.first?.revision.storageURI == Self.s3)
    }

    @Test func onlyAStorageURIChangeRollsClusterByClusterWithTheSameImage() throws {
        var sim = servingFromTheStore()
        let before = sim.revision("gke")
        sim.events = []
        sim.apply(Self.storageSpec(Self.s3Next))
        let plan = sim.reconcile()
        #expect(sim.revision("eks") == ModelRevision(spec: Self.storageSpec(Self.s3Next)))
        #expect(uri(sim, "eks") == "s3://fraud-models-v2/fraud-detector/2.1.0/model.json")
        #expect(plan.decision(for: "gke")?.target?.revision == before, "gke waits for eks to bake the new URI")
        #expect(sim.deployments["eks"]?.image == "reg-eks/fraud-detector:1.4.0" && sim.deployments["gke"]?.image == "reg-gke/fraud-detector:1.4.0")
        #expect(sim.eventReasons().contains("RolloutStarted"))
        sim.reconcile(after: 1)
        sim.reconcile(after: 10)
        #expect(sim.revision("gke") == before)
        sim.reconcile(after: 21)
        #expect(sim.revision("gke") == ModelRevision(spec: Self.storageSpec(Self.s3Next)), "gke's own URI is unchanged, but it is the new revision's")
        #expect(uri(sim, "gke") == "gs://fraud-models/fraud-detector/2.1.0/model.json")
        sim.reconcile(after: 1)
        #expect(sim.status?.phase == .ready)
        #expect(sim.status?.revisions?.map(\.revision.storageURI) == [Self.s3Next, Self.s3])
        #expect(sim.moves.allSatisfy { $0.from == "2.1.0" && $0.to == "2.1.0" }, "no version changed, only where the model comes from")
    }

    @Test func aRollbackRestoresThePreviousURIs() throws {
        var sim = servingFromTheStore()
        let good = try #require(sim.revision("eks"))
        let broken = Self.storageSpec("s3://fraud-models/missing/{version}/model.json", gke: "gs://fraud-models/missing/{version}/model.json", strategy: .parallel)
        // A URI with no object behind it: the pods stay live but never ready.
        sim.neverReady = [ModelRevision(spec: broken).digest]
        sim.apply(broken)
        sim.reconcile()
        #expect(uri(sim, "eks") == "s3://fraud-models/missing/2.1.0/model.json")
        #expect(uri(sim, "gke") == "gs://fraud-models/missing/2.1.0/model.json")
        sim.reconcile(after: 61)
        #expect(sim.status?.failedVersion == "2.1.0")
        #expect(sim.status?.failedRevision == ModelRevision(spec: broken).digest)
        #expect(sim.revision("eks") == good && sim.revision("gke") == good)
        #expect(uri(sim, "eks") == "s3://fraud-models/fraud-detector/2.1.0/model.json")
        #expect(uri(sim, "gke") == "gs://fraud-models/fraud-detector/2.1.0/model.json")
        sim.reconcile(after: 1)
        #expect(sim.status?.phase == .degraded)
        #expect(sim.status?.servingVersion == "2.1.0")
    }

    @Test func aNewVersionResolvesTheTemplatesWithItAndKeepsTheImage() throws {
        var sim = servingFromTheStore()
        sim.setVersion("2.2.0")
        sim.reconcile()
        #expect(uri(sim, "eks") == "s3://fraud-models/fraud-detector/2.2.0/model.json")
        #expect(sim.deployments["eks"]?.image == "reg-eks/fraud-detector:1.4.0")
        #expect(sim.version("eks") == "2.2.0")
        #expect(uri(sim, "gke") == "gs://fraud-models/fraud-detector/2.1.0/model.json", "gke still runs 2.1.0, from 2.1.0's object")
    }
}
