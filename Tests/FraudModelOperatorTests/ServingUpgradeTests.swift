import FraudModelAPI
import FraudModelOperator
@testable import FraudModelPlanning
import KubeAPI
import Testing

/// An operator upgrade must not rewrite what an older release applied for the same spec: the
/// applied configuration (and so its `tandem.dev/config-hash`) is pinned for specs that use
/// none of the newer fields.
@Suite struct ServingUpgradeTests {
    static func model(_ spec: JSONValue) throws -> FraudModel {
        try FraudModel(json: [
            "apiVersion": "tandem.dev/v1alpha1", "kind": "FraudModel",
            "metadata": ["name": "fraud-detector", "namespace": "fraud", "uid": "uid-1", "generation": 2],
            "spec": spec,
        ])
    }

    @Test(arguments: [
        (["modelVersion": "2.1.0", "image": ["repository": "fraud-detector"]] as JSONValue, "bbd8b85439746440"),
        ([
            "modelVersion": "2.2.0", "image": ["repository": "fraud-detector", "pullPolicy": "Always"],
            "modelSHA256": .string(String(repeating: "ab", count: 32)), "threshold": 0.7, "port": 9090,
            "model": ["path": "/models/m.json", "format": "xgboost_json"], "resources": ["limits": ["cpu": "1"]],
        ] as JSONValue, "0bd5a6c2842a3868"),
    ])
    func theDeploymentOfASpecWithoutNewerFieldsIsUnchanged(_ spec: JSONValue, _ hash: String) throws {
        let model = try Self.model(spec)
        let revision = ModelRevision(spec: model.spec)
        let target = DeploymentTarget(revision: revision, image: revision.image(registry: "123.dkr.ecr.us-east-1.amazonaws.com"), replicas: 3)
        let stamped = AppliedConfiguration.stamped(ServingDeployment.configuration(for: model, target: target))
        #expect(stamped[path: ["metadata", "annotations", "tandem.dev/config-hash"]] == .string(hash))
    }
}
