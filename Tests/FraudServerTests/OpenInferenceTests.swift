import FraudServer
import FraudServing
import Foundation
import Hummingbird
import HummingbirdTesting
import Testing

@Suite struct OpenInferenceTests {
    func object(_ buffer: ByteBuffer) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(buffer.readableBytesView)) as? [String: Any])
    }

    @Test("health, server and model metadata follow the Open Inference Protocol")
    func metadata() async throws {
        let state = try ServerFixtures.state(ServerFixtures.configuration())
        let (app, _) = ServerFixtures.application(state)
        try await app.test(.router) { client in
            try await client.execute(uri: "/v2/health/live", method: .get) {
                #expect($0.status == .ok)
                #expect($0.body.text == "{\"live\":true}")
            }
            try await client.execute(uri: "/v2/health/ready", method: .get) {
                #expect($0.status == .ok)
                #expect($0.body.text == "{\"ready\":true}")
            }
            try await client.execute(uri: "/v2", method: .get) { response in
                let name = try object(response.body)["name"] as? String
                #expect(name == "fraud-server")
            }
            for uri in ["/v2/models/fraud-detector", "/v2/models/fraud-detector/versions/2.1.0"] {
                try await client.execute(uri: uri, method: .get) { response in
                    #expect(response.status == .ok)
                    let metadata = try object(response.body)
                    #expect(metadata["name"] as? String == "fraud-detector")
                    #expect(metadata["versions"] as? [String] == ["2.1.0"])
                    #expect(metadata["platform"] as? String == "xgboost_json")
                    let inputs = try #require(metadata["inputs"] as? [[String: Any]])
                    #expect(inputs.first?["shape"] as? [Int] == [-1, 30])
                    #expect(inputs.first?["name"] as? String == "input-0", "XGBoost JSON names no input")
                    let parameters = try #require(metadata["parameters"] as? [String: Any])
                    #expect(parameters["sha256"] as? String == state.sha256)
                    #expect(state.sha256.count == 64)
                }
            }
            try await client.execute(uri: "/v2/models/fraud-detector/ready", method: .get) {
                #expect($0.status == .ok)
                #expect($0.body.text == "{\"name\":\"fraud-detector\",\"ready\":true}")
            }
            try await client.execute(uri: "/v2/models/other", method: .get) { response in
                #expect(response.status == .notFound)
                let error = try object(response.body)["error"] as? String
                #expect(error?.contains("not found") == true)
            }
            try await client.execute(uri: "/v2/models/fraud-detector/versions/9.9.9/ready", method: .get) {
                #expect($0.status == .notFound)
            }
        }
    }

    @Test("an ONNX model's metadata names its own input, its width, platform and objective")
    func onnxMetadata() async throws {
        let state = try ServerFixtures.state(ServerFixtures.configuration(model: "onnx/logistic_regression.onnx"))
        let (app, _) = ServerFixtures.application(state)
        try await app.test(.router) { client in
            try await client.execute(uri: "/v2/models/fraud-detector", method: .get) { response in
                let metadata = try object(response.body)
                let inputs = try #require(metadata["inputs"] as? [[String: Any]])
                #expect(inputs.first?["name"] as? String == "X")
                #expect(inputs.first?["shape"] as? [Int] == [-1, 30])
                let parameters = try #require(metadata["parameters"] as? [String: Any])
                #expect(parameters["objective"] as? String == "LinearClassifier(LOGISTIC)")
            }
        }
    }

    @Test("infer echoes the id and returns probabilities and labels that match XGBoost", arguments: ["FP64", "FP32"])
    func infer(datatype: String) async throws {
        let (app, _) = ServerFixtures.application(try ServerFixtures.state(ServerFixtures.configuration()))
        let rows = Array(try ServerFixtures.csv("holdout.csv").prefix(20))
        let expected = try ServerFixtures.csv("xgboost_binary.predictions.csv").prefix(20).map { $0[0] }
        let data = rows.flatMap { $0 }.map { $0.isNaN ? "null" : "\($0)" }.joined(separator: ",")
        let body = """
            {"id":"req-42","inputs":[{"name":"input-0","shape":[20,30],"datatype":"\(datatype)","data":[\(data)]}]}
            """
        try await app.test(.router) { client in
            try await client.execute(
                uri: "/v2/models/fraud-detector/versions/2.1.0/infer", method: .post,
                headers: [.contentType: "application/json"], body: ByteBuffer(string: body)
            ) { response in
                #expect(response.status == .ok)
                let reply = try object(response.body)
                #expect(reply["id"] as? String == "req-42")
                #expect(reply["model_name"] as? String == "fraud-detector")
                #expect(reply["model_version"] as? String == "2.1.0")
                let outputs = try #require(reply["outputs"] as? [[String: Any]])
                #expect(outputs.map { $0["name"] as? String } == ["probabilities", "label"])
                #expect(outputs[0]["shape"] as? [Int] == [20])
                let probabilities = try #require(outputs[0]["data"] as? [Double])
                // FP32 inputs are float32 already for XGBoost, so both datatypes match.
                #expect(zip(probabilities, expected).allSatisfy { abs($0 - $1) <= 1e-6 })
                #expect(outputs[1]["data"] as? [Int] == probabilities.map { $0 > 0.5 ? 1 : 0 })
            }
        }
    }

    @Test(
        "infer rejects bad tensors with a JSON error",
        arguments: [
            ("{\"inputs\":[{\"name\":\"x\",\"shape\":[1,29],\"datatype\":\"FP64\",\"data\":[]}]}", 422, "expected [N, 30]"),
            ("{\"inputs\":[{\"name\":\"x\",\"shape\":[1,30],\"datatype\":\"BYTES\",\"data\":[]}]}", 422, "FP32 or FP64"),
            ("{\"inputs\":[{\"name\":\"x\",\"shape\":[2,30],\"datatype\":\"FP64\",\"data\":[1]}]}", 422, "needs 60"),
            ("{\"inputs\":[{\"name\":\"x\",\"shape\":[1,30],\"datatype\":\"FP64\",\"data\":[\"a\"]}]}", 422, "not a number"),
            ("{\"inputs\":[]}", 422, "exactly one input"),
            ("{\"inputs\":", 400, "malformed JSON"),
            ("[]", 422, "JSON object"),
        ])
    func inferErrors(body: String, status: Int, message: String) async throws {
        let (app, _) = ServerFixtures.application(try ServerFixtures.state(ServerFixtures.configuration()))
        try await app.test(.router) { client in
            try await client.execute(
                uri: "/v2/models/fraud-detector/infer", method: .post, headers: [.contentType: "application/json"],
                body: ByteBuffer(string: body)
            ) { response in
                #expect(response.status.code == status)
                let error = try #require(try object(response.body)["error"] as? String)
                #expect(error.contains(message), "\(error)")
            }
        }
    }

    @Test("a requested output subset is honoured and an unknown output is refused")
    func requestedOutputs() async throws {
        let (app, _) = ServerFixtures.application(try ServerFixtures.state(ServerFixtures.configuration()))
        let data = [String](repeating: "0.5", count: 30).joined(separator: ",")
        let body: @Sendable (String) -> ByteBuffer = { output in
            ByteBuffer(
                string: """
                    {"inputs":[{"name":"x","shape":[1,30],"datatype":"FP64","data":[\(data)]}],"outputs":[{"name":"\(output)"}]}
                    """)
        }
        try await app.test(.router) { client in
            try await client.execute(uri: "/v2/models/fraud-detector/infer", method: .post, body: body("label")) { response in
                let outputs = try #require(try object(response.body)["outputs"] as? [[String: Any]])
                #expect(outputs.map { $0["name"] as? String } == ["label"])
            }
            try await client.execute(uri: "/v2/models/fraud-detector/infer", method: .post, body: body("logits")) {
                #expect($0.status == .unprocessableContent)
            }
        }
    }
}
