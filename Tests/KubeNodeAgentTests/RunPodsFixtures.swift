import Foundation
import KubeAPI
import KubeEmulator
import KubeEmulatorTestSupport
import KubeNodeAgent

/// Paths and objects for tests that run pods for real.
enum RunPods {
    static let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().path
    /// The fraud-server that `swift build --build-tests` built beside the tests.
    static let fraudServer = "\(packageRoot)/.build/debug/fraud-server"
    /// A 30-feature XGBoost binary classifier.
    static let model = "\(packageRoot)/Tests/FraudServingTests/Fixtures/xgboost_binary.json"

    /// The catalog every test uses: fraud-server with the fixture model, and a shell image.
    static var catalog: ImageCatalog {
        ImageCatalog(images: [
            .init(reference: "fraud-detector:2.1.0", command: [fraudServer], args: ["serve"],
                  env: [("MODEL_PATH", "/models/model.json"), ("MODEL_VERSION", "2.1.0"), ("LOG_FORMAT", "text")],
                  files: ["/models/model.json": model]),
            .init(reference: "shell:1", command: ["/bin/sh"], args: ["-c", "echo idle; exec sleep 3600"]),
        ])
    }

    /// Runs `body` against an emulator that runs pods, with short crash-loop back-offs.
    static func withCluster<Result: Sendable>(_ body: (EmulatorTestClient) async throws -> Result) async throws -> Result {
        try await withEmulator({ configuration in
            configuration.runPods = true
            configuration.nodeAgent.images = catalog
            configuration.nodeAgent.initialBackoff = .milliseconds(500)
            configuration.nodeAgent.maxBackoff = .seconds(2)
            configuration.nodeAgent.stateRoot = NSTemporaryDirectory() + "kube-emulator-test-nodes"
        }, body)
    }

    static func pod(_ name: String, containers: [JSONValue], extra: [String: JSONValue] = [:]) -> JSONValue {
        var spec: JSONValue = ["containers": .array(containers), "terminationGracePeriodSeconds": 2]
        for (key, value) in extra { spec[key] = value }
        return ["apiVersion": "v1", "kind": "Pod", "metadata": ["name": .string(name), "namespace": "default"], "spec": spec]
    }

    static func fraudDeployment(_ name: String, sha256: String? = nil, replicas: Int64 = 2) -> JSONValue {
        var env: [JSONValue] = []
        if let sha256 { env.append(["name": "MODEL_SHA256", "value": .string(sha256)]) }
        return [
            "apiVersion": "apps/v1", "kind": "Deployment", "metadata": ["name": .string(name), "namespace": "default"],
            "spec": [
                "replicas": .int(replicas), "selector": ["matchLabels": ["app": .string(name)]],
                "template": [
                    "metadata": ["labels": ["app": .string(name)]],
                    "spec": ["containers": [[
                        "name": "server", "image": "123.dkr.ecr.us-east-1.amazonaws.com/fraud-detector:2.1.0", "env": .array(env),
                        "ports": [["name": "http", "containerPort": 8080]],
                        "readinessProbe": ["httpGet": ["path": "/v2/health/ready", "port": "http"], "periodSeconds": 1],
                    ]]],
                ],
            ],
        ]
    }

    static func loadBalancer(_ name: String) -> JSONValue {
        ["apiVersion": "v1", "kind": "Service", "metadata": ["name": .string(name), "namespace": "default"],
         "spec": ["type": "LoadBalancer", "selector": ["app": .string(name)], "ports": [["name": "http", "port": 80, "targetPort": "http"]]]]
    }

    static func containerStatus(_ pod: JSONValue) -> JSONValue {
        pod[path: ["status", "containerStatuses"]]?.arrayValue?.first ?? .null
    }

    static func isReady(_ pod: JSONValue) -> Bool {
        (pod[path: ["status", "conditions"]]?.arrayValue ?? []).contains { $0["type"] == "Ready" && $0["status"] == "True" }
    }
}
