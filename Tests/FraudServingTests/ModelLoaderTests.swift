import FraudServing
import Testing

@Suite struct ModelLoaderTests {
    @Test(
        "unsupported models fail at load, naming the file and the feature",
        arguments: [
            ("unsupported_xgboost_dart.json", "dart"),
            ("unsupported_xgboost_gblinear.json", "gblinear"),
            ("unsupported_xgboost_categorical.json", "categorical"),
            ("unsupported_xgboost_poisson.json", "count:poisson"),
            ("unsupported_lightgbm_linear.txt", "linear trees"),
            ("unsupported_lightgbm_dart.txt", "dart"),
            ("unsupported_lightgbm_multiclass.txt", "multi-class"),
            ("unsupported_lightgbm_categorical.txt", "categorical"),
        ])
    func unsupported(file: String, feature: String) {
        #expect {
            try ModelLoader.load(path: Fixtures.path(file))
        } throws: { error in
            guard let error = error as? ModelLoadError else { return false }
            return error.kind == .unsupported && error.description.contains(file) && error.description.contains(feature)
        }
    }

    /// A one-split XGBoost model in the JSON layout of a given XGBoost generation.
    static func xgboostModel(baseScore: String, objective: String = "binary:logistic", numClass: Int = 0,
                             defaultLeft: String = "[1, 0, 0]", version: String = "[3, 2, 0]") -> [UInt8] {
        let trees = (0..<max(1, numClass)).map { _ in
            """
            {"tree_param":{"num_nodes":"3","size_leaf_vector":"1","num_feature":"2"},"id":0,
             "left_children":[1,-1,-1],"right_children":[2,-1,-1],"parents":[2147483647,0,0],
             "split_indices":[1,0,0],"split_conditions":[0.5,-0.25,0.75],"default_left":\(defaultLeft),
             "split_type":[0,0,0],"categories":[],"categories_nodes":[],"categories_segments":[],"categories_sizes":[],
             "base_weights":[0,0,0],"loss_changes":[0,0,0],"sum_hessian":[1,1,1]}
            """
        }.joined(separator: ",")
        let info = (0..<max(1, numClass)).map(String.init).joined(separator: ",")
        return Array("""
            {"learner":{"attributes":{},"feature_names":[],"feature_types":[],
             "gradient_booster":{"model":{"gbtree_model_param":{"num_parallel_tree":"1","num_trees":"\(max(1, numClass))"},
               "trees":[\(trees)],"tree_info":[\(info)]},"name":"gbtree"},
             "learner_model_param":{"base_score":"\(baseScore)","num_class":"\(numClass)","num_feature":"2","num_target":"1"},
             "objective":{"name":"\(objective)"}},"version":\(version)}
            """.utf8)
    }

    @Test("XGBoost base_score is read in the 1.x/2.x scalar and the 3.x bracketed forms")
    func baseScoreForms() throws {
        for (text, version) in [("5E-1", "[1, 7, 6]"), ("5.0E-1", "[2, 1, 4]"), ("[5E-1]", "[3, 2, 0]")] {
            let model = try ModelLoader.load(bytes: Self.xgboostModel(baseScore: text, version: version), format: nil, file: "m.json")
            // logit(0.5) = 0: the output is sigmoid(leaf).
            let output = model.predict([[0, 0.2], [0, 0.9]])
            #expect(abs(output[0][0] - 1 / (1 + exp(0.25))) < 1e-7, "\(text)")
            #expect(abs(output[1][0] - 1 / (1 + exp(-0.75))) < 1e-7, "\(text)")
        }
        let regression = try ModelLoader.load(
            bytes: Self.xgboostModel(baseScore: "[1.5E0]", objective: "reg:squarederror"), format: nil, file: "m.json")
        #expect(regression.predict([[0, 0.2]])[0][0] == 1.25)
        #expect(throws: ModelLoadError.self) {
            try ModelLoader.load(bytes: Self.xgboostModel(baseScore: "[1.5E0]"), format: nil, file: "m.json")
        }
        #expect(throws: ModelLoadError.self) {
            try ModelLoader.load(bytes: Self.xgboostModel(baseScore: "[1,2]"), format: nil, file: "m.json")
        }
    }

    @Test("XGBoost 3.x per-class base_score vectors are per-class margins")
    func multiclassBaseScore() throws {
        let model = try ModelLoader.load(
            bytes: Self.xgboostModel(baseScore: "[1E0,0E0,-1E0]", objective: "multi:softprob", numClass: 3),
            format: nil, file: "m.json")
        let output = model.predict([[0, 0.9]])[0]
        let margins = [1.75, 0.75, -0.25]
        let total = margins.map { exp($0) }.reduce(0, +)
        for (value, margin) in zip(output, margins) { #expect(abs(value - exp(margin) / total) < 1e-7) }
    }

    @Test("XGBoost missing values follow default_left (ints or booleans)")
    func xgboostMissing() throws {
        for defaults in ["[1, 0, 0]", "[true, false, false]"] {
            let model = try ModelLoader.load(
                bytes: Self.xgboostModel(baseScore: "5E-1", objective: "reg:squarederror", defaultLeft: defaults),
                format: nil, file: "m.json")
            #expect(model.predict([[0, .nan]])[0][0] == 0.5 - 0.25)
        }
    }

    /// A one-split LightGBM model with the given decision_type and threshold.
    static func lightgbmModel(decisionType: Int, threshold: String) -> [UInt8] {
        Array("""
            tree
            version=v4
            num_class=1
            num_tree_per_iteration=1
            label_index=0
            max_feature_idx=1
            objective=regression

            Tree=0
            num_leaves=2
            num_cat=0
            split_feature=1
            threshold=\(threshold)
            decision_type=\(decisionType)
            left_child=-1
            right_child=-2
            leaf_value=10 20
            is_linear=0
            shrinkage=1

            end of trees

            parameters:
            [boosting: gbdt]
            end of parameters
            """.utf8)
    }

    @Test("LightGBM decision_type bits: default_left and the None/Zero/NaN missing types")
    func lightgbmDecisionTypes() throws {
        func predict(_ decisionType: Int, _ threshold: String, _ x: Double) throws -> Double {
            let model = try ModelLoader.load(
                bytes: Self.lightgbmModel(decisionType: decisionType, threshold: threshold), format: nil, file: "m.txt")
            return model.predict([[0, x]])[0][0]
        }
        // Splits are `x <= threshold`.
        #expect(try predict(0, "1.5", 1.5) == 10)
        #expect(try predict(0, "1.5", 1.5000000000000002) == 20)
        // None (bits 2-3 = 0): NaN reads as 0, whatever default_left says.
        #expect(try predict(0, "-1", .nan) == 20)
        #expect(try predict(2, "1", .nan) == 10)
        // Zero (1 << 2): 0, tiny values and NaN take the default direction.
        #expect(try predict(4 | 2, "-1", 0) == 10)
        #expect(try predict(4, "1", 0) == 20)
        #expect(try predict(4, "1", .nan) == 20)
        #expect(try predict(4, "1", 1e-36) == 20)
        #expect(try predict(4, "1", 0.5) == 10)
        // NaN (2 << 2): only NaN takes the default; 0 compares.
        #expect(try predict(8 | 2, "-1", .nan) == 10)
        #expect(try predict(8, "1", .nan) == 20)
        #expect(try predict(8, "1", 0) == 10)
        // +inf thresholds (written as "inf") keep every number left.
        #expect(try predict(8, "inf", .infinity) == 10)
        // Categorical (bit 0) is refused.
        #expect(throws: ModelLoadError.self) { try predict(1, "0", 0) }
    }

    @Test("format detection and malformed files")
    func malformed() {
        #expect(ModelFormat.detect(Array("  {\"learner\":{}}".utf8)) == .xgboostJSON)
        #expect(ModelFormat.detect(Array("tree\nversion=v4".utf8)) == .lightgbmText)
        #expect(ModelFormat.detect(Array("PK\u{3}\u{4}".utf8)) == nil)
        for bytes in [Array("".utf8), Array("{\"learner\":".utf8), Array("tree\nTree=0\nnum_leaves=x".utf8), [0x80, 0x81]] {
            #expect(throws: ModelLoadError.self) { try ModelLoader.load(bytes: bytes, format: nil, file: "bad") }
        }
    }

    @Test("truncated and corrupted model files never crash the loader")
    func loaderFuzz() throws {
        let originals = [
            try ModelLoader.readFile(Fixtures.path("xgboost_reglogistic.json")),
            try ModelLoader.readFile(Fixtures.path("lightgbm_xentropy.txt")),
        ]
        var state: UInt64 = 99
        func next() -> Int {
            state = state &* 6364136223846793005 &+ 1442695040888963407
            return Int(truncatingIfNeeded: state >> 33)
        }
        for iteration in 0..<300 {
            var bytes = originals[iteration % 2]
            switch iteration % 3 {
            case 0: bytes = Array(bytes.prefix(next() % bytes.count))
            case 1:
                for _ in 0..<4 { bytes[next() % bytes.count] = UInt8(truncatingIfNeeded: next()) }
            default:
                let digits = Array("0123456789-".utf8)
                for _ in 0..<4 { bytes[next() % bytes.count] = digits[next() % digits.count] }
            }
            // Either a model that predicts finite numbers, or a typed error.
            if let model = try? ModelLoader.load(bytes: bytes, format: nil, file: "fuzz") {
                let row = [Double](repeating: 0.3, count: model.featureCount)
                #expect(model.predict([row])[0].allSatisfy { !$0.isNaN })
            }
        }
    }
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
