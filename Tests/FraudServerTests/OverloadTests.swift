import FraudServer
import FraudServing
import Hummingbird
import HummingbirdTesting
import Synchronization
import Testing

/// Item 10: a bound on requests in inference, liveness that stays answerable under load,
/// and V2 bodies refused by their declared shape.
@Suite struct OverloadTests {
    static let jsonHeaders: HTTPFields = [.contentType: "application/json"]

    /// `rows` holdout rows (repeated), as a `/predict` body.
    static func batch(rows: Int) throws -> String {
        let holdout = try ServerFixtures.csv("holdout.csv")
        return ServerFixtures.json((0..<rows).map { holdout[$0 % holdout.count] })
    }

    /// A server over the XGBoost fixture allowing `maxInflightRequests` at once, and its state.
    static func server(maxInflightRequests: Int) throws -> (ServingState, some ApplicationProtocol) {
        var configuration = ServerFixtures.configuration()
        configuration.maxInflightRequests = maxInflightRequests
        let state = try ServerFixtures.state(configuration)
        return (state, ServerFixtures.application(state).0)
    }

    @Test("beyond MAX_INFLIGHT_REQUESTS a request gets 503 with Retry-After; liveness and readiness still answer")
    func overloadIsRefused() async throws {
        let (state, app) = try Self.server(maxInflightRequests: 2)
        let body = try Self.batch(rows: 3)
        // Two requests are in inference.
        #expect(state.admission.tryEnter() && state.admission.tryEnter())
        #expect(!state.admission.tryEnter(), "the third place does not exist")
        try await app.test(.router) { client in
            for uri in ["/predict", "/v2/models/fraud-detector/infer"] {
                try await client.execute(uri: uri, method: .post, headers: Self.jsonHeaders, body: ByteBuffer(string: body)) {
                    #expect($0.status == .serviceUnavailable)
                    #expect($0.headers[.retryAfter] == "1")
                    #expect($0.body.text.contains("MAX_INFLIGHT_REQUESTS"), "\($0.body.text)")
                }
            }
            try await client.execute(uri: "/v2/health/live", method: .get) { #expect($0.status == .ok) }
            try await client.execute(uri: "/v2/health/ready", method: .get) { #expect($0.status == .ok) }
            state.admission.leave()
            try await client.execute(uri: "/predict", method: .post, headers: Self.jsonHeaders, body: ByteBuffer(string: body)) {
                #expect($0.status == .ok, "a place came free")
            }
        }
        state.admission.leave()
        #expect(state.admission.inFlight == 0, "every admitted request gave its place back")
    }

    @Test("liveness answers while many concurrent 10,000-row requests are in inference")
    func livenessUnderLoad() async throws {
        let (state, app) = try Self.server(maxInflightRequests: 6)
        let body = try Self.batch(rows: 10_000)
        try await app.test(.live) { client in
            let port = try #require(client.port)
            let loadFinished = Flag()
            let probes = try await withThrowingTaskGroup(of: [Probe].self) { group in
                group.addTask {
                    defer { loadFinished.set() }
                    try await Self.load(port: port, clients: 6, requests: 1, body: body)
                    return []
                }
                group.addTask {
                    // Back-to-back probes on their own connection for as long as the load runs.
                    try await TestClient.withClient(host: "127.0.0.1", port: port) { prober in
                        var probes: [Probe] = []
                        while !loadFinished.isSet && probes.count < 100_000 {
                            let status = try await prober.get("/v2/health/live").status.code
                            probes.append(Probe(status: status, duringInference: state.admission.inFlight > 0))
                        }
                        return probes
                    }
                }
                return try await group.reduce(into: []) { $0 += $1 }
            }
            #expect(!probes.isEmpty && probes.allSatisfy { $0.status == 200 })
            #expect(probes.contains { $0.duringInference }, "no probe was answered while inference ran")
        }
        #expect(state.admission.inFlight == 0)
    }

    @Test("a flood of maximal V2 bodies is refused by their declared shape; the server stays live and serving")
    func maximalV2Flood() async throws {
        let state = try ServerFixtures.state(ServerFixtures.configuration())
        let (app, _) = ServerFixtures.application(state)
        // Just under MAX_BODY_BYTES (4 MiB): two million values, seven times what the shape needs.
        let data = String(repeating: "0,", count: 1_999_999) + "0"
        func tensor(shape: String) -> String {
            "{\"inputs\":[{\"name\":\"x\",\"shape\":\(shape),\"datatype\":\"FP32\",\"data\":[\(data)]}]}"
        }
        let bodies = [tensor(shape: "[10000,30]"), tensor(shape: "[1000000000,30]")]
        try await app.test(.live) { client in
            let port = try #require(client.port)
            let statuses = try await withThrowingTaskGroup(of: [Int].self) { group in
                for index in 0..<3 {
                    group.addTask {
                        try await TestClient.withClient(host: "127.0.0.1", port: port, configuration: .init(timeout: .seconds(60))) {
                            flood in
                            var statuses: [Int] = []
                            for _ in 0..<2 {
                                let response = try await flood.post(
                                    "/v2/models/fraud-detector/infer", headers: Self.jsonHeaders,
                                    body: ByteBuffer(string: bodies[index % 2]))
                                statuses.append(response.status.code)
                            }
                            return statuses
                        }
                    }
                }
                return try await group.reduce(into: []) { $0 += $1 }
            }
            #expect(statuses.count == 6 && statuses.allSatisfy { [422, 413, 503].contains($0) }, "\(statuses)")
            #expect(statuses.contains(422) && statuses.contains(413))
            try await client.execute(uri: "/v2/health/live", method: .get) { #expect($0.status == .ok) }
            let row = try Self.batch(rows: 1)
            try await client.execute(uri: "/predict", method: .post, headers: Self.jsonHeaders, body: ByteBuffer(string: row)) {
                #expect($0.status == .ok)
            }
        }
    }

    @Test("MAX_INFLIGHT_REQUESTS and REQUEST_BODY_TIMEOUT_SECONDS are read from the environment and checked")
    func tuningFromEnvironment() throws {
        let configuration = try ServerConfiguration(
            environment: ["MAX_INFLIGHT_REQUESTS": "7", "REQUEST_BODY_TIMEOUT_SECONDS": "2.5"])
        #expect(configuration.maxInflightRequests == 7)
        #expect(configuration.requestBodyTimeoutSeconds == 2.5)
        #expect(ServerConfiguration().maxInflightRequests >= 16, "16 per core")
        for (key, value) in [
            ("MAX_INFLIGHT_REQUESTS", "0"), ("MAX_INFLIGHT_REQUESTS", "many"), ("REQUEST_BODY_TIMEOUT_SECONDS", "0"),
            ("REQUEST_BODY_TIMEOUT_SECONDS", "nan"), ("REQUEST_BODY_TIMEOUT_SECONDS", "3601"),
        ] {
            #expect {
                try ServerConfiguration(environment: [key: value])
            } throws: { error in
                (error as? ConfigurationError)?.setting == key
            }
        }
    }

    /// `clients` connections, each sending `requests` bodies one after another; every
    /// answer is 200, or 503 with Retry-After.
    static func load(port: Int, clients: Int, requests: Int, body: String) async throws {
        try await withThrowingTaskGroup(of: Void.self) { group in
            for _ in 0..<clients {
                group.addTask {
                    try await TestClient.withClient(host: "127.0.0.1", port: port, configuration: .init(timeout: .seconds(60))) {
                        load in
                        for _ in 0..<requests {
                            let response = try await load.post("/predict", headers: Self.jsonHeaders, body: ByteBuffer(string: body))
                            #expect(
                                response.status == .ok
                                    || (response.status == .serviceUnavailable && response.headers[.retryAfter] == "1"),
                                "\(response.status)")
                        }
                    }
                }
            }
            try await group.waitForAll()
        }
    }

    struct Probe: Sendable {
        var status: Int
        var duringInference: Bool
    }
}

/// A flag set once, read from any task.
final class Flag: Sendable {
    private let value = Atomic<Bool>(false)
    var isSet: Bool { value.load(ordering: .acquiring) }
    func set() { value.store(true, ordering: .releasing) }
}
