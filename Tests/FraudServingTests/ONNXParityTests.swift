import FraudServing
import Testing

/// ONNX tree ensembles and linear pipelines exported by skl2onnx and onnxmltools must answer as onnxruntime AND
/// the estimator itself do (hack/fixtures/make_onnx_models.py): labels equal, values within
/// 1e-5; crafted ensembles (every BRANCH_* mode, missing-value tracking, ±inf thresholds,
/// AVERAGE/MIN/MAX, SOFTMAX_ZERO) must match onnxruntime on rows sitting on the thresholds.
@Suite struct ONNXParityTests {
    static let tolerance = 1e-5

    /// Exported models and the inputs they were trained with (with or without missing values).
    static let exported: [(model: String, inputs: String)] = [
        ("random_forest", "inputs_complete.csv"), ("random_forest_multiclass", "inputs_complete.csv"),
        ("extra_trees", "inputs_complete.csv"), ("gradient_boosting", "inputs_complete.csv"),
        ("hist_gradient_boosting", "inputs.csv"), ("xgboost", "inputs.csv"), ("lightgbm", "inputs.csv"),
        ("random_forest_regressor", "inputs_complete.csv"),
        ("logistic_regression", "inputs_complete.csv"), ("logistic_regression_imputed", "inputs.csv"),
        ("logistic_regression_multiclass", "inputs_complete.csv"), ("logistic_regression_selected", "inputs_complete.csv"),
        ("logistic_regression_binarized", "inputs_complete.csv"), ("ridge_regressor", "inputs_complete.csv"),
        ("dense_logistic_binary", "inputs_complete.csv"), ("dense_softmax_multiclass", "inputs_complete.csv"),
        ("dense_linear_regression", "inputs_complete.csv"), ("tree_ensemble_regressor", "inputs_complete.csv"),
        ("logistic_regression_string_labels", "inputs_complete.csv"), ("random_forest_signed_labels", "inputs_complete.csv"),
    ]

    static let crafted = [
        "crafted_regressor_sum", "crafted_regressor_sum_missing_true", "crafted_regressor_average",
        "crafted_regressor_min", "crafted_regressor_max", "crafted_regressor_infinite_thresholds",
        "crafted_multiclass_none", "crafted_multiclass_logistic", "crafted_multiclass_softmax",
        "crafted_multiclass_softmax_zero", "tree_ensemble_modes", "tree_ensemble_max", "tree_ensemble_sigmoid",
        "tree_ensemble_softmax",
    ]

    static func model(_ name: String) throws -> TreeModel { try Fixtures.model("onnx/\(name).onnx") }

    /// The label fraud-server reports for one row's outputs (FraudServer's writeLabel).
    static func label(_ outputs: [Double], task: ModelTask) -> Double {
        switch task {
        case .binaryClassification: return outputs[0] > 0.5 ? 1 : 0
        case .multiclassClassification:
            var best = 0
            for column in outputs.indices.dropFirst() where outputs[column] > outputs[best] { best = column }
            return Double(best)
        case .regression: return outputs[0]
        }
    }

    /// Compares predictions with a reference file of `label, value…` rows, where classifiers
    /// list every class's probability and fraud-server reports P(class 1) for two classes.
    static func compare(_ model: TreeModel, _ rows: [[Double]], reference name: String) throws {
        let expected = try Fixtures.csv("onnx/\(name)")
        try #require(expected.count == rows.count)
        let predicted = model.predict(rows)
        var worst = 0.0
        var labelMismatches = 0
        for (outputs, reference) in zip(predicted, expected) {
            let values: [Double]
            switch model.task {
            // Classifiers list [label, P(0), P(1)], a sigmoid-only graph [label, P(1)].
            case .binaryClassification: values = [reference.last ?? .nan]
            default: values = Array(reference.dropFirst())
            }
            #expect(outputs.count == values.count)
            for (value, want) in zip(outputs, values) { worst = max(worst, abs(value - want)) }
            if model.task != .regression && label(outputs, task: model.task) != reference[0] { labelMismatches += 1 }
        }
        #expect(worst <= tolerance, "\(name): max |Δ| \(worst)")
        #expect(labelMismatches == 0, "\(name): \(labelMismatches) labels differ")
    }

    @Test("exported models match onnxruntime and the estimator", arguments: exported.map(\.model))
    func exportedParity(model name: String) throws {
        let inputs = Self.exported.first { $0.model == name }!.inputs
        let model = try Self.model(name)
        let rows = try Fixtures.csv("onnx/\(inputs)")
        try Self.compare(model, rows, reference: "\(name).onnxruntime.csv")
        try Self.compare(model, rows, reference: "\(name).estimator.csv")
    }

    @Test("models trained with missing values are checked on rows that have them")
    func missingValuesCovered() throws {
        let rows = try Fixtures.csv("onnx/inputs.csv")
        let withMissing = rows.filter { $0.contains(where: \.isNaN) }.count
        #expect(withMissing > 20 && withMissing < rows.count - 20)
    }

    @Test("crafted ensembles match onnxruntime on threshold, NaN and ±inf rows", arguments: crafted)
    func craftedParity(model name: String) throws {
        let model = try Self.model(name)
        try Self.compare(model, try Fixtures.csv("onnx/crafted_inputs.csv"), reference: "\(name).onnxruntime.csv")
    }

    @Test("single-row predictions equal batch predictions exactly", arguments: exported.map(\.model))
    func singleRowMatchesBatch(model name: String) throws {
        let model = try Self.model(name)
        let rows = try Fixtures.csv("onnx/inputs.csv")
        let batch = model.predict(rows)
        for (row, batchOutput) in zip(rows, batch) {
            var output = [Double](repeating: -1, count: model.outputsPerRow)
            row.withUnsafeBufferPointer { input in
                output.withUnsafeMutableBufferPointer { model.predict(row: input, into: $0) }
            }
            // NaN for NaN: a linear model without an imputer answers a missing value with NaN.
            #expect(output.elementsEqual(batchOutput) { $0 == $1 || ($0.isNaN && $1.isNaN) }, "\(output) vs \(batchOutput)")
        }
    }

    @Test("ONNX models report their format, task and width, and are detected from their bytes")
    func metadata() throws {
        let forest = try Self.model("random_forest")
        #expect(forest.format == .onnx)
        #expect(forest.task == .binaryClassification)
        #expect(forest.featureCount == 30)
        #expect(forest.treeCount == 6)
        #expect(try Self.model("random_forest_multiclass").task == .multiclassClassification(classes: 3))
        #expect(try Self.model("random_forest_regressor").task == .regression)
        #expect(try Self.model("xgboost").objective == "TreeEnsembleClassifier(LOGISTIC)")
        let linear = try Self.model("logistic_regression")
        #expect(linear.objective == "LinearClassifier(LOGISTIC)" && linear.task == .binaryClassification && linear.treeCount == 0)
        #expect(try Self.model("logistic_regression_multiclass").task == .multiclassClassification(classes: 3))
        #expect(try Self.model("ridge_regressor").objective == "LinearRegressor(NONE)")
        #expect(try Self.model("dense_logistic_binary").objective == "DenseLinear(LOGISTIC)")
        #expect(try Self.model("logistic_regression_string_labels").classLabels == .strings(["fraud", "legit"]))
        #expect(try Self.model("random_forest_signed_labels").classLabels == .integers([-1, 1]))
        #expect(linear.classLabels == nil, "labels 0 and 1 are the class indices")
        #expect(try Self.model("dense_softmax_multiclass").task == .multiclassClassification(classes: 3))
        #expect(try Self.model("dense_linear_regression").task == .regression)
        // Trees route a missing value, an Imputer or Binarizer fills it; a bare linear model cannot take one.
        #expect(forest.acceptsMissingValues && !linear.acceptsMissingValues)
        #expect(try Self.model("logistic_regression_imputed").acceptsMissingValues)
        #expect(try Self.model("logistic_regression_binarized").acceptsMissingValues)
        for name in ["random_forest", "lightgbm", "xgboost", "crafted_regressor_sum"] {
            let bytes = try ModelLoader.readFile(Fixtures.path("onnx/\(name).onnx"))
            #expect(ModelFormat.detect(bytes) == .onnx, "\(name)")
        }
        #expect(ModelFormat.parse("onnx") == .some(.onnx))
        #expect(ModelFormat.parse("ONNX-ML") == .some(.onnx))
    }
}
