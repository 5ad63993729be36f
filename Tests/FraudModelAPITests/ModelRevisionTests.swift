import FraudModelAPI
import KubeAPI
import Testing

/// What a revision is made of, how it is named, and how it reads back from status.
@Suite struct ModelRevisionTests {
    static let sha = String(repeating: "a", count: 64)

    /// Digests the operator wrote before revisions could carry an image tag or storage URIs.
    /// They are in every running pod template (`tandem.dev/revision`): an upgrade that changed
    /// them would restart every Deployment of every fleet.
    @Test(arguments: [
        (ModelRevision(version: "2.1.0", repository: "fraud-detector"), "bd764dbda8492e05"),
        (ModelRevision(version: "2.1.0", repository: "fraud-detector", modelSHA256: sha, modelPath: "/models/v1.json", modelFormat: "xgboost_json"),
         "69478bc2a62e5b53"),
        (ModelRevision(version: "2.2.0", repository: "team/fraud-detector", modelFormat: "lightgbm_text", threshold: 0.75), "52e0c6298bd28b71"),
    ])
    func digestsOfRevisionsWithoutTheNewFieldsNeverChange(_ revision: ModelRevision, _ digest: String) {
        #expect(revision.digest == digest)
    }
}

extension ModelRevisionTests {
    static let template = "s3://fraud-models/fraud-detector/{version}/model.json"
    static let gkeTemplate = "gs://fraud-models/fraud-detector/{version}/model.json"

    static func storageRevision() -> ModelRevision {
        ModelRevision(
            version: "2.1.0", repository: "fraud-detector", imageTag: "1.4.0", modelSHA256: sha, storageURI: template,
            clusterStorageURIs: ["gke": gkeTemplate])
    }

    @Test func theImageTagAndEveryStorageURIArePartOfTheDigest() {
        let base = ModelRevision(version: "2.1.0", repository: "fraud-detector", modelSHA256: Self.sha)
        var tagged = base
        tagged.imageTag = "1.4.0"
        var stored = base
        stored.storageURI = Self.template
        var overridden = base
        overridden.clusterStorageURIs = ["gke": Self.template]
        var overriddenElsewhere = base
        overriddenElsewhere.clusterStorageURIs = ["eks": Self.template]
        var taggedLikeTheVersion = base
        taggedLikeTheVersion.imageTag = "2.1.0"
        let digests = [base, tagged, stored, overridden, overriddenElsewhere, taggedLikeTheVersion].map(\.digest)
        #expect(Set(digests).count == digests.count, "each field, and each cluster's template, names another revision: \(digests)")
        var moved = Self.storageRevision()
        moved.storageURI = "s3://fraud-models-v2/fraud-detector/{version}/model.json"
        #expect(moved.digest != Self.storageRevision().digest, "a new URI under the same version is a new revision")
        #expect(moved.version == Self.storageRevision().version && moved.image(registry: "r") == Self.storageRevision().image(registry: "r"))
    }

    @Test func theSpecsRevisionCarriesTheTagAndTheTemplates() throws {
        var spec = FraudModelSpec(modelVersion: "2.1.0", image: ImageSpec(repository: "fraud-detector", tag: "1.4.0"), modelSHA256: Self.sha)
        spec.model = ModelSource(storageURI: Self.template)
        spec.clusters = [ClusterOverride(name: "eks"), ClusterOverride(name: "gke", model: ClusterModelSource(storageURI: Self.gkeTemplate))]
        #expect(ModelRevision(spec: spec) == Self.storageRevision())
    }

    @Test func eachClusterResolvesItsOwnTemplateElseTheFleetsAndTheImageKeepsItsTag() {
        let revision = Self.storageRevision()
        #expect(revision.modelURI(for: "eks") == "s3://fraud-models/fraud-detector/2.1.0/model.json")
        #expect(revision.modelURI(for: "gke") == "gs://fraud-models/fraud-detector/2.1.0/model.json")
        #expect(revision.image(registry: "123.dkr.ecr.us-east-1.amazonaws.com") == "123.dkr.ecr.us-east-1.amazonaws.com/fraud-detector:1.4.0")
        let inImage = ModelRevision(version: "2.1.0", repository: "fraud-detector")
        #expect(inImage.modelURI(for: "eks") == nil)
        #expect(inImage.image(registry: "r") == "r/fraud-detector:2.1.0")
    }

    @Test func servedRevisionsKeepTheTagAndTemplatesInStatus() throws {
        let status = FraudModelStatus(revisions: [ServedRevision(revision: Self.storageRevision(), servedAt: "2027-01-15T08:00:00Z")])
        let json = try JSONValue(encoding: status)
        let entry = json[path: ["revisions"]]?[0]
        #expect(entry?["imageTag"] == "1.4.0")
        #expect(entry?["storageUri"] == .string(Self.template))
        #expect(entry?["clusterStorageUris"] == ["gke": .string(Self.gkeTemplate)])
        #expect(entry?["digest"] == .string(Self.storageRevision().digest))
        #expect(try json.decode(as: FraudModelStatus.self).revisions == status.revisions)
    }

    @Test func aStatusWrittenBeforeTheseFieldsDecodesToTheSameRevision() throws {
        let stored: JSONValue = [
            "revisions": [[
                "version": "2.1.0", "repository": "fraud-detector", "modelSHA256": .string(Self.sha), "modelPath": "/models/v1.json",
                "modelFormat": "xgboost_json", "threshold": 0.5, "digest": "69478bc2a62e5b53", "servedAt": "2027-01-15T08:00:00Z",
            ]],
        ]
        let revision = try #require(try stored.decode(as: FraudModelStatus.self).revisions?.first?.revision)
        #expect(revision == ModelRevision(
            version: "2.1.0", repository: "fraud-detector", modelSHA256: Self.sha, modelPath: "/models/v1.json", modelFormat: "xgboost_json"))
        #expect(revision.digest == "69478bc2a62e5b53", "the digest it was recorded with")
        let written = try JSONValue(encoding: ServedRevision(revision: revision, servedAt: "2027-01-15T08:00:00Z"))
        #expect(written.objectValue?.keys.sorted() == stored[path: ["revisions"]]?[0]?.objectValue?.keys.sorted(), "and it is written back with no new key")
    }

    @Test func theStatusSchemaKeepsTheNewRevisionFields() {
        let items = FraudModelCRD.json["spec"]!["versions"]![0]![
            path: ["schema", "openAPIV3Schema", "properties", "status", "properties", "revisions", "items", "properties"]]
        #expect(items?["imageTag"]?["type"] == "string")
        #expect(items?["storageUri"]?["type"] == "string")
        #expect(items?[path: ["clusterStorageUris", "additionalProperties", "type"]] == "string",
                "a structural schema prunes unknown fields: without these, a rollback would lose the URIs it restores")
    }
}
