import Crypto
import FraudModelAPI
import FraudModelOperator
@testable import FraudModelPlanning
import FraudServer
import FraudServing
import KubeAPI
import Logging
import Testing

/// The operator's Deployment and fraud-server agree: every variable the operator sets is one
/// fraud-server reads, with a value it accepts, for every model format the CRD allows.
@Suite struct ServingContractTests {
    static let fixtures: String = {
        var path = #filePath
        while let last = path.last, last != "/" { path.removeLast() }
        return path + "../FraudServingTests/Fixtures/"
    }()

    static let files: [ModelFormat: String] = [.xgboostJSON: "xgboost_binary.json", .lightgbmText: "lightgbm_binary.txt", .onnx: "onnx/random_forest.onnx"]

    /// The environment of the operator's serving container for `spec`.
    func environment(_ spec: JSONValue) throws -> [String: String] {
        let model = try FraudModel(json: [
            "apiVersion": "tandem.dev/v1alpha1", "kind": "FraudModel",
            "metadata": ["name": "fraud-detector", "namespace": "fraud", "uid": "u"], "spec": spec,
        ])
        let target = DeploymentTarget(revision: ModelRevision(spec: model.spec), image: "reg/fraud-detector:2.2.0", replicas: 1)
        let deployment = ServingDeployment.configuration(for: model, target: target)
        var environment: [String: String] = [:]
        for variable in deployment[path: ["spec", "template", "spec", "containers"]]?[0]?["env"]?.arrayValue ?? [] {
            environment[variable["name"]?.stringValue ?? ""] = variable["value"]?.stringValue
        }
        return environment
    }

    @Test(arguments: ModelFormat.allCases)
    func theServerStartsFromTheOperatorsEnvironment(format: ModelFormat) throws {
        let file = try #require(Self.files[format], "every format the CRD allows has a fixture")
        let bytes = try ModelLoader.readFile(Self.fixtures + file)
        let digest = SHA256.hash(data: bytes).map { String(format: "%02x", $0) }.joined()
        let environment = try environment([
            "modelVersion": "2.2.0", "image": ["repository": "fraud-detector"], "threshold": 0.25, "port": 9090,
            "modelSHA256": .string(digest), "model": ["path": .string(Self.fixtures + file), "format": .string(format.rawValue)],
        ])
        #expect(Set(environment.keys).isSubset(of: Set(ServingEnvironment.all)), "the operator sets only variables fraud-server reads")
        let configuration = try ServerConfiguration(environment: environment)
        #expect(configuration.modelFormat == format)
        #expect(configuration.modelSHA256 == digest)
        #expect(configuration.threshold == 0.25)
        #expect(configuration.port == 9090)
        #expect(configuration.modelVersion == "2.2.0")
        #expect(configuration.modelName == "fraud-detector")
        #expect(configuration.shutdownDelaySeconds == Double(ServingDeployment.shutdownDelaySeconds))
        let state = try ServingState.load(configuration: configuration, logger: Logger(label: "test"))
        #expect(state.isReady, "the checksum the operator passes is the file's: the replica becomes ready")
        #expect(state.model?.format == format)
    }

    @Test func theServerAcceptsTheOperatorsStorageEnvironment() throws {
        let model = try FraudModel(json: [
            "apiVersion": "tandem.dev/v1alpha1", "kind": "FraudModel",
            "metadata": ["name": "fraud-detector", "namespace": "fraud", "uid": "u"],
            "spec": [
                "modelVersion": "2.2.0", "image": ["repository": "fraud-detector", "tag": "1.4.0"],
                "modelSHA256": .string(String(repeating: "ab", count: 32)),
                "model": ["storageUri": "gs://fraud-models/fraud-detector/{version}/model.json"],
            ],
        ])
        let target = DeploymentTarget(revision: ModelRevision(spec: model.spec), cluster: "gke", registry: "reg", replicas: 1)
        let deployment = ServingDeployment.configuration(for: model, target: target, serving: MemberServing(environment: ["LOG_FORMAT": "text"]))
        var environment: [String: String] = [:]
        for variable in deployment[path: ["spec", "template", "spec", "containers"]]?[0]?["env"]?.arrayValue ?? [] {
            environment[variable["name"]?.stringValue ?? ""] = variable["value"]?.stringValue
        }
        #expect(Set(environment.keys).subtracting(["LOG_FORMAT"]).isSubset(of: Set(ServingEnvironment.all)), "the operator sets only variables fraud-server reads")
        #expect(Set(ServingDeployment.operatorEnvironment).isSubset(of: Set(ServingEnvironment.all)))
        let configuration = try ServerConfiguration(environment: environment)
        #expect(configuration.modelURI.map { "\($0)" } == "gs://fraud-models/fraud-detector/2.2.0/model.json")
        #expect(configuration.modelCacheDirectory == ServingDeployment.modelCacheDirectory)
        #expect(configuration.modelSHA256 == String(repeating: "ab", count: 32))
    }

    @Test func theCRDAllowsExactlyTheServersFormatNames() throws {
        let schema = FraudModelCRD.json["spec"]!["versions"]![0]![path: ["schema", "openAPIV3Schema", "properties", "spec", "properties", "model", "properties", "format"]]
        #expect(schema?["enum"] == .array(ModelFormat.allCases.map { .string($0.rawValue) }))
        for name in ModelFormat.names { #expect(ModelFormat.parse(name) == .some(ModelFormat(rawValue: name))) }
        #expect(ModelFormat.parse("xgboost-json") == .some(.xgboostJSON), "fraud-server itself also takes the hyphenated spelling")
    }

    @Test func aFormatTheServerRefusesIsAnInvalidSpecNamingTheField() throws {
        let error = #expect(throws: FraudModelDecodingError.self) {
            try FraudModel(json: [
                "apiVersion": "tandem.dev/v1alpha1", "kind": "FraudModel", "metadata": ["name": "m", "namespace": "n"],
                "spec": ["modelVersion": "1", "image": ["repository": "r"], "model": ["format": "onnx-ish"]],
            ])
        }
        #expect(error?.description.contains("spec.model.format: Unsupported value: \"onnx-ish\": supported values: \"xgboost_json\", \"lightgbm_text\"") == true)
    }
}
