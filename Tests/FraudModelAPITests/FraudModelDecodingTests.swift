import FraudModelAPI
import KubeAPI
import Testing
import TandemTestSupport

@Suite struct FraudModelDecodingTests {
    static let minimal: JSONValue = [
        "apiVersion": "tandem.dev/v1alpha1", "kind": "FraudModel",
        "metadata": ["name": "fraud-detector", "namespace": "fraud", "generation": 4, "annotations": ["tandem.dev/retry": "1"]],
        "spec": ["modelVersion": "2.1.0", "image": ["repository": "fraud-detector"]],
    ]

    func problems(_ mutate: (inout JSONValue) -> Void) -> [FraudModelDecodingError.Problem] {
        var json = Self.minimal
        mutate(&json)
        do {
            _ = try FraudModel(json: json)
            return []
        } catch {
            return error.problems
        }
    }

    @Test func minimalSpecGetsEveryDefault() throws {
        let model = try FraudModel(json: Self.minimal)
        #expect(model.spec.replicas == FraudModelDefaults.replicas)
        #expect(model.spec.threshold == 0.5)
        #expect(model.spec.port == 8080)
        #expect(model.spec.image.pullPolicy == .ifNotPresent)
        #expect(model.spec.rollout == RolloutSpec(strategy: .sequential, bakeSeconds: 30, progressDeadlineSeconds: 300, onFailure: .rollbackAll, paused: false))
        #expect(model.retryAnnotation == "1")
        #expect(model.metadata.generation == 4)
        #expect(model.status == nil)
    }

    @Test func exampleManifestDecodes() throws {
        let model = try FraudModel(json: try JSONValue(yaml: try TestPaths.read("examples/fraudmodel.yaml")))
        #expect(model.spec.modelVersion == "2.1.0")
        #expect(model.spec.resources?.limits?["cpu"] == "1")
        #expect(model.spec.replicas(for: "gke") == 3)
        #expect(model.spec.override(for: "gke")?.registry == "us-central1-docker.pkg.dev/my-gcp-project/my-repo")
        #expect(model.spec.rollout.order == ["eks", "gke"])
    }

    @Test func missingRequiredFieldsAreNamed() {
        #expect(problems { $0[path: ["spec", "modelVersion"]] = nil }.map(\.field) == ["spec.modelVersion"])
        #expect(problems { $0[path: ["spec", "image", "repository"]] = nil }.map(\.field) == ["spec.image.repository"])
        #expect(problems { $0["spec"] = nil }.map(\.field) == ["spec"])
    }

    @Test func wrongTypesAreNamedWithTheirPath() {
        let found = problems { $0[path: ["spec", "rollout"]] = ["bakeSeconds": "thirty"] }
        #expect(found.map(\.field) == ["spec.rollout.bakeSeconds"])
        #expect(found.first?.message.contains("integer") == true)
        let inArray = problems { $0[path: ["spec", "clusters"]] = [["name": "eks"], ["name": 7]] }
        #expect(inArray.map(\.field) == ["spec.clusters[1].name"])
        let badEnum = problems { $0[path: ["spec", "rollout"]] = ["strategy": "Canary"] }
        #expect(badEnum.map(\.field) == ["spec.rollout.strategy"])
        #expect(badEnum.first?.message.contains("Canary") == true)
    }

    @Test func rangeAndPatternViolationsAreAllReported() {
        let found = problems {
            $0[path: ["spec", "replicas"]] = 1001
            $0[path: ["spec", "modelSHA256"]] = "ABC"
            $0[path: ["spec", "rollout"]] = ["bakeSeconds": -1, "order": ["eks", "EKS", "eks"]]
            $0[path: ["spec", "clusters"]] = [["name": "gke_1", "replicas": -2]]
        }
        #expect(Set(found.map(\.field)) == [
            "spec.replicas", "spec.modelSHA256", "spec.rollout.bakeSeconds", "spec.rollout.order[1]", "spec.rollout.order[2]",
            "spec.clusters[0].name", "spec.clusters[0].replicas",
        ])
        #expect(found.first { $0.field == "spec.replicas" }?.message == "must be between 0 and 1000, got 1001")
    }

    @Test func errorDescriptionNamesObjectAndFields() {
        var json = Self.minimal
        json[path: ["spec", "replicas"]] = -1
        #expect(throws: FraudModelDecodingError.self) { try FraudModel(json: json) }
        do {
            _ = try FraudModel(json: json)
        } catch {
            #expect(error.description == "FraudModel fraud/fraud-detector is invalid: spec.replicas: must be between 0 and 1000, got -1")
        }
    }

    @Test func wrongKindAndNonObjectsAreRejected() {
        #expect(problems { $0["kind"] = "Deployment" }.map(\.field) == ["kind"])
        for value: JSONValue in [.null, 3, "x", [1, 2]] {
            #expect(throws: FraudModelDecodingError.self) { try FraudModel(json: value) }
        }
    }

    @Test func arbitraryInputNeverTraps() {
        var generator = SplitMix(seed: 7)
        for _ in 0..<2000 {
            var json = Self.minimal
            let paths: [[String]] = [
                ["spec"], ["spec", "modelVersion"], ["spec", "image"], ["spec", "replicas"], ["spec", "threshold"],
                ["spec", "rollout"], ["spec", "rollout", "order"], ["spec", "clusters"], ["spec", "resources"],
                ["metadata"], ["status"], ["status", "clusters"], ["status", "conditions"], ["status", "phase"],
            ]
            for _ in 0..<3 { json[path: paths[generator.next(below: paths.count)]] = randomJSON(&generator, depth: 3) }
            _ = try? FraudModel(json: json)
        }
    }

    @Test func malformedStatusReadsLenientlyAndKeepsWhatItCan() throws {
        var json = Self.minimal
        json["status"] = [
            "phase": "Exploded", "lastGoodVersion": "2.0.0", "failedVersion": 3,
            "clusters": [["name": "eks", "replicas": "three", "phase": "Ready"], ["nope": true]],
            "conditions": [["type": "Ready"]],
        ]
        let status = try #require(try FraudModel(json: json).status)
        #expect(status.phase == nil)
        #expect(status.lastGoodVersion == "2.0.0")
        #expect(status.failedVersion == nil)
        #expect(status.clusters == [ClusterStatus(name: "eks", phase: .ready)])
        #expect(status.conditions == [])
    }

    @Test func statusWritesKeepUnknownFields() throws {
        var json = Self.minimal
        json["status"] = ["phase": "Ready", "futureField": ["x": 1], "servingVersion": "1.0.0"]
        json[path: ["spec", "futureSpecField"]] = "kept"
        let model = try FraudModel(json: json)
        let written = try model.updatingStatus(FraudModelStatus(phase: .progressing, readyClusters: "1/2"))
        #expect(written[path: ["status", "futureField", "x"]] == 1)
        #expect(written[path: ["status", "phase"]] == "Progressing")
        #expect(written[path: ["status", "servingVersion"]] == nil)
        #expect(written[path: ["spec", "futureSpecField"]] == "kept")
        #expect(written["metadata"] == json["metadata"])
    }

    @Test func statusForCopySetsGenerationAndOwnReplicas() {
        let time = "2026-01-01T00:00:00Z"
        let status = FraudModelStatus(
            clusters: [ClusterStatus(name: "eks", readyReplicas: 3), ClusterStatus(name: "gke", readyReplicas: 1)],
            conditions: [Condition(type: "Ready", status: .true, reason: "AllClustersReady", lastTransitionTime: time)])
        let copy = status.forCopy(generation: 9, cluster: "gke")
        #expect(copy.observedGeneration == 9)
        #expect(copy.replicas == 1)
        #expect(copy.conditions?.first?.observedGeneration == 9)
    }
}

func randomJSON(_ generator: inout SplitMix, depth: Int) -> JSONValue {
    let pick = generator.next(below: depth > 0 ? 9 : 7)
    switch pick {
    case 0: return .null
    case 1: return .bool(generator.next(below: 2) == 0)
    case 2: return .int(Int64(bitPattern: generator.next()) >> generator.next(below: 64))
    case 3: return .double(Double(generator.next(below: 2000)) / 7 - 100)
    case 4: return .string(["", "2.1.0", "eks", "Sequential", "RollbackAll", "Ready", "ÿ\u{0}", String(repeating: "a", count: 300)][generator.next(below: 8)])
    case 5: return .double(1e300)
    case 6: return .int(Int64.max)
    case 7: return .array((0..<generator.next(below: 4)).map { _ in randomJSON(&generator, depth: depth - 1) })
    default:
        let keys = ["name", "modelVersion", "repository", "replicas", "order", "strategy", "bakeSeconds", "registry", "phase", "type"]
        var members: [String: JSONValue] = [:]
        for _ in 0..<generator.next(below: 4) { members[keys[generator.next(below: keys.count)]] = randomJSON(&generator, depth: depth - 1) }
        return .object(members)
    }
}
