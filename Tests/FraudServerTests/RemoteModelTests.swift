import AsyncHTTPClient
import Foundation
@testable import FraudServer
import FraudServing
import HTTPTestSupport
import Hummingbird
import HummingbirdTesting
import Logging
import ObjectStore
import Testing

/// `MODEL_URI`: the server answers at once, and is ready only once the model is fetched,
/// verified and compiled; every failure is in the log, the ready body and a metric.
@Suite("fraud-server with MODEL_URI")
struct RemoteModelTests {
    static let policy = DownloadPolicy(
        connectTimeout: .seconds(2), readTimeout: .seconds(5), attemptTimeout: .seconds(20), maxAttempts: 2,
        initialBackoff: .milliseconds(20), maxBackoff: .milliseconds(100))

    /// A loader and the state it fills.
    struct Fixture: Sendable {
        let loader: RemoteModelLoader
        let state: ServingState
        let metrics: ServerMetrics

        /// Runs `body` with a client of the app serving the state.
        func client(_ body: @Sendable (any TestClientProtocol) async throws -> Void) async throws {
            let app = FraudServer.makeApplication(state: state, metrics: metrics, logger: Logger(label: "test"))
            try await app.test(.router) { client in try await body(client) }
        }

        var metricsText: String { String(decoding: metrics.render(ready: false), as: UTF8.self) }
    }

    /// A loader for `uri`, torn down after `body`.
    static func withLoader(uri: String, sha256: String? = nil, _ body: @Sendable (Fixture) async throws -> Void) async throws {
        var configuration = ServerFixtures.configuration()
        try configuration.apply(modelURI: uri, source: "MODEL_URI")
        try configuration.apply(modelSHA256: sha256, source: "MODEL_SHA256")
        let state = ServingState(configuration: configuration)
        let metrics = ServerMetrics(modelName: configuration.modelName, modelVersion: configuration.modelVersion)
        let client = HTTPClient(eventLoopGroupProvider: .singleton, configuration: policy.httpClientConfiguration)
        let downloader = ModelDownloader(
            httpClient: client, policy: policy, directory: NSTemporaryDirectory(), logger: Logger(label: "test"),
            store: ObjectStores(environment: [:], httpClient: client).client(for:))
        let loader = RemoteModelLoader(
            uri: configuration.modelURI!, state: state, metrics: metrics, downloader: downloader, logger: Logger(label: "test"),
            started: .now)
        do {
            try await body(Fixture(loader: loader, state: state, metrics: metrics))
        } catch {
            try? await client.shutdown()
            throw error
        }
        try await client.shutdown()
    }

    static func modelBytes() throws -> [UInt8] { try ModelLoader.readFile(ServerFixtures.directory + "xgboost_binary.json") }

    @Test("live at once, ready once downloaded; its predictions are the file's")
    func loadsInTheBackground() async throws {
        let bytes = try Self.modelBytes()
        let row = ServerFixtures.json([[Double](repeating: 0.3, count: 30)])
        let fromDisk = try ServerFixtures.state(ServerFixtures.configuration())
        let (diskApp, _) = ServerFixtures.application(fromDisk)
        let answer = try await diskApp.test(.router) { client in
            try await client.execute(uri: "/predict", method: .post, body: ByteBuffer(string: row)) { $0.body.text }
        }
        try await ScriptedHTTPServer.run({ _ in .init(body: bytes, delayBeforeHeaders: .milliseconds(800)) }) { server in
            try await Self.withLoader(uri: server.baseURL + "/m/model.json", sha256: fromDisk.sha256) { fixture in
                try await fixture.client { client in
                    let loading = Task { await fixture.loader.load() }
                    try await client.execute(uri: "/v2/health/live", method: .get) { #expect($0.status == .ok) }
                    try await client.execute(uri: "/v2/health/ready", method: .get) {
                        #expect($0.status == .serviceUnavailable)
                        #expect($0.body.text.contains("loading from \(server.baseURL)/m/model.json"), "\($0.body.text)")
                    }
                    await loading.value
                    try await client.execute(uri: "/v2/health/ready", method: .get) { #expect($0.status == .ok) }
                    try await client.execute(uri: "/predict", method: .post, body: ByteBuffer(string: row)) {
                        #expect($0.status == .ok)
                        #expect($0.body.text == answer)
                    }
                }
                let text = fixture.metricsText
                #expect(text.contains("fraud_server_model_info{name=\"fraud-detector\",version=\"2.1.0\",sha256=\"\(fromDisk.sha256)\""), "\(text)")
                #expect(text.contains("fraud_server_model_load_seconds "))
            }
        }
    }

    @Test("a wrong checksum: never ready, the reason in the ready body and the failure metric")
    func checksumMismatch() async throws {
        let wrong = String(repeating: "1", count: 64)
        try await Self.withLoader(uri: "file://" + ServerFixtures.directory + "xgboost_binary.json", sha256: wrong) { fixture in
            await fixture.loader.load()
            try await fixture.client { client in
                try await client.execute(uri: "/v2/health/ready", method: .get) {
                    #expect($0.status == .serviceUnavailable)
                    #expect($0.body.text.contains("expected MODEL_SHA256 \(wrong)"), "\($0.body.text)")
                }
                try await client.execute(uri: "/predict", method: .post, body: ByteBuffer(string: "[[1]]")) {
                    #expect($0.status == .serviceUnavailable)
                }
            }
            #expect(fixture.metricsText.contains("fraud_server_model_load_failures_total{reason=\"checksum_mismatch\"} 1"))
        }
    }

    @Test("a file that is not a model: not ready, counted as invalid_model")
    func unparseable() async throws {
        try await ScriptedHTTPServer.run({ _ in .init(body: Array("{\"not\": \"a model\"}".utf8)) }) { server in
            try await Self.withLoader(uri: server.baseURL + "/junk.json") { fixture in
                await fixture.loader.load()
                try await fixture.client { client in
                    try await client.execute(uri: "/v2/health/ready", method: .get) {
                        #expect($0.status == .serviceUnavailable)
                        #expect($0.body.text.contains("cannot load the model from \(server.baseURL)/junk.json"), "\($0.body.text)")
                    }
                }
                #expect(fixture.metricsText.contains("fraud_server_model_load_failures_total{reason=\"invalid_model\"} 1"))
            }
        }
    }

    @Test("a store that keeps failing is tried again until it answers")
    func keepsTrying() async throws {
        let bytes = try Self.modelBytes()
        // Two rounds of the downloader's two attempts fail, then the store answers.
        try await ScriptedHTTPServer.run({ request in request.number <= 4 ? .init(status: 503) : .init(body: bytes) }) { server in
            try await Self.withLoader(uri: server.baseURL + "/model.json") { fixture in
                await fixture.loader.load()
                try await fixture.client { client in
                    try await client.execute(uri: "/v2/health/ready", method: .get) { #expect($0.status == .ok) }
                }
                #expect(server.requestCount == 5)
                #expect(fixture.metricsText.contains("fraud_server_model_load_failures_total{reason=\"unavailable\"} 2"))
            }
        }
    }
}
