import FraudServer
import FraudServing
import Foundation
import Hummingbird
import HummingbirdTesting
import Testing

@Suite struct PredictRouteTests {
    static let jsonHeaders: HTTPFields = [.contentType: "application/json"]

    struct PredictReply: Decodable {
        var predictions: [Double]
        var probabilities: [Double]?
        var model_version: String
    }

    @Test("POST /predict answers the seed's contract with labels, probabilities and the model version")
    func seedContract() async throws {
        let state = try ServerFixtures.state(ServerFixtures.configuration())
        let (app, _) = ServerFixtures.application(state)
        let rows = Array(try ServerFixtures.csv("holdout.csv").prefix(50))
        let expected = try ServerFixtures.csv("xgboost_binary.predictions.csv").prefix(50).map { $0[0] }
        #expect(rows.contains { $0.contains(where: \.isNaN) }, "some rows send null")
        try await app.test(.router) { client in
            try await client.execute(
                uri: "/predict", method: .post, headers: Self.jsonHeaders, body: ByteBuffer(string: ServerFixtures.json(rows))
            ) { response in
                #expect(response.status == .ok)
                #expect(response.headers[.contentType] == "application/json")
                let reply = try JSONDecoder().decode(PredictReply.self, from: Data(response.body.readableBytesView))
                #expect(reply.model_version == "2.1.0")
                let probabilities = try #require(reply.probabilities)
                #expect(zip(probabilities, expected).allSatisfy { abs($0 - $1) <= 1e-6 })
                #expect(reply.predictions == probabilities.map { $0 > 0.5 ? 1 : 0 })
                #expect(response.body.text.hasPrefix("{\"predictions\":[0"), "labels are integers, as the seed sent them")
            }
        }
    }

    /// A scikit-learn LogisticRegression through ONNX: complete rows answer as the estimator
    /// did; a null, which the model has no imputer for, is a 422 naming where it is (for
    /// /predict and V2) instead of a NaN probability. With an Imputer in the graph it answers.
    @Test("an ONNX linear model: answers, and a null it cannot impute is a 422 naming row and feature")
    func linearModelAndMissingValues() async throws {
        let complete = Array(try ServerFixtures.csv("onnx/inputs_complete.csv").prefix(20))
        let expected = try ServerFixtures.csv("onnx/logistic_regression.estimator.csv").prefix(20).map { $0[2] }
        let withNull = complete.enumerated().map { index, row in
            index == 3 ? row.enumerated().map { $0.offset == 7 ? .nan : $0.element } : row
        }
        let state = try ServerFixtures.state(ServerFixtures.configuration(model: "onnx/logistic_regression.onnx"))
        let (app, _) = ServerFixtures.application(state)
        try await app.test(.router) { client in
            try await client.execute(
                uri: "/predict", method: .post, headers: Self.jsonHeaders, body: ByteBuffer(string: ServerFixtures.json(complete))
            ) { response in
                #expect(response.status == .ok)
                let reply = try JSONDecoder().decode(PredictReply.self, from: Data(response.body.readableBytesView))
                let probabilities = try #require(reply.probabilities)
                #expect(zip(probabilities, expected).allSatisfy { abs($0 - $1) <= 1e-5 })
            }
            try await client.execute(
                uri: "/predict", method: .post, headers: Self.jsonHeaders, body: ByteBuffer(string: ServerFixtures.json(withNull))
            ) { response in
                #expect(response.status == .unprocessableContent)
                #expect(response.body.text.contains("row 3, feature 7 is missing (null), and this model (LinearClassifier(LOGISTIC)) has no imputer"))
            }
            let v2 = "{\"inputs\":[{\"name\":\"input-0\",\"shape\":[1,30],\"datatype\":\"FP64\",\"data\":"
                + ServerFixtures.json([withNull[3]]) + "}]}"
            try await client.execute(uri: "/v2/models/fraud-detector/infer", method: .post, headers: Self.jsonHeaders, body: ByteBuffer(string: v2)) { response in
                #expect(response.status == .unprocessableContent)
                #expect(response.body.text.contains("row 0, feature 7 is missing"))
            }
        }
        let imputed = try ServerFixtures.state(ServerFixtures.configuration(model: "onnx/logistic_regression_imputed.onnx"))
        try await ServerFixtures.application(imputed).0.test(.router) { client in
            try await client.execute(
                uri: "/predict", method: .post, headers: Self.jsonHeaders, body: ByteBuffer(string: ServerFixtures.json(withNull))
            ) { response in
                #expect(response.status == .ok, "the Imputer fills the null")
            }
        }
    }

    /// A model trained on labels that are not 0…n-1 answers with those labels, as the
    /// estimator's predict does: strings in /predict and as V2 BYTES, integers such as -1.
    @Test("an ONNX model's own class labels (strings, -1/1) are the predictions", arguments: [
        ("logistic_regression_string_labels", #"["fraud","legit"]"#, "BYTES"), ("random_forest_signed_labels", "[-1,1]", "INT64"),
    ])
    func ownClassLabels(model: String, labels: String, datatype: String) async throws {
        let rows = Array(try ServerFixtures.csv("onnx/inputs_complete.csv").prefix(40))
        let classes = try JSONSerialization.jsonObject(with: Data(labels.utf8)) as! [Any]
        let expected = try ServerFixtures.csv("onnx/\(model).estimator.csv").prefix(40).map { "\(classes[Int($0[0])])" }
        #expect(Set(expected).count == 2, "both labels occur")
        let state = try ServerFixtures.state(ServerFixtures.configuration(model: "onnx/\(model).onnx"))
        let (app, _) = ServerFixtures.application(state)
        try await app.test(.router) { client in
            try await client.execute(
                uri: "/predict", method: .post, headers: Self.jsonHeaders, body: ByteBuffer(string: ServerFixtures.json(rows))
            ) { response in
                #expect(response.status == .ok)
                let reply = try JSONSerialization.jsonObject(with: Data(response.body.readableBytesView)) as! [String: Any]
                let predictions = try #require(reply["predictions"] as? [Any])
                #expect(predictions.map { "\($0)" } == expected)
            }
            let v2 = "{\"inputs\":[{\"name\":\"X\",\"shape\":[1,30],\"datatype\":\"FP64\",\"data\":" + ServerFixtures.json([rows[0]]) + "}]}"
            try await client.execute(uri: "/v2/models/fraud-detector/infer", method: .post, headers: Self.jsonHeaders, body: ByteBuffer(string: v2)) { response in
                #expect(response.status == .ok)
                let reply = try JSONSerialization.jsonObject(with: Data(response.body.readableBytesView)) as! [String: Any]
                let label = try #require((reply["outputs"] as? [[String: Any]])?.first { $0["name"] as? String == "label" })
                #expect(label["datatype"] as? String == datatype)
                let data = try #require(label["data"] as? [Any])
                #expect(data.map { "\($0)" } == [expected[0]])
            }
        }
    }

    @Test("THRESHOLD decides the labels")
    func thresholdDecidesLabels() async throws {
        var configuration = ServerFixtures.configuration()
        configuration.threshold = 0
        let (app, _) = ServerFixtures.application(try ServerFixtures.state(configuration))
        let rows = Array(try ServerFixtures.csv("holdout.csv").prefix(3))
        try await app.test(.router) { client in
            try await client.execute(
                uri: "/predict", method: .post, headers: Self.jsonHeaders, body: ByteBuffer(string: ServerFixtures.json(rows))
            ) { response in
                let reply = try JSONDecoder().decode(PredictReply.self, from: Data(response.body.readableBytesView))
                #expect(reply.predictions == [1, 1, 1])
            }
        }
    }

    @Test(
        "bad input gets a 4xx JSON error, never a 5xx",
        arguments: [
            ("[[1,2", HTTPResponse.Status.badRequest, "malformed JSON"),
            ("", .badRequest, "malformed JSON"),
            ("[[1,2]]", .unprocessableContent, "row 0 has 2 values; the model expects 30"),
            ("[[\"a\"]]", .unprocessableContent, "non-numeric"),
            ("[]", .unprocessableContent, "empty batch"),
            ("{\"rows\":[]}", .unprocessableContent, "list of rows"),
            ("[1,2,3]", .unprocessableContent, "list of rows"),
            ("[[NaN]]", .badRequest, "malformed JSON"),
        ])
    func badInput(body: String, status: HTTPResponse.Status, message: String) async throws {
        let (app, _) = ServerFixtures.application(try ServerFixtures.state(ServerFixtures.configuration()))
        try await app.test(.router) { client in
            try await client.execute(uri: "/predict", method: .post, headers: Self.jsonHeaders, body: ByteBuffer(string: body)) {
                response in
                #expect(response.status == status)
                let error = try JSONDecoder().decode([String: String].self, from: Data(response.body.readableBytesView))
                #expect(error["error"]?.contains(message) == true, "\(error)")
            }
        }
    }

    @Test("a wrong-width row is named with the expected width")
    func wrongWidthNamesRow() async throws {
        let (app, _) = ServerFixtures.application(try ServerFixtures.state(ServerFixtures.configuration()))
        let good = [Double](repeating: 0.5, count: 30)
        let body = ServerFixtures.json([good, good, Array(good.prefix(29))])
        try await app.test(.router) { client in
            try await client.execute(uri: "/predict", method: .post, headers: Self.jsonHeaders, body: ByteBuffer(string: body)) {
                #expect($0.status == .unprocessableContent)
                #expect($0.body.text.contains("row 2 has 29 values; the model expects 30"))
            }
        }
    }

    @Test("too many rows is 413, naming MAX_BATCH_ROWS")
    func tooManyRows() async throws {
        var configuration = ServerFixtures.configuration()
        configuration.maxBatchRows = 2
        let (app, _) = ServerFixtures.application(try ServerFixtures.state(configuration))
        let row = [Double](repeating: 0.5, count: 30)
        try await app.test(.router) { client in
            try await client.execute(
                uri: "/predict", method: .post, headers: Self.jsonHeaders,
                body: ByteBuffer(string: ServerFixtures.json([row, row, row]))
            ) {
                #expect($0.status == .contentTooLarge)
                #expect($0.body.text.contains("MAX_BATCH_ROWS"))
            }
        }
    }

    @Test("a body over MAX_BODY_BYTES is 413")
    func bodyTooLarge() async throws {
        var configuration = ServerFixtures.configuration()
        configuration.maxBodyBytes = 1000
        let (app, _) = ServerFixtures.application(try ServerFixtures.state(configuration))
        let row = [Double](repeating: 0.123456789, count: 30)
        let body = ServerFixtures.json(Array(repeating: row, count: 10))
        for setup in [TestingSetup.router, .live] {
            try await app.test(setup) { client in
                try await client.execute(uri: "/predict", method: .post, headers: Self.jsonHeaders, body: ByteBuffer(string: body)) {
                    #expect($0.status == .contentTooLarge)
                    #expect($0.body.text.contains("MAX_BODY_BYTES"))
                }
                // The connection is still usable: the rest of the body was drained.
                try await client.execute(uri: "/v2/health/live", method: .get) { #expect($0.status == .ok) }
            }
        }
    }

    @Test("a non-JSON content type is 415; a missing one is read as JSON")
    func contentType() async throws {
        let (app, _) = ServerFixtures.application(try ServerFixtures.state(ServerFixtures.configuration()))
        let body = ServerFixtures.json([[Double](repeating: 0, count: 30)])
        try await app.test(.router) { client in
            try await client.execute(
                uri: "/predict", method: .post, headers: [.contentType: "text/csv"], body: ByteBuffer(string: body)
            ) { #expect($0.status == .unsupportedMediaType) }
            try await client.execute(uri: "/predict", method: .post, body: ByteBuffer(string: body)) {
                #expect($0.status == .ok)
            }
            try await client.execute(
                uri: "/predict", method: .post, headers: [.contentType: "application/json; charset=utf-8"],
                body: ByteBuffer(string: body)
            ) { #expect($0.status == .ok) }
        }
    }

    @Test("multi-class models answer argmax labels and a probability row per input row")
    func multiclass() async throws {
        let state = try ServerFixtures.state(ServerFixtures.configuration(model: "xgboost_multiclass.json"))
        let (app, _) = ServerFixtures.application(state)
        let rows = Array(try ServerFixtures.csv("holdout.csv").prefix(5))
        struct Reply: Decodable { var predictions: [Int]; var probabilities: [[Double]] }
        try await app.test(.router) { client in
            try await client.execute(
                uri: "/predict", method: .post, headers: Self.jsonHeaders, body: ByteBuffer(string: ServerFixtures.json(rows))
            ) { response in
                let reply = try JSONDecoder().decode(Reply.self, from: Data(response.body.readableBytesView))
                #expect(reply.probabilities.allSatisfy { $0.count == 3 && abs($0.reduce(0, +) - 1) < 1e-9 })
                #expect(reply.predictions == reply.probabilities.map { $0.firstIndex(of: $0.max()!)! })
            }
        }
    }

    @Test("regression models answer values and no probabilities")
    func regression() async throws {
        let state = try ServerFixtures.state(ServerFixtures.configuration(model: "lightgbm_regression.txt"))
        let (app, _) = ServerFixtures.application(state)
        let rows = Array(try ServerFixtures.csv("holdout.csv").prefix(5))
        let expected = try ServerFixtures.csv("lightgbm_regression.predictions.csv").prefix(5).map { $0[0] }
        try await app.test(.router) { client in
            try await client.execute(
                uri: "/predict", method: .post, headers: Self.jsonHeaders, body: ByteBuffer(string: ServerFixtures.json(rows))
            ) { response in
                let reply = try JSONDecoder().decode(PredictReply.self, from: Data(response.body.readableBytesView))
                #expect(reply.probabilities == nil)
                #expect(zip(reply.predictions, expected).allSatisfy { abs($0 - $1) <= 1e-6 })
            }
        }
    }
}
