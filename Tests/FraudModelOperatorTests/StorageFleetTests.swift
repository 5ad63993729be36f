import FraudModelAPI
import FraudModelOperator
@testable import FraudModelPlanning
import KubeAPI
import KubeEmulatorTestSupport
import Testing

/// Models downloaded from S3 (EKS) and GCS (GKE) by pods running as a ServiceAccount with each
/// cloud's workload identity: the operator against two in-process emulators.
@Suite(.serialized) struct StorageFleetTests {
    static let name = "fraud-detector"
    static let s3 = "s3://fraud-models/fraud-detector/{version}/model.json"
    static let gcs = "gs://fraud-models/fraud-detector/{version}/model.json"
    static let roleArn = "arn:aws:iam::123456789012:role/fraud-models-read"
    static let googleAccount = "fraud-models@my-project.iam.gserviceaccount.com"
    static let members = [
        FleetMember(name: "eks", provider: "aws", region: "us-east-1", registry: "123.dkr.ecr.us-east-1.amazonaws.com",
                    serving: MemberServing(awsRoleArn: roleArn, environment: ["AWS_REGION": "us-east-1"])),
        FleetMember(name: "gke", provider: "gcp", region: "us-central1", registry: "us-docker.pkg.dev/p/r",
                    serving: MemberServing(gcpServiceAccount: googleAccount)),
    ]
    static let serviceAccounts = "/api/v1/namespaces/default/serviceaccounts"
    var deployment: String { "\(OperatorFleet.deployments)/\(Self.name)" }
    var fraudModel: String { "\(OperatorFleet.fraudModels)/\(Self.name)" }
    var accountPath: String { "\(Self.serviceAccounts)/\(Self.name)-serving" }

    /// The spec's storage part: image tag 1.4.0, `s3` for eks and `gcs` for gke.
    static func storage(_ s3: String = s3, gke gcs: String = gcs, tag: String = "1.4.0") -> [String: JSONValue] {
        [
            "image": ["repository": "fraud-detector", "tag": .string(tag)],
            "model": ["storageUri": .string(s3), "format": "xgboost_json"],
            "clusters": [["name": "eks"], ["name": "gke", "model": ["storageUri": .string(gcs)]]],
        ]
    }

    func isReady(_ object: JSONValue) -> Bool {
        object[path: ["status", "phase"]] == "Ready" && object[path: ["status", "readyClusters"]] == "2/2"
    }

    func modelURI(_ deployment: JSONValue) -> String? {
        deployment[path: ["spec", "template", "spec", "containers"]]?[0]?["env"]?.arrayValue?
            .first { $0["name"] == "MODEL_URI" }?["value"]?.stringValue
    }

    func image(_ deployment: JSONValue) -> String? {
        deployment[path: ["spec", "template", "spec", "containers"]]?[0]?["image"]?.stringValue
    }

    @Test func aStorageURIChangeMovesClusterByClusterAsTheCloudsIdentity() async throws {
        try await withOperatorFleet(Self.members) { fleet in
            try await fleet.createEverywhere(OperatorFleet.fraudModel(Self.name, version: "2.1.0", rollout: ["bakeSeconds": 2], extra: Self.storage()))
            for cluster in ["eks", "gke"] { try await fleet.eventually(cluster, fraudModel, within: .seconds(30), isReady) }
            let eks = try await fleet.admins["eks"]!.get(deployment).json
            #expect(modelURI(eks) == "s3://fraud-models/fraud-detector/2.1.0/model.json")
            #expect(image(eks) == "123.dkr.ecr.us-east-1.amazonaws.com/fraud-detector:1.4.0")
            #expect(eks[path: ["spec", "template", "spec", "serviceAccountName"]] == "fraud-detector-serving")
            #expect(eks[path: ["spec", "template", "spec", "volumes"]]?[0]?["name"] == "model-cache")
            let gke = try await fleet.admins["gke"]!.get(deployment).json
            #expect(modelURI(gke) == "gs://fraud-models/fraud-detector/2.1.0/model.json")
            let eksAccount = try await fleet.admins["eks"]!.get(accountPath).json
            #expect(eksAccount[path: ["metadata", "annotations", "eks.amazonaws.com/role-arn"]] == .string(Self.roleArn))
            #expect(eksAccount[path: ["metadata", "ownerReferences"]]?[0]?["kind"] == "FraudModel")
            #expect(eksAccount["automountServiceAccountToken"] == false)
            let gkeAccount = try await fleet.admins["gke"]!.get(accountPath).json
            #expect(gkeAccount[path: ["metadata", "annotations", "iam.gke.io/gcp-service-account"]] == .string(Self.googleAccount))
            #expect(gkeAccount[path: ["metadata", "annotations", "eks.amazonaws.com/role-arn"]] == nil)

            // Converged, ServiceAccounts included: no write at all.
            try await Task.sleep(for: .seconds(1))
            let before = try await (fleet.operatorWrites(in: "eks"), fleet.operatorWrites(in: "gke"))
            try await Task.sleep(for: .seconds(2))
            let after = try await (fleet.operatorWrites(in: "eks"), fleet.operatorWrites(in: "gke"))
            #expect(before == after, "writes to a converged fleet: \(before) → \(after)")

            // Only the stores change: same version, same image, new revision, eks first.
            let next = Self.storage("s3://fraud-models-v2/fraud-detector/{version}/model.json", gke: "gs://fraud-models-v2/fraud-detector/{version}/model.json")
            for (_, admin) in fleet.admins { _ = try await admin.patch(fraudModel, ["spec": .object(next)]) }
            try await fleet.eventually("eks", deployment) { modelURI($0) == "s3://fraud-models-v2/fraud-detector/2.1.0/model.json" }
            #expect(modelURI(try await fleet.admins["gke"]!.get(deployment).json) == "gs://fraud-models/fraud-detector/2.1.0/model.json",
                    "gke keeps its URI until eks has served the new one ready for the bake")
            try await fleet.eventually("gke", deployment, within: .seconds(20)) { modelURI($0) == "gs://fraud-models-v2/fraud-detector/2.1.0/model.json" }
            for cluster in ["eks", "gke"] {
                let copy = try await fleet.eventually(cluster, fraudModel, within: .seconds(20)) {
                    isReady($0) && $0[path: ["status", "revisions"]]?[0]?["storageUri"] == "s3://fraud-models-v2/fraud-detector/{version}/model.json"
                }
                #expect(copy[path: ["status", "revisions"]]?[1]?["storageUri"] == .string(Self.s3))
                #expect(image(try await fleet.admins[cluster]!.get(deployment).json)?.hasSuffix("/fraud-detector:1.4.0") == true)
            }
        }
    }

    @Test func aFailedRevisionRollsBackToThePreviousImageAndURIs() async throws {
        try await withOperatorFleet(Self.members, unpullableImages: "broken") { fleet in
            try await fleet.createEverywhere(OperatorFleet.fraudModel(
                Self.name, version: "2.1.0", rollout: ["bakeSeconds": 1, "progressDeadlineSeconds": 2], extra: Self.storage()))
            for cluster in ["eks", "gke"] { try await fleet.eventually(cluster, fraudModel, within: .seconds(30), isReady) }
            let next = Self.storage("s3://fraud-models-v2/fraud-detector/{version}/model.json", tag: "1.5.0-broken")
            for (_, admin) in fleet.admins { _ = try await admin.patch(fraudModel, ["spec": .object(next)]) }
            try await fleet.eventually("gke", fraudModel, within: .seconds(30)) {
                $0[path: ["status", "phase"]] == "Degraded" && $0[path: ["status", "failedVersion"]] == "2.1.0"
            }
            for cluster in ["eks", "gke"] {
                let restored = try await fleet.eventually(cluster, deployment, within: .seconds(20)) {
                    image($0)?.hasSuffix("/fraud-detector:1.4.0") == true
                }
                #expect(modelURI(restored) == (cluster == "eks"
                    ? "s3://fraud-models/fraud-detector/2.1.0/model.json" : "gs://fraud-models/fraud-detector/2.1.0/model.json"))
            }
        }
    }

    @Test func aServiceAccountTheOperatorDidNotCreateIsLeftAlone() async throws {
        try await withOperatorFleet(Self.members) { fleet in
            let theirs: JSONValue = ["apiVersion": "v1", "kind": "ServiceAccount", "metadata": ["name": "fraud-detector-serving", "labels": ["team": "risk"]]]
            let created = try await fleet.admins["eks"]!.post(Self.serviceAccounts, theirs)
            #expect(created.status == 201, "\(created.text)")
            try await fleet.createEverywhere(OperatorFleet.fraudModel(Self.name, version: "2.1.0", extra: Self.storage()))
            let events = try await fleet.eventually("eks", "/apis/events.k8s.io/v1/namespaces/default/events") { list in
                list["items"]?.arrayValue?.contains { $0["reason"] == "ObjectNotManaged" && $0["type"] == "Warning" } == true
            }
            let note = events["items"]?.arrayValue?.first { $0["reason"] == "ObjectNotManaged" }?["note"]?.stringValue ?? ""
            #expect(note.contains("ServiceAccount default/fraud-detector-serving"), "\(note)")
            try await fleet.eventually("eks", fraudModel, within: .seconds(30), isReady)
            let stillTheirs = try await fleet.admins["eks"]!.get(accountPath).json
            #expect(stillTheirs[path: ["metadata", "annotations", "eks.amazonaws.com/role-arn"]] == nil)
            #expect(stillTheirs[path: ["metadata", "ownerReferences"]] == nil)
            #expect(stillTheirs[path: ["metadata", "labels"]] == ["team": "risk"])
            let eks = try await fleet.admins["eks"]!.get(deployment).json
            #expect(eks[path: ["spec", "template", "spec", "serviceAccountName"]] == "fraud-detector-serving", "the pods still run as the name configured")
            // gke has no such ServiceAccount: the operator made its own.
            let gke = try await fleet.admins["gke"]!.get(accountPath).json
            #expect(gke[path: ["metadata", "ownerReferences"]]?[0]?["kind"] == "FraudModel")
        }
    }
}
