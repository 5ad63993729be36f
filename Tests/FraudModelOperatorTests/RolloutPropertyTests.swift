import Foundation
import FraudModelAPI
import FraudModelOperator
@testable import FraudModelPlanning
import Testing
import TandemTestSupport

/// Seeded random tests of the planner's guarantees. (x-sheep/swift-property-based cannot be
/// fetched in this workplace, so these are plain seeded loops; a failure prints its seed.)
@Suite struct RolloutPropertyTests {
    static let versions = ["1.0.0", "1.1.0", "1.2.0", "2.0.0"]

    /// A random fleet observation, including nonsense combinations.
    func randomFleet(_ g: inout SplitMix) -> FleetObservation {
        let names = Array(["eks", "gke", "aks"].prefix(2 + g.next(below: 2)))
        let order = g.chance(30) ? names.shuffled(using: &g) : nil
        let rollout = RolloutSpec(
            strategy: g.chance(50) ? .sequential : .parallel, order: order,
            bakeSeconds: g.next(below: 60), progressDeadlineSeconds: 1 + g.next(below: 400),
            onFailure: g.pick(FailurePolicy.allCases), paused: g.chance(10))
        var clusters: [ClusterObservation] = []
        for name in names {
            let spec = FraudModelSpec(modelVersion: g.pick(Self.versions), image: ImageSpec(repository: "fraud-detector"), rollout: rollout)
            let replicas = 1 + g.next(below: 3)
            let deployment = DeploymentObservation(
                version: g.chance(95) ? g.pick(Self.versions) : nil, image: "x", replicas: replicas,
                readyReplicas: g.next(below: replicas + 1), updatedReplicas: g.next(below: replicas + 1), isCurrent: !g.chance(20),
                progressDeadlineExceeded: g.chance(15), stuckReason: g.chance(20) ? "ImagePullBackOff" : nil)
            let model = ObservedFraudModel(spec: spec, generation: 1, retry: g.chance(40) ? g.pick(["1", "2"]) : nil)
            clusters.append(ClusterObservation(
                name: name, registry: g.chance(95) ? "reg-\(name)" : nil, mode: g.chance(20) ? .observe : .manage,
                reachable: !g.chance(15), model: g.chance(90) ? model : nil, deployment: g.chance(90) ? deployment : nil))
        }
        var rows: [ClusterStatus] = []
        for name in names {
            rows.append(ClusterStatus(
                name: name, desiredVersion: g.chance(50) ? g.pick(Self.versions) : nil,
                servingVersion: g.chance(50) ? g.pick(Self.versions) : nil,
                phase: g.chance(50) ? g.pick(ClusterPhase.allCases) : nil,
                lastTransitionTime: g.chance(50) ? t0.addingTimeInterval(-Double(g.next(below: 600))).formatted(.iso8601) : nil))
        }
        let previous = FraudModelStatus(
            phase: g.chance(50) ? g.pick(FleetPhase.allCases) : nil,
            lastGoodVersion: g.chance(80) ? g.pick(Self.versions) : nil, failedVersion: g.chance(40) ? g.pick(Self.versions) : nil,
            failedRetry: g.chance(40) ? g.pick(["1", "2"]) : nil, clusters: rows)
        return FleetObservation(
            namespace: "fraud", name: "fraud-detector", clusters: clusters, previousStatus: g.chance(90) ? previous : nil,
            now: t0.addingTimeInterval(Double(g.next(below: 100))))
    }

    @Test func clustersOnlyMoveToTheirOwnVersionOrLastGoodAndNeverToFailed() {
        for seed in 0..<3000 {
            var g = SplitMix(seed: UInt64(seed))
            let fleet = randomFleet(&g)
            let plan = RolloutPlanner.plan(fleet)
            #expect(plan == RolloutPlanner.plan(fleet), "seed \(seed): not deterministic")
            let previous = fleet.previousStatus
            let reference = fleet.clusters.first { $0.reachable && $0.model != nil }?.model
            for cluster in fleet.clusters {
                guard let decision = plan.decision(for: cluster.name) else {
                    Issue.record("seed \(seed): no decision for \(cluster.name)")
                    continue
                }
                guard let target = decision.target else { continue }
                #expect(cluster.reachable && cluster.mode == .manage, "seed \(seed): \(cluster.name) acted on")
                guard target.version != cluster.deployment?.version else { continue }
                // A move.
                #expect(
                    target.version == cluster.model?.spec.modelVersion || target.version == previous?.lastGoodVersion,
                    "seed \(seed): \(cluster.name) moved to \(target.version)")
                #expect(target.version != plan.status.failedVersion, "seed \(seed): \(cluster.name) moved to the failed version")
                // (A status naming one version both last good and failed is stale: the version is good.)
                if let failed = previous?.failedVersion, failed == target.version, failed != previous?.lastGoodVersion {
                    #expect(reference?.retry != previous?.failedRetry, "seed \(seed): \(cluster.name) retried \(failed) without a retry")
                }
                #expect(reference?.spec.rollout.paused != true, "seed \(seed): paused fleet moved \(cluster.name)")
            }
            #expect(plan.status.clusters?.count ?? 0 <= fleet.clusters.count)
        }
    }

    @Test func sequentialNeverMovesAClusterBeforeEveryEarlierOneBakedTheVersion() {
        var gatedMoves = 0
        var rollbacks = 0
        for seed in 0..<300 {
            var g = SplitMix(seed: UInt64(seed) &+ 1_000_000)
            let names = Array(["eks", "gke", "aks"].prefix(2 + g.next(below: 2)))
            let bake = g.next(below: 60)
            let spec = fraudSpec(
                "1.0.0", bake: bake, deadline: 30 + g.next(below: 300), order: g.next(below: 2) == 0 ? nil : names.shuffled(using: &g))
            var sim = FleetSimulator(names, serving: "1.0.0", spec: spec)
            let order = spec.rollout.order ?? names
            var next = 1
            for _ in 0..<60 {
                switch g.next(below: 10) {
                case 0:
                    next += 1
                    let version = "1.\(next).0"
                    let subset = g.next(below: 4) == 0 ? [names[g.next(below: names.count)]] : names
                    sim.setVersion(version, in: subset)
                    if g.next(below: 3) == 0 { sim.unpullable.insert("\(names[g.next(below: names.count)])/\(version)") }
                case 1: sim.reachable[names[g.next(below: names.count)]] = g.next(below: 2) == 0 ? false : nil
                case 2: sim.retry = Dictionary(uniqueKeysWithValues: names.map { ($0, "\(g.next(below: 3))") })
                default: break
                }
                let lastGood = sim.status?.lastGoodVersion
                let failedBefore = sim.status?.failedVersion
                let movesBefore = sim.moves.count
                sim.reconcile(after: 1 + g.next(below: 40))
                for move in sim.moves[movesBefore...] {
                    let own = sim.specs[move.cluster]?.modelVersion
                    #expect(move.to == own || move.to == lastGood, "seed \(seed): \(move.cluster) moved to \(move.to)")
                    #expect(move.to != sim.status?.failedVersion, "seed \(seed): \(move.cluster) moved to failed \(move.to)")
                    guard move.to == own, move.from != nil, move.to != failedBefore else {
                        rollbacks += 1
                        continue
                    }
                    if move.cluster != order.first { gatedMoves += 1 }
                    for earlier in order.prefix(while: { $0 != move.cluster }) {
                        let served = sim.observedDeployments[earlier]?.serves(move.to) == true
                        let readyFor = sim.observedReadySince[earlier].map { Int(move.time.timeIntervalSince($0)) } ?? -1
                        #expect(served && readyFor >= bake,
                                "seed \(seed): \(move.cluster) moved to \(move.to) at \(move.time) while \(earlier) served=\(served) for \(readyFor)s (bake \(bake))")
                    }
                }
            }
        }
        // The random walk must actually exercise gates and rollbacks.
        #expect(gatedMoves > 200)
        #expect(rollbacks > 20)
    }

    @Test func sequentialRolloutsCompleteWhenEveryVersionIsGood() {
        for seed in 0..<100 {
            var g = SplitMix(seed: UInt64(seed) &+ 7_000_000)
            let names = Array(["eks", "gke", "aks"].prefix(2 + g.next(below: 2)))
            var sim = FleetSimulator(names, serving: "1.0.0", spec: fraudSpec("1.0.0", bake: g.next(below: 60)))
            sim.setVersion("1.1.0")
            for _ in 0..<40 { sim.reconcile(after: 1 + g.next(below: 20)) }
            #expect(sim.status?.phase == .ready, "seed \(seed)")
            #expect(sim.status?.servingVersion == "1.1.0", "seed \(seed)")
            #expect(sim.moves.map(\.cluster) == names, "seed \(seed)")
        }
    }
}

