import FraudServer
import FraudServing
import Hummingbird
import HummingbirdTesting
import Logging
import Testing

@Suite struct ReadinessAndMetricsTests {
    @Test("a MODEL_SHA256 mismatch keeps the server live but never ready, and refuses predictions")
    func integrityMismatch() async throws {
        var configuration = ServerFixtures.configuration()
        configuration.modelSHA256 = String(repeating: "0", count: 64)
        let state = try ServerFixtures.state(configuration)
        #expect(state.model == nil)
        #expect(state.failure?.contains(state.sha256) == true, "the reason names the actual digest")
        #expect(state.failure?.contains(configuration.modelSHA256!) == true, "and the expected one")
        let (app, _) = ServerFixtures.application(state)
        try await app.test(.router) { client in
            try await client.execute(uri: "/v2/health/live", method: .get) { #expect($0.status == .ok) }
            try await client.execute(uri: "/v2/health/ready", method: .get) { #expect($0.status == .serviceUnavailable) }
            try await client.execute(uri: "/v2/models/fraud-detector/ready", method: .get) {
                #expect($0.status == .serviceUnavailable)
            }
            try await client.execute(uri: "/predict", method: .post, body: ByteBuffer(string: "[[1]]")) {
                #expect($0.status == .serviceUnavailable)
                #expect($0.body.text.contains("expected MODEL_SHA256"))
            }
        }
    }

    @Test("a matching MODEL_SHA256 (any case, sha256: prefix) is ready")
    func integrityMatch() throws {
        let digest = try ServerFixtures.state(ServerFixtures.configuration()).sha256
        var configuration = ServerFixtures.configuration()
        try configuration.apply(modelSHA256: "sha256:" + digest.uppercased(), source: "MODEL_SHA256")
        #expect(try ServerFixtures.state(configuration).isReady)
    }

    @Test("readiness turns false for good once shutdown begins, while predictions still work")
    func shutdownTurnsReadinessOff() async throws {
        let state = try ServerFixtures.state(ServerFixtures.configuration())
        let (app, _) = ServerFixtures.application(state)
        let row = ServerFixtures.json([[Double](repeating: 0.1, count: 30)])
        try await app.test(.router) { client in
            try await client.execute(uri: "/v2/health/ready", method: .get) { #expect($0.status == .ok) }
            state.beginShutdown()
            try await client.execute(uri: "/v2/health/ready", method: .get) { #expect($0.status == .serviceUnavailable) }
            try await client.execute(uri: "/predict", method: .post, body: ByteBuffer(string: row)) {
                #expect($0.status == .ok, "in-flight and late requests are still answered while draining")
            }
        }
    }

    @Test("/metrics reports requests per route and status, rows, batch sizes and the model identity")
    func metrics() async throws {
        let state = try ServerFixtures.state(ServerFixtures.configuration())
        let (app, _) = ServerFixtures.application(state)
        let rows = ServerFixtures.json(Array(repeating: [Double](repeating: 0.1, count: 30), count: 7))
        try await app.test(.router) { client in
            try await client.execute(uri: "/predict", method: .post, body: ByteBuffer(string: rows)) { #expect($0.status == .ok) }
            try await client.execute(uri: "/predict", method: .post, body: ByteBuffer(string: "[[")) {
                #expect($0.status == .badRequest)
            }
            try await client.execute(uri: "/metrics", method: .get) { response in
                let text = response.body.text
                #expect(response.status == .ok)
                #expect(text.contains("fraud_server_requests_total{route=\"/predict\",method=\"POST\",status=\"200\"} 1"))
                #expect(text.contains("fraud_server_requests_total{route=\"/predict\",method=\"POST\",status=\"400\"} 1"))
                #expect(text.contains("fraud_server_request_duration_seconds_bucket{route=\"/predict\""))
                #expect(text.contains("fraud_server_rows_predicted_total 7"))
                #expect(text.contains("fraud_server_batch_rows_bucket{le=\"10.0\"} 1"))
                #expect(text.contains("fraud_server_model_info{name=\"fraud-detector\",version=\"2.1.0\",sha256=\"\(state.sha256)\""))
                #expect(text.contains("fraud_server_ready 1"))
            }
        }
    }

    @Test("with METRICS_PORT, /metrics moves to its own listener and the prediction port no longer serves it")
    func metricsPortSeparatesMetrics() async throws {
        var configuration = ServerFixtures.configuration()
        configuration.metricsPort = 0
        let state = try ServerFixtures.state(configuration)
        let (app, metrics) = ServerFixtures.application(state)
        try await app.test(.router) { client in
            try await client.execute(uri: "/metrics", method: .get) { #expect($0.status == .notFound) }
            try await client.execute(uri: "/v2/health/ready", method: .get) { #expect($0.status == .ok) }
        }
        let metricsApplication = try #require(FraudServer.makeMetricsApplication(state: state, metrics: metrics, logger: Logger(label: "test")))
        try await metricsApplication.test(.router) { client in
            try await client.execute(uri: "/metrics", method: .get) { response in
                #expect(response.status == .ok)
                #expect(response.body.text.contains("fraud_server_ready 1"))
            }
            try await client.execute(uri: "/predict", method: .post, body: ByteBuffer(string: "[[1]]")) { #expect($0.status == .notFound) }
        }
        #expect(FraudServer.makeMetricsApplication(state: try ServerFixtures.state(ServerFixtures.configuration()), metrics: metrics,
                                                   logger: Logger(label: "test")) == nil)
        #expect(throws: ConfigurationError.self) { try ServerConfiguration(environment: ["PORT": "9000", "METRICS_PORT": "9000"]) }
        #expect(throws: ConfigurationError.self) { try ServerConfiguration(environment: ["METRICS_PORT": "70000"]) }
        #expect(try ServerConfiguration(environment: ["METRICS_PORT": "9091"]).metricsPort == 9091)
    }

    @Test("configuration reads the operator's environment and names bad values")
    func configurationFromEnvironment() throws {
        let configuration = try ServerConfiguration(environment: [
            "MODEL_PATH": "/m/model.txt", "MODEL_FORMAT": "lightgbm", "MODEL_NAME": "fd", "MODEL_VERSION": "3.0.0",
            "THRESHOLD": "0.7", "PORT": "9000", "MAX_BODY_BYTES": "1024", "MAX_BATCH_ROWS": "5", "LOG_FORMAT": "text",
        ])
        #expect(configuration.modelPath == "/m/model.txt")
        #expect(configuration.modelFormat == .lightgbmText)
        #expect(configuration.threshold == 0.7)
        #expect(configuration.port == 9000)
        #expect(configuration.maxBatchRows == 5)
        #expect(configuration.logFormat == .text)
        let defaults = try ServerConfiguration(environment: [:])
        #expect(defaults.modelPath == "/models/model.json")
        #expect(defaults.port == 8080)
        #expect(defaults.maxBodyBytes == 4 * 1024 * 1024)
        #expect(defaults.maxBatchRows == 10_000)
        #expect(defaults.threshold == 0.5)
        #expect(throws: ConfigurationError(setting: "THRESHOLD", value: "1.5", expected: "a number in [0, 1]")) {
            try ServerConfiguration(environment: ["THRESHOLD": "1.5"])
        }
        #expect(throws: ConfigurationError.self) { try ServerConfiguration(environment: ["PORT": "http"]) }
        #expect(throws: ConfigurationError.self) { try ServerConfiguration(environment: ["MODEL_SHA256": "abc"]) }
    }

    @Test("a model that cannot be loaded fails at start naming the file")
    func unloadableModel() {
        var configuration = ServerFixtures.configuration(model: "unsupported_lightgbm_linear.txt")
        #expect {
            try ServingState.load(configuration: configuration, logger: Logger(label: "test"))
        } throws: { error in
            let text = "\(error)"
            return text.contains("unsupported_lightgbm_linear.txt") && text.contains("linear trees")
        }
        configuration.modelPath = "/nonexistent/model.json"
        #expect(throws: ModelLoadError.self) { try ServingState.load(configuration: configuration, logger: Logger(label: "t")) }
    }
}
