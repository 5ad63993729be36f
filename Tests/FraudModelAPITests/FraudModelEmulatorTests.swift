import FraudModelAPI
import KubeAPI
import KubeEmulatorTestSupport
import Testing

/// The generated CRD and the example against the in-process kube-emulator's CRD handling.
@Suite struct FraudModelEmulatorTests {
    static let crds = "/apis/apiextensions.k8s.io/v1/customresourcedefinitions"
    static let fraudModels = "/apis/tandem.dev/v1alpha1/namespaces/default/fraudmodels"

    func install(_ client: EmulatorTestClient) async throws {
        let response = try await client.post(Self.crds, FraudModelCRD.json)
        guard response.status == 201 else { throw TestFailure("CRD create returned \(response.status): \(response.text)") }
    }

    func fraudModel(_ name: String, _ spec: JSONValue) -> JSONValue {
        ["apiVersion": "tandem.dev/v1alpha1", "kind": "FraudModel", "metadata": ["name": .string(name)], "spec": spec]
    }

    @Test func crdIsAcceptedAndTheExampleIsStoredWithDefaults() async throws {
        try await withEmulator { client in
            try await install(client)
            let example = try JSONValue(yaml: try TestPaths.read("examples/fraudmodel.yaml"))
            let created = try await client.post(Self.fraudModels, example)
            #expect(created.status == 201, "\(created.text)")
            var storage = try JSONValue(yaml: try TestPaths.read("examples/fraudmodel-storage.yaml"))
            storage[path: ["metadata", "name"]] = "from-the-store"
            let fromTheStore = try await client.post(Self.fraudModels, storage)
            #expect(fromTheStore.status == 201, "\(fromTheStore.text)")
            #expect(fromTheStore.json[path: ["spec", "clusters"]]?[1]?[path: ["model", "storageUri"]] == "gs://fraud-models/fraud-detector/{version}/model.json",
                    "the schema keeps the per-cluster URI")
            let minimal = try await client.post(Self.fraudModels, fraudModel("minimal", ["modelVersion": "2.1.0", "image": ["repository": "fraud-detector"]]))
            #expect(minimal.status == 201, "\(minimal.text)")
            let spec = minimal.json["spec"]
            #expect(spec?["replicas"] == 3)
            #expect(spec?["port"] == 8080)
            #expect(spec?[path: ["image", "pullPolicy"]] == "IfNotPresent")
            #expect(spec?[path: ["rollout", "strategy"]] == "Sequential")
            #expect(spec?[path: ["rollout", "bakeSeconds"]] == 30)
            #expect(spec?[path: ["rollout", "progressDeadlineSeconds"]] == 300)
            #expect(spec?[path: ["rollout", "onFailure"]] == "RollbackAll")
            #expect(spec?[path: ["rollout", "paused"]] == false)
            // What the API server stored decodes to the same spec the Swift defaults give.
            let stored = try FraudModel(json: minimal.json)
            #expect(stored.spec == FraudModelSpec(modelVersion: "2.1.0", image: ImageSpec(repository: "fraud-detector")))
            let byShortName = try await client.get("/apis/tandem.dev/v1alpha1/namespaces/default/fraudmodels/minimal")
            #expect(byShortName.status == 200)
        }
    }

    @Test func invalidFraudModelsAreRejectedNamingTheFields() async throws {
        try await withEmulator { client in
            try await install(client)
            let cases: [(JSONValue, Set<String>)] = [
                (["image": ["repository": "fraud-detector"]], ["spec.modelVersion"]),
                (["modelVersion": "2.1.0", "image": .emptyObject], ["spec.image.repository"]),
                (["modelVersion": "2.1.0", "image": ["repository": "f"], "replicas": 1001], ["spec.replicas"]),
                (["modelVersion": "2.1.0", "image": ["repository": "f"], "replicas": -1], ["spec.replicas"]),
                (["modelVersion": "2.1.0", "image": ["repository": "f"], "modelSHA256": .string(String(repeating: "A", count: 64))], ["spec.modelSHA256"]),
                (["modelVersion": "2.1.0", "image": ["repository": "f"], "rollout": ["strategy": "Canary"]], ["spec.rollout.strategy"]),
                (["modelVersion": "2.1.0", "image": ["repository": "f"], "rollout": ["onFailure": "Ignore"]], ["spec.rollout.onFailure"]),
                (["modelVersion": "2.1.0", "image": ["repository": "f"], "rollout": ["bakeSeconds": -5]], ["spec.rollout.bakeSeconds"]),
                (["modelVersion": "2.1.0", "image": ["repository": "f"], "clusters": [["name": "EKS_1"]]], ["spec.clusters[0].name"]),
                (["modelVersion": "2.1.0", "image": ["repository": "f"], "rollout": ["order": ["eks", "Gke"]]], ["spec.rollout.order[1]"]),
                (["modelVersion": "2.1.0", "image": ["repository": "f", "tag": "-x"]], ["spec.image.tag"]),
                (["modelVersion": "2.1.0", "image": ["repository": "f", "tag": "1"], "model": ["storageUri": "s3://b/{model}.json"]],
                 ["spec.model.storageUri"]),
                (["modelVersion": "2.1.0", "image": ["repository": "f", "tag": "1"], "model": ["storageUri": "s3://b/{version}.json"],
                  "clusters": [["name": "gke", "model": ["storageUri": "gs://b/m.json?sig=1"]]]], ["spec.clusters[0].model.storageUri"]),
            ]
            for (index, (spec, fields)) in cases.enumerated() {
                let response = try await client.post(Self.fraudModels, fraudModel("bad-\(index)", spec))
                #expect(response.status == 422, "case \(index): \(response.text)")
                let named = Set(response.statusObject?.causes.compactMap(\.field) ?? [])
                #expect(named == fields, "case \(index): \(response.text)")
                // The Swift decoder rejects the same objects, naming the same fields.
                var problems: Set<String> = []
                do { _ = try FraudModel(json: fraudModel("bad-\(index)", spec)) } catch let error as FraudModelDecodingError { problems = Set(error.problems.map(\.field)) }
                #expect(problems == fields, "case \(index)")
            }
        }
    }

    @Test func scaleSubresourceDrivesSpecReplicas() async throws {
        try await withEmulator { client in
            try await install(client)
            let created = try await client.post(Self.fraudModels, fraudModel("scaled", ["modelVersion": "1.0.0", "image": ["repository": "f"]]))
            #expect(created.status == 201)
            let scale = try await client.get("\(Self.fraudModels)/scaled/scale")
            #expect(scale.status == 200, "\(scale.text)")
            #expect(scale.json[path: ["spec", "replicas"]] == 3)
        }
    }
}
