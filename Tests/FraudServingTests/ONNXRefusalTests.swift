import FraudServing
import Testing

/// ONNX constructs fraud-server does not implement are refused at load with a message that
/// names the file, the node and op (where there is one) and what is wrong. The files are
/// exported models with one thing changed (hack/fixtures/make_onnx_models.py).
@Suite struct ONNXRefusalTests {
    static let supportedOps =
        "TreeEnsembleRegressor, TreeEnsemble, LinearClassifier, LinearRegressor, Scaler, Imputer, Normalizer, Binarizer, "
        + "ArrayFeatureExtractor, ZipMap (ai.onnx.ml); Identity, Cast, Add/Sub/Mul/Div by a constant, and a linear "
        + "model's MatMul, Gemm, Sigmoid, Softmax, ArgMax, Reshape, Flatten, Concat, Constant (ai.onnx)"

    static let cases: [(file: String, kind: ModelLoadError.Kind, reason: String)] = [
        ("refuse_double_input", .unsupported, "input 'X' has element type DOUBLE; expected FLOAT"),
        ("refuse_dynamic_features", .unsupported,
         "input 'X' has a dynamic feature dimension; expected a fixed [N, features]"),
        ("refuse_ir_version", .unsupported, "ir_version 99; supported: 3 to 14"),
        ("refuse_ml_opset", .unsupported, "ai.onnx.ml opset 99; supported: 1 to 5"),
        ("refuse_opset_domain", .unsupported, "opset domain 'com.microsoft'; supported: ai.onnx (\"\") and ai.onnx.ml"),
        ("refuse_conv", .unsupported,
         "node 'conv' (ai.onnx Conv): op 'Conv' is not supported; supported: TreeEnsembleClassifier, " + supportedOps),
        ("refuse_unknown_attribute", .unsupported,
         "node 'TreeEnsembleClassifier' (ai.onnx.ml TreeEnsembleClassifier): attribute 'nodes_unknown_feature' is not supported"),
        ("refuse_branch_mode", .unsupported,
         "node 'TreeEnsembleClassifier' (ai.onnx.ml TreeEnsembleClassifier): nodes_modes 'BRANCH_MEMBER' (tree 0, node 0)"),
        ("refuse_linear_probit", .unsupported,
         "node 'LinearClassifier' (ai.onnx.ml LinearClassifier): post_transform 'PROBIT'"),
        ("refuse_scaler_width", .malformed,
         "node 'Scaler' (ai.onnx.ml Scaler): 3 values in 'offset' for 30 features; expected 1 or 30"),
        ("refuse_concat", .unsupported,
         "node 'join' (ai.onnx Concat): only [1 - p, p] of a one-column sigmoid can be concatenated (branches that join are not supported)"),
        ("refuse_dense_raw_scores", .unsupported,
         "a linear model with 3 raw score columns (no Sigmoid or Softmax): not probabilities or one value"),
        ("refuse_dense_transposed", .unsupported, "node 'matmul' (ai.onnx Gemm): transA = 1 (the features transposed)"),
        ("refuse_tree_ensemble_post_transform", .unsupported,
         "node 'TreeEnsemble' (ai.onnx.ml TreeEnsemble): post_transform 2: onnxruntime and the ONNX specification read its "
            + "codes differently; set NONE (0) and put a Sigmoid or Softmax node after the ensemble"),
        ("refuse_dense_weights", .malformed, "node 'matmul' (ai.onnx MatMul): weights of shape [29, 3] for 30 features"),
    ]

    @Test("unsupported ONNX constructs are refused with an exact message", arguments: cases.map(\.file))
    func refused(file: String) throws {
        let expected = Self.cases.first { $0.file == file }!
        let path = Fixtures.path("onnx/\(file).onnx")
        let error = try #require(throws: ModelLoadError.self) { try ModelLoader.load(path: path) }
        #expect(error == ModelLoadError(file: path, kind: expected.kind, reason: expected.reason))
        #expect(error.description.contains(path))
    }

    @Test("an ONNX file forced through another format, or bytes that are not ONNX, are refused")
    func notONNX() throws {
        let path = Fixtures.path("onnx/random_forest.onnx")
        #expect(throws: ModelLoadError.self) { try ModelLoader.load(path: path, format: .xgboostJSON) }
        let error = try #require(throws: ModelLoadError.self) {
            try ModelLoader.load(bytes: Array("not a model".utf8), format: .onnx, file: "m.onnx")
        }
        #expect(error.file == "m.onnx" && error.kind == .malformed)
        #expect(error.reason.hasPrefix("not an ONNX ModelProto"), "\(error)")
    }
}
