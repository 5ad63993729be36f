import FraudServing
import Testing

/// Model files crafted to break the loaders: each used to trap (or to load and answer
/// NaN) and must now be refused with a ``ModelLoadError`` that names the problem.
@Suite struct CraftedModelTests {
    /// A one-split LightGBM regression model; each argument is one line's value.
    static func lightgbm(
        maxFeatureIdx: String = "1", objective: String = "regression", numLeaves: String = "2",
        splitFeature: String = "1", threshold: String = "0.5", decisionType: String = "2", leftChild: String = "-1",
        rightChild: String = "-2", leafValue: String = "10 20"
    ) -> [UInt8] {
        Array(
            """
            tree
            version=v4
            num_class=1
            num_tree_per_iteration=1
            label_index=0
            max_feature_idx=\(maxFeatureIdx)
            objective=\(objective)

            Tree=0
            num_leaves=\(numLeaves)
            num_cat=0
            split_feature=\(splitFeature)
            threshold=\(threshold)
            decision_type=\(decisionType)
            left_child=\(leftChild)
            right_child=\(rightChild)
            leaf_value=\(leafValue)
            is_linear=0
            shrinkage=1

            end of trees
            """.utf8)
    }

    /// A one-split XGBoost model (a tree per class for `multi:softprob`).
    static func xgboost(
        objective: String = "reg:squarederror", numClass: String = "0", numFeature: String = "2",
        baseScore: String = "5E-1", splitIndex: String = "1", treeCount: Int = 1
    ) -> [UInt8] {
        let tree = """
            {"left_children":[1,-1,-1],"right_children":[2,-1,-1],"split_indices":[\(splitIndex),0,0],
             "split_conditions":[0.5,-0.25,0.75],"default_left":[1,0,0],"split_type":[0,0,0],"categories_nodes":[]}
            """
        let trees = Array(repeating: tree, count: treeCount).joined(separator: ",")
        let info = (0..<treeCount).map(String.init).joined(separator: ",")
        return Array(
            """
            {"learner":{"feature_types":[],
             "gradient_booster":{"model":{"trees":[\(trees)],"tree_info":[\(info)]},"name":"gbtree"},
             "learner_model_param":{"base_score":"\(baseScore)","num_class":"\(numClass)","num_feature":"\(numFeature)"},
             "objective":{"name":"\(objective)"}}}
            """.utf8)
    }

    @Test(
        "crafted LightGBM files are refused, naming what is wrong",
        arguments: [
            // `max_feature_idx + 1` overflowed.
            ("max_feature_idx Int.max", lightgbm(maxFeatureIdx: "9223372036854775807"), "more than 16777216 features"),
            // Split features were stored as Int32 after a range check against the declared width.
            ("split feature past Int32", lightgbm(maxFeatureIdx: "3000000000", splitFeature: "2999999999"),
             "more than 16777216 features"),
            // `reserveCapacity(num_leaves)` asked for more memory than exists.
            ("num_leaves Int.max", lightgbm(numLeaves: "9223372036854775807"), "'leaf_value' has 2 values"),
            // `splits + ~child` overflowed.
            ("left_child Int.min", lightgbm(leftChild: "-9223372036854775808"), "left_child -9223372036854775808"),
            ("right_child past the leaves", lightgbm(rightChild: "-3"), "right_child -3 is neither"),
            ("left_child past the splits", lightgbm(leftChild: "1"), "left_child 1 is neither"),
            // Loaded with an infinite scale: NaN for a zero margin.
            ("infinite sigmoid scale", lightgbm(objective: "binary sigmoid:1e999"), "not a positive finite number"),
        ])
    func craftedLightGBM(name: String, bytes: [UInt8], message: String) {
        expectRefused(bytes, message, name)
    }

    @Test(
        "crafted XGBoost files are refused, naming what is wrong",
        arguments: [
            // `Array(repeating: base_score, count: num_class)` asked for more memory than exists.
            ("num_class Int.max", xgboost(objective: "multi:softprob", numClass: "9223372036854775807"),
             "more than 4096 classes"),
            // Split features were stored as Int32 after a range check against num_feature.
            ("split index past Int32", xgboost(numFeature: "3000000000", splitIndex: "2999999999"),
             "more than 16777216 features"),
            // Loaded, then answered infinities.
            ("infinite base_score", xgboost(baseScore: "1E39"), "not a finite number"),
            ("infinite base_score vector", xgboost(baseScore: "[1E39]"), "not a finite number"),
        ])
    func craftedXGBoost(name: String, bytes: [UInt8], message: String) {
        expectRefused(bytes, message, name)
    }

    @Test("a tree 100,000 splits deep loads and predicts without recursion")
    func deepTree() throws {
        // Split k sends x <= 0.5 to leaf k and the rest to split k + 1; the last split ends in two leaves.
        let splits = 100_000
        let leftChildren = (0..<splits).map { "-\($0 + 1)" }.joined(separator: " ")
        let rightChildren = ((1..<splits).map(String.init) + ["-\(splits + 1)"]).joined(separator: " ")
        func repeated(_ value: String) -> String { repeatElement(value, count: splits).joined(separator: " ") }
        let bytes = Self.lightgbm(
            numLeaves: "\(splits + 1)", splitFeature: repeated("0"), threshold: repeated("0.5"),
            decisionType: repeated("2"), leftChild: leftChildren, rightChild: rightChildren,
            leafValue: (0...splits).map { "\($0)" }.joined(separator: " "))
        let model = try ModelLoader.load(bytes: bytes, format: nil, file: "deep.txt")
        // x = 1 goes right at every split, down to the last leaf.
        #expect(model.predict([[1, 0]])[0][0] == Double(splits))
        #expect(model.predict([[0, 0]])[0][0] == 0)
    }

    func expectRefused(_ bytes: [UInt8], _ message: String, _ name: String) {
        do throws(ModelLoadError) {
            let model = try ModelLoader.load(bytes: bytes, format: nil, file: "crafted")
            Issue.record("\(name): loaded a model with \(model.treeCount) trees")
        } catch {
            #expect(error.description.contains("crafted") && error.description.contains(message), "\(name): \(error)")
        }
    }
}
