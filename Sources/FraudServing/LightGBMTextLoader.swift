/// Reads LightGBM's text model format (`booster.save_model("model.txt")`, v2–v4).
///
/// Supported: `gbdt` boosting with numerical splits, the binary objectives (`binary`,
/// `cross_entropy`; sigmoid output) and the identity-output regression objectives
/// (`regression`, `regression_l1`, `huber`, `fair`, `quantile`, `mape`).
///
/// `decision_type` bits are read as LightGBM defines them: bit 0 categorical, bit 1
/// default_left, bits 2–3 missing type (0 None, 1 Zero, 2 NaN). Splits go left when
/// `x <= threshold`; with missing type None a NaN counts as 0, with Zero both NaN and
/// |x| ≤ 1e-35 take the default direction, with NaN only NaN does.
///
/// Refused, naming the feature: categorical splits, linear trees, `dart` and `rf`
/// boosting, multi-class models, and other objectives.
struct LightGBMTextLoader {
    let file: String

    static let sigmoidObjectives: Set<String> = ["binary", "cross_entropy", "xentropy"]
    static let identityObjectives: Set<String> = ["regression", "regression_l2", "l2", "mean_squared_error", "mse",
        "regression_l1", "l1", "mean_absolute_error", "mae", "huber", "fair", "quantile", "mape",
        "mean_absolute_percentage_error"]

    func malformed(_ reason: String) -> ModelLoadError {
        ModelLoadError(file: file, kind: .malformed, reason: reason)
    }

    func unsupported(_ reason: String) -> ModelLoadError {
        ModelLoadError(file: file, kind: .unsupported, reason: reason)
    }

    func load(_ bytes: [UInt8]) throws(ModelLoadError) -> TreeModel {
        guard let text = String(validating: bytes, as: UTF8.self) else { throw malformed("the file is not UTF-8 text") }
        let lines = text.split(omittingEmptySubsequences: true, whereSeparator: { $0 == "\n" || $0 == "\r\n" || $0 == "\r" })
        guard lines.first?.trimmingWhitespace() == "tree" else { throw malformed("the first line is not 'tree'") }

        var header: [Substring: Substring] = [:]
        var treeBlocks: [[Substring: Substring]] = []
        var current: [Substring: Substring]?
        var inParameters = false
        var boosting: Substring?
        var linearTree = false
        var sawEnd = false
        for line in lines.dropFirst() {
            if line == "end of trees" {
                if let block = current { treeBlocks.append(block) }
                current = nil
                sawEnd = true
                continue
            }
            if line == "parameters:" { inParameters = true; continue }
            if line == "end of parameters" { inParameters = false; continue }
            if inParameters {
                // Lines look like "[boosting: gbdt]".
                if line.hasPrefix("[boosting: ") { boosting = line.dropFirst(11).dropLast() }
                if line.hasPrefix("[linear_tree: ") { linearTree = line.dropFirst(14).dropLast() == "1" }
                continue
            }
            if sawEnd { continue }  // feature importances and other trailers
            guard let equals = line.firstIndex(of: "=") else { continue }
            let key = line[..<equals]
            let value = line[line.index(after: equals)...]
            if key == "Tree" {
                if let block = current { treeBlocks.append(block) }
                current = [:]
                continue
            }
            if current != nil { current![key] = value } else { header[key] = value }
        }
        if let block = current { treeBlocks.append(block) }
        if let boosting, boosting != "gbdt" && boosting != "gbrt" {
            if boosting == "dart" {
                throw unsupported("'dart' boosting; retrain with boosting='gbdt'")
            }
            throw unsupported("'\(boosting)' boosting; only 'gbdt' is supported")
        }
        if header["average_output"] != nil { throw unsupported("random-forest models ('average_output', boosting 'rf')") }
        if linearTree { throw unsupported("linear trees (linear_tree=1)") }

        let numClass = Int(header["num_class"] ?? "1") ?? 0
        let treesPerIteration = Int(header["num_tree_per_iteration"] ?? "1") ?? 0
        guard numClass == 1 && treesPerIteration == 1 else {
            throw unsupported("multi-class models (num_class \(numClass)); binary and regression objectives only")
        }
        guard let maxFeature = header["max_feature_idx"].flatMap({ Int($0) }), maxFeature >= 0 else {
            throw malformed("'max_feature_idx' is missing or not an integer")
        }
        guard maxFeature < ModelLimits.maxFeatures else {
            throw unsupported("max_feature_idx \(maxFeature): more than \(ModelLimits.maxFeatures) features")
        }
        guard let objectiveLine = header["objective"] else { throw malformed("the 'objective' line is missing") }
        let objectiveParts = objectiveLine.split(separator: " ")
        let objective = String(objectiveParts.first ?? "")
        let task: ModelTask
        let transform: OutputTransform
        if Self.sigmoidObjectives.contains(objective) {
            var scale = 1.0
            for option in objectiveParts.dropFirst() where option.hasPrefix("sigmoid:") {
                guard let value = DecimalParser.parseDouble(option.dropFirst(8)), value > 0, value.isFinite else {
                    throw malformed("objective option '\(option)' is not a positive finite number")
                }
                scale = value
            }
            task = .binaryClassification
            transform = .sigmoid(scale: scale)
        } else if Self.identityObjectives.contains(objective) {
            if objectiveParts.contains("sqrt") { throw unsupported("the 'sqrt' label transform of objective '\(objective)'") }
            task = .regression
            transform = .identity
        } else {
            throw unsupported(
                "objective '\(objective)'; supported: binary, cross_entropy, regression, regression_l1, huber, fair, "
                    + "quantile, mape")
        }

        var trees: [TreeDescription] = []
        trees.reserveCapacity(treeBlocks.count)
        for (index, block) in treeBlocks.enumerated() {
            trees.append(try tree(block, index: index))
        }
        guard !trees.isEmpty else { throw malformed("the model has no trees") }
        let featureCount = maxFeature + 1
        do {
            let forest = try CompiledForest.compile(trees, featureCount: featureCount, groupCount: 1)
            return TreeModel(
                format: .lightgbmText, objective: objective, task: task, featureCount: featureCount, forest: forest,
                transform: transform, baseMargins: [0], inputConversion: .lightgbm)
        } catch {
            throw malformed("Tree=\(error.tree), node \(error.node): \(error.reason)")
        }
    }

    private func tree(_ block: [Substring: Substring], index: Int) throws(ModelLoadError) -> TreeDescription {
        func numbers<T>(_ key: Substring, count: Int, _ parse: (Substring) -> T?) throws(ModelLoadError) -> [T] {
            guard let line = block[key] else { throw malformed("Tree=\(index) has no '\(key)' line") }
            var values: [T] = []
            // `count` comes from the file: reserve no more than the line can hold.
            values.reserveCapacity(min(count, line.utf8.count / 2 + 1))
            for token in line.split(separator: " ") {
                guard let value = parse(token) else { throw malformed("Tree=\(index): '\(key)' value '\(token)' is invalid") }
                values.append(value)
            }
            guard values.count == count else {
                throw malformed("Tree=\(index): '\(key)' has \(values.count) values, expected \(count)")
            }
            return values
        }
        if block["is_linear"] == "1" { throw unsupported("linear trees (Tree=\(index) is_linear=1)") }
        if let cats = block["num_cat"], cats != "0" {
            throw unsupported("categorical splits (Tree=\(index) num_cat=\(cats)); encode categories numerically")
        }
        guard let leaves = block["num_leaves"].flatMap({ Int($0) }), leaves >= 1 else {
            throw malformed("Tree=\(index): 'num_leaves' is missing or not a positive integer")
        }
        let leafValues = try numbers("leaf_value", count: leaves) { DecimalParser.parseDouble($0) }
        var tree = TreeDescription()
        if leaves == 1 {
            _ = tree.addLeaf(leafValues[0])
            return tree
        }
        let splits = leaves - 1
        let features = try numbers("split_feature", count: splits) { Int($0) }
        let thresholds = try numbers("threshold", count: splits) { Self.parseThreshold($0) }
        let decisionTypes = try numbers("decision_type", count: splits) { Int($0) }
        let leftChildren = try numbers("left_child", count: splits) { Int($0) }
        let rightChildren = try numbers("right_child", count: splits) { Int($0) }
        // Internal nodes keep their numbers; leaf k (written ~k) becomes node splits + k.
        func node(_ child: Int, split: Int, key: String) throws(ModelLoadError) -> Int {
            if child >= 0 && child < splits { return child }
            if child < 0 && ~child < leaves { return splits + ~child }
            throw malformed(
                "Tree=\(index), node \(split): \(key) \(child) is neither a split in 0..<\(splits) nor a leaf in -\(leaves)...-1")
        }
        for split in 0..<splits {
            let decision = decisionTypes[split]
            if decision & 1 != 0 {
                throw unsupported("categorical splits (Tree=\(index), node \(split)); encode categories numerically")
            }
            let missingType = (decision >> 2) & 3
            let threshold = thresholds[split]
            let defaultLeft: Bool
            switch missingType {
            case 0: defaultLeft = 0.0 <= threshold  // NaN is read as 0
            case 1, 2: defaultLeft = decision & 2 != 0
            default: throw malformed("Tree=\(index), node \(split): decision_type \(decision) has missing type 3")
            }
            // `x <= t` is `x < nextUp(t)` for every non-NaN x.
            let added = tree.addSplit(
                feature: features[split], threshold: threshold.nextUp, defaultLeft: defaultLeft,
                zeroIsMissing: missingType == 1)
            tree.leftChild[added] = try node(leftChildren[split], split: split, key: "left_child")
            tree.rightChild[added] = try node(rightChildren[split], split: split, key: "right_child")
        }
        for value in leafValues { _ = tree.addLeaf(value) }
        return tree
    }

    /// LightGBM writes thresholds with 17 significant digits, and `inf`/`-inf` for splits
    /// that separate only missing values.
    static func parseThreshold(_ token: Substring) -> Double? {
        switch token {
        case "inf", "+inf": return .infinity
        case "-inf": return -.infinity
        default: return DecimalParser.parseDouble(token)
        }
    }
}
