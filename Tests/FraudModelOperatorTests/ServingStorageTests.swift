import FraudModelAPI
import FraudModelOperator
@testable import FraudModelPlanning
import KubeAPI
import Testing

/// The Deployment and ServiceAccount of a model downloaded from an object store, in a member
/// with a cloud identity; and what the operator reads back from them.
@Suite struct ServingStorageTests {
    static let s3 = "s3://fraud-models/fraud-detector/{version}/model.json"
    static let gcs = "gs://fraud-models/fraud-detector/{version}/model.json"
    static let eksServing = MemberServing(
        awsRoleArn: "arn:aws:iam::123456789012:role/fraud-models-read", environment: ["AWS_REGION": "us-east-1", "AWS_ENDPOINT_URL_S3": "http://minio:9000"])
    static let gkeServing = MemberServing(serviceAccount: "models-reader", gcpServiceAccount: "fraud-models@my-project.iam.gserviceaccount.com")

    static func model() throws -> FraudModel {
        try FraudModel(json: [
            "apiVersion": "tandem.dev/v1alpha1", "kind": "FraudModel",
            "metadata": ["name": "fraud-detector", "namespace": "fraud", "uid": "uid-1", "generation": 2],
            "spec": [
                "modelVersion": "2.2.0", "image": ["repository": "fraud-detector", "tag": "1.4.0"],
                "modelSHA256": .string(String(repeating: "ab", count: 32)),
                "model": ["storageUri": .string(s3), "format": "xgboost_json"],
                "clusters": [["name": "eks"], ["name": "gke", "registry": "us-docker.pkg.dev/p/r", "model": ["storageUri": .string(gcs)]]],
            ],
        ])
    }

    func deployment(_ cluster: String, registry: String, serving: MemberServing) throws -> (JSONValue, DeploymentTarget) {
        let model = try Self.model()
        let target = DeploymentTarget(revision: ModelRevision(spec: model.spec), cluster: cluster, registry: registry, replicas: 2)
        return (ServingDeployment.configuration(for: model, target: target, serving: serving), target)
    }

    func environment(_ deployment: JSONValue) -> [String: String] {
        var environment: [String: String] = [:]
        for variable in deployment[path: ["spec", "template", "spec", "containers"]]?[0]?["env"]?.arrayValue ?? [] {
            environment[variable["name"]?.stringValue ?? ""] = variable["value"]?.stringValue
        }
        return environment
    }

    @Test func aStorageURIIsDownloadedIntoAnEmptyDirCacheFromTheSameImage() throws {
        let (deployment, _) = try deployment("eks", registry: "123.dkr.ecr.us-east-1.amazonaws.com", serving: Self.eksServing)
        let environment = environment(deployment)
        #expect(environment["MODEL_URI"] == "s3://fraud-models/fraud-detector/2.2.0/model.json")
        #expect(environment["MODEL_CACHE_DIR"] == "/var/cache/fraud-server")
        #expect(environment["MODEL_PATH"] == nil, "the URI replaces the file in the image")
        #expect(environment["MODEL_SHA256"] == String(repeating: "ab", count: 32), "the download is verified before it is parsed")
        #expect(environment["MODEL_VERSION"] == "2.2.0")
        #expect(environment["MODEL_FORMAT"] == "xgboost_json")
        let container = try #require(deployment[path: ["spec", "template", "spec", "containers"]]?[0])
        #expect(container["image"] == "123.dkr.ecr.us-east-1.amazonaws.com/fraud-detector:1.4.0", "spec.image.tag, not the model version")
        #expect(container["volumeMounts"] == [["name": "model-cache", "mountPath": "/var/cache/fraud-server"]])
        #expect(container[path: ["securityContext", "readOnlyRootFilesystem"]] == true)
        #expect(deployment[path: ["spec", "template", "spec", "volumes"]] == [["name": "model-cache", "emptyDir": ["sizeLimit": "2Gi"]]])
        #expect(deployment[path: ["spec", "template", "metadata", "labels", "app.kubernetes.io/version"]] == "2.2.0")
    }

    @Test func aClustersOverrideIsItsURIAndTheTemplatesAreAnnotated() throws {
        let (deployment, target) = try deployment("gke", registry: "us-docker.pkg.dev/p/r", serving: Self.gkeServing)
        #expect(target.modelURI == "gs://fraud-models/fraud-detector/2.2.0/model.json")
        #expect(environment(deployment)["MODEL_URI"] == "gs://fraud-models/fraud-detector/2.2.0/model.json")
        let annotations = deployment[path: ["spec", "template", "metadata", "annotations"]]
        #expect(annotations?["tandem.dev/revision"] == .string(target.revision.digest))
        #expect(annotations?["tandem.dev/storage-uri"] == .string(Self.s3))
        #expect(annotations?["tandem.dev/cluster-storage-uris"] == .string(#"{"gke":"gs://fraud-models/fraud-detector/{version}/model.json"}"#))
    }

    @Test func theMembersIdentityAndEnvironmentReachThePods() throws {
        let (eks, _) = try deployment("eks", registry: "r", serving: Self.eksServing)
        let pod = eks[path: ["spec", "template", "spec"]]
        #expect(pod?["serviceAccountName"] == "fraud-detector-serving", "the default: the FraudModel's name + -serving")
        #expect(pod?["automountServiceAccountToken"] == false, "IRSA's webhook projects its own token; GKE uses the metadata server")
        let names = eks[path: ["spec", "template", "spec", "containers"]]?[0]?["env"]?.arrayValue?.compactMap { $0["name"]?.stringValue }
        #expect(names?.suffix(2) == ["AWS_ENDPOINT_URL_S3", "AWS_REGION"], "the member's variables come after the operator's, by name")
        #expect(environment(eks)["AWS_REGION"] == "us-east-1")
        let (gke, _) = try deployment("gke", registry: "r", serving: Self.gkeServing)
        #expect(gke[path: ["spec", "template", "spec", "serviceAccountName"]] == "models-reader")
    }

    @Test func withoutIdentityNoServiceAccountAndNothingNew() throws {
        let (deployment, _) = try deployment("eks", registry: "r", serving: MemberServing())
        #expect(deployment[path: ["spec", "template", "spec", "serviceAccountName"]] == nil)
        #expect(ServingServiceAccount.configuration(for: try Self.model(), serving: MemberServing(environment: ["AWS_REGION": "x"])) == nil)
        let model = try FraudModel(json: [
            "apiVersion": "tandem.dev/v1alpha1", "kind": "FraudModel", "metadata": ["name": "m", "namespace": "n"],
            "spec": ["modelVersion": "2.2.0", "image": ["repository": "r"]],
        ])
        let inImage = ServingDeployment.configuration(
            for: model, target: DeploymentTarget(revision: ModelRevision(spec: model.spec), cluster: "eks", registry: "reg", replicas: 1))
        #expect(inImage[path: ["spec", "template", "spec"]]?.objectValue?.keys.sorted() == [
            "automountServiceAccountToken", "containers", "securityContext", "terminationGracePeriodSeconds",
        ])
        #expect(inImage[path: ["spec", "template", "metadata", "annotations"]]?.objectValue?.keys.sorted() == ["tandem.dev/revision"])
        #expect(inImage[path: ["spec", "template", "spec", "containers"]]?[0]?["volumeMounts"] == nil)
    }

    @Test func theServiceAccountCarriesTheCloudIdentityAndIsOwnedLikeTheDeployment() throws {
        let model = try Self.model()
        let eks = try #require(ServingServiceAccount.configuration(for: model, serving: Self.eksServing))
        #expect(eks["kind"] == "ServiceAccount")
        #expect(eks[path: ["metadata", "name"]] == "fraud-detector-serving")
        #expect(eks[path: ["metadata", "namespace"]] == "fraud")
        #expect(eks[path: ["metadata", "annotations"]] == ["eks.amazonaws.com/role-arn": "arn:aws:iam::123456789012:role/fraud-models-read"])
        #expect(eks[path: ["metadata", "labels"]] == [
            "app.kubernetes.io/name": "fraud-server", "app.kubernetes.io/instance": "fraud-detector", "app.kubernetes.io/managed-by": "tandem-operator",
        ])
        let owner = eks[path: ["metadata", "ownerReferences"]]?[0]
        #expect(owner?["kind"] == "FraudModel" && owner?["uid"] == "uid-1" && owner?["controller"] == true)
        #expect(eks["automountServiceAccountToken"] == false)
        let gke = try #require(ServingServiceAccount.configuration(for: model, serving: Self.gkeServing))
        #expect(gke[path: ["metadata", "name"]] == "models-reader")
        #expect(gke[path: ["metadata", "annotations"]] == ["iam.gke.io/gcp-service-account": "fraud-models@my-project.iam.gserviceaccount.com"])
        // An identity given by name only (EKS Pod Identity associates the role with the name): no annotation.
        let named = try #require(ServingServiceAccount.configuration(for: model, serving: MemberServing(serviceAccount: "models-reader")))
        #expect(named[path: ["metadata", "annotations"]] == nil)
    }

    @Test(arguments: [("eks", "123.dkr.ecr.us-east-1.amazonaws.com"), ("gke", "us-docker.pkg.dev/p/r")])
    func theOperatorReadsBackTheWholeRevisionFromTheDeployment(_ cluster: String, _ registry: String) throws {
        let (deployment, target) = try deployment(cluster, registry: registry, serving: cluster == "eks" ? Self.eksServing : Self.gkeServing)
        let observed = DeploymentObservation(deployment: try Deployment(kubeJSON: deployment), registry: registry, repository: "fraud-detector")
        #expect(observed.revision == target.revision)
        #expect(observed.version == "2.2.0")
    }

    @Test func anExplicitTagEqualToTheVersionReadsBackAsExplicit() throws {
        let explicit = ModelRevision(version: "2.2.0", repository: "fraud-detector", imageTag: "2.2.0", storageURI: Self.s3)
        let implicit = ModelRevision(version: "2.2.0", repository: "fraud-detector", storageURI: Self.s3)
        let model = try Self.model()
        for revision in [explicit, implicit] {
            let configuration = ServingDeployment.configuration(
                for: model, target: DeploymentTarget(revision: revision, cluster: "eks", registry: "reg", replicas: 1))
            #expect(DeploymentObservation(deployment: try Deployment(kubeJSON: configuration), registry: "reg").revision == revision)
        }
    }
}
