import FraudModelAPI
import KubeAPI
import Testing

/// `spec.model.storageUri`, `spec.clusters[].model.storageUri` and `spec.image.tag`: the
/// template syntax, and the rules that tie them together, each problem at its field path.
@Suite struct StorageURITests {
    static let valid = [
        "s3://fraud-models/fraud-detector/{version}/model.json",
        "gs://fraud-models/fraud-detector/{version}/model.json",
        "https://models.example.com/fraud/{version}.json",
        "http://minio.fraud.svc:9000/models/{version}/model.json",
        "file:///models/{version}/model.json",
        "s3://bucket/model.json",
        "s3://my_bucket.v2/a/{version}/{version}.txt",
    ]

    @Test(arguments: valid)
    func validTemplatesAreAcceptedAndMatchTheSchemaPattern(_ template: String) {
        #expect(StorageURITemplate.problem(in: template) == nil)
        #expect(FraudModelValidation.matches(template, StorageURITemplate.pattern))
    }

    @Test(arguments: [
        ("", "must not be empty"),
        ("s3://bucket/models/{version} /model.json", "\"s3://bucket/models/{version} /model.json\" contains whitespace or a control character"),
        ("s3://bucket/{Version}/model.json", "\"s3://bucket/{Version}/model.json\": only the {version} placeholder is allowed, found {Version}"),
        ("s3://bucket/{model}/{version}.json", "\"s3://bucket/{model}/{version}.json\": only the {version} placeholder is allowed, found {model}"),
        ("s3://bucket/model}.json", "\"s3://bucket/model}.json\": only the {version} placeholder is allowed, found \"}\""),
        ("ftp://host/model.json", "\"ftp://host/model.json\" must start with s3://, gs://, https://, http://, file://"),
        ("S3://bucket/model.json", "\"S3://bucket/model.json\" must start with s3://, gs://, https://, http://, file://"),
        ("bucket/model.json", "\"bucket/model.json\" must start with s3://, gs://, https://, http://, file://"),
        ("s3:///model.json", "\"s3:///model.json\" has no bucket: expected s3://BUCKET/KEY"),
        ("gs://bucket", "\"gs://bucket\" has no object key after the bucket: expected gs://BUCKET/KEY"),
        ("gs://bucket/", "\"gs://bucket/\" has no object key after the bucket: expected gs://BUCKET/KEY"),
        ("s3://models-{version}/model.json",
         "\"s3://models-{version}/model.json\": \"models-{version}\" is not a bucket name (letters, digits, '.', '-', '_'; no placeholder)"),
        ("https:///model.json", "\"https:///model.json\" has no host: expected https://HOST/PATH"),
        ("https://models.example.com", "\"https://models.example.com\" has no path after the host: expected https://HOST/PATH"),
        ("https://user:secret@models.example.com/m.json",
         "\"https://user:secret@models.example.com/m.json\" must not carry user information (a credential); the pods authenticate with their workload identity"),
        ("https://models.example.com/m.json?X-Amz-Signature=abc",
         "\"https://models.example.com/m.json?X-Amz-Signature=abc\" must not have a query or fragment: a presigned URL is a credential, and it expires; the pods authenticate with their workload identity"),
        ("file://models/model.json", "\"file://models/model.json\" needs an absolute path: expected file:///PATH"),
    ])
    func invalidTemplatesAreRefusedSayingWhy(_ template: String, _ message: String) {
        #expect(StorageURITemplate.problem(in: template) == message)
        #expect(!FraudModelValidation.matches(template, StorageURITemplate.pattern), "the CRD's pattern refuses it too")
    }

    @Test func theSchemaPatternAndTheSwiftChecksAgreeOnEveryVariation() {
        let parts = ["s3://", "gs://", "https://", "file://", "ftp://", ""]
        let hosts = ["b", "", "b{version}", "u@h", "b c"]
        let paths = ["/k", "/", "", "/{version}/m", "/{v}/m", "/k?q", "/k#f", "//k"]
        for scheme in parts {
            for host in hosts {
                for path in paths {
                    let template = scheme + host + path
                    let accepted = StorageURITemplate.problem(in: template) == nil
                    #expect(accepted == FraudModelValidation.matches(template, StorageURITemplate.pattern), "\(template)")
                }
            }
        }
    }

    @Test func resolvingReplacesEveryPlaceholder() {
        #expect(StorageURITemplate.resolve("s3://b/{version}/m-{version}.json", version: "2.1.0") == "s3://b/2.1.0/m-2.1.0.json")
        #expect(StorageURITemplate.resolve("gs://b/latest.json", version: "2.1.0") == "gs://b/latest.json")
    }

    // MARK: - In a spec

    static func fraudModel(_ spec: JSONValue) -> JSONValue {
        ["apiVersion": "tandem.dev/v1alpha1", "kind": "FraudModel", "metadata": ["name": "m", "namespace": "fraud"], "spec": spec]
    }

    func problems(_ spec: JSONValue) -> [String] {
        do {
            _ = try FraudModel(json: Self.fraudModel(spec))
            return []
        } catch {
            return error.problems.map(\.description)
        }
    }

    static let storageSpec: JSONValue = [
        "modelVersion": "2.1.0", "image": ["repository": "fraud-detector", "tag": "1.4.0"],
        "model": ["storageUri": "s3://fraud-models/fraud-detector/{version}/model.json", "format": "xgboost_json"],
        "clusters": [["name": "eks"], ["name": "gke", "model": ["storageUri": "gs://fraud-models/fraud-detector/{version}/model.json"]]],
    ]

    @Test func aSpecWithStorageURIsDecodes() throws {
        let model = try FraudModel(json: Self.fraudModel(Self.storageSpec))
        #expect(model.spec.image.tag == "1.4.0")
        #expect(model.spec.model?.storageURI == "s3://fraud-models/fraud-detector/{version}/model.json")
        #expect(model.spec.override(for: "gke")?.model?.storageURI == "gs://fraud-models/fraud-detector/{version}/model.json")
        #expect(model.spec.override(for: "eks")?.model == nil)
        #expect(model.spec.clusterStorageURIs == ["gke": "gs://fraud-models/fraud-detector/{version}/model.json"])
    }

    @Test func theStorageExampleDecodesToOneRevisionWithAURIPerCloud() throws {
        let model = try FraudModel(json: try JSONValue(yaml: try TestPaths.read("examples/fraudmodel-storage.yaml")))
        let revision = ModelRevision(spec: model.spec)
        #expect(revision.modelURI(for: "eks") == "s3://fraud-models/fraud-detector/2.1.0/model.json")
        #expect(revision.modelURI(for: "gke") == "gs://fraud-models/fraud-detector/2.1.0/model.json")
        #expect(revision.image(registry: "r") == "r/fraud-detector:1.4.0")
    }

    @Test func withoutThemNothingIsSetAndNothingIsRequired() throws {
        let model = try FraudModel(json: Self.fraudModel(["modelVersion": "2.1.0", "image": ["repository": "fraud-detector"]]))
        #expect(model.spec.image.tag == nil)
        #expect(model.spec.model == nil)
        #expect(model.spec.clusterStorageURIs == nil)
        let revision = ModelRevision(spec: model.spec)
        #expect(revision.imageTag == nil && revision.storageURI == nil && revision.clusterStorageURIs == nil)
    }

    @Test func eachTemplateIsCheckedAtItsPath() {
        var spec = Self.storageSpec
        spec[path: ["model", "storageUri"]] = "s3://fraud-models/{release}/model.json"
        spec["clusters"] = [["name": "eks", "model": ["storageUri": "gs://b/m.json"]], ["name": "gke", "model": ["storageUri": "gcs://b/m.json"]]]
        #expect(problems(spec) == [
            "spec.model.storageUri: \"s3://fraud-models/{release}/model.json\": only the {version} placeholder is allowed, found {release}",
            "spec.clusters[1].model.storageUri: \"gcs://b/m.json\" must start with s3://, gs://, https://, http://, file://",
        ])
    }

    @Test func aPathInTheImageIsRefusedWithAStorageURI() {
        var spec = Self.storageSpec
        spec[path: ["model", "path"]] = "/models/model.json"
        #expect(problems(spec) == [
            "spec.model.path: not allowed with a storageUri: the model is downloaded from the store (MODEL_URI), not read from the image; remove spec.model.path",
        ])
    }

    @Test func aStorageURINeedsAnImageTag() {
        var spec = Self.storageSpec
        spec[path: ["image", "tag"]] = nil
        #expect(problems(spec) == [
            "spec.image.tag: Required value: with a storageUri the image does not carry the model and must not change with modelVersion; set the fraud-server image tag",
        ])
        spec[path: ["image", "tag"]] = "-latest"
        #expect(problems(spec) == ["spec.image.tag: \"-latest\" is not a valid image tag (letters, digits, '_', '.', '-'; at most 128)"])
    }

    @Test func onceOneClusterDownloadsTheModelEveryTargetClusterMust() {
        var spec = Self.storageSpec
        spec[path: ["model", "storageUri"]] = nil
        #expect(problems(spec) == [
            "spec.model.storageUri: Required value: spec.clusters[0] (eks) has no model.storageUri; once one cluster downloads the model every target cluster must (set spec.model.storageUri as the default)",
        ])
        spec["clusters"] = [["name": "eks", "model": ["storageUri": "s3://b/{version}.json"]], ["name": "gke", "model": ["storageUri": "gs://b/{version}.json"]]]
        #expect(problems(spec) == [], "every target cluster has its own: no default needed")
    }
}
