#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Reads XGBoost's JSON model format (`Booster.save_model("model.json")`, XGBoost 1.x–3.x).
///
/// Supported: the `gbtree` booster with numerical splits, `num_parallel_tree ≥ 1`, and
/// the objectives `binary:logistic`, `reg:logistic`, `reg:squarederror` and
/// `multi:softprob`. `base_score` is read as XGBoost ≥ 2 does: a scalar string (`"5E-1"`)
/// or a bracketed vector (`"[1.58E-2]"`, XGBoost 3.x, one value per class for
/// multi-class), in probability space for the logistic objectives and turned into a
/// margin with XGBoost's own `float32` formula.
///
/// Refused, naming the feature: `dart` and `gblinear` boosters, categorical features or
/// splits, multi-target trees (vector leaves), and other objectives.
struct XGBoostJSONLoader {
    let file: String

    static let objectives: [String: (ModelTask?, OutputTransform)] = [
        "binary:logistic": (.binaryClassification, .sigmoid(scale: 1)),
        "reg:logistic": (.regression, .sigmoid(scale: 1)),
        "reg:squarederror": (.regression, .identity),
        "multi:softprob": (nil, .softmax),
    ]

    func malformed(_ reason: String) -> ModelLoadError {
        ModelLoadError(file: file, kind: .malformed, reason: reason)
    }

    func unsupported(_ reason: String) -> ModelLoadError {
        ModelLoadError(file: file, kind: .unsupported, reason: reason)
    }

    func load(_ bytes: [UInt8]) throws(ModelLoadError) -> TreeModel {
        let root: JSONValue
        do {
            root = try JSONValue(parsing: bytes, options: .xgboostModel)
        } catch {
            if bytes.first == UInt8(ascii: "{") && bytes.contains(0) {
                throw unsupported("UBJSON (binary) XGBoost models; save the model with a .json file name")
            }
            throw malformed("\(error)")
        }
        guard let learner = root["learner"] else { throw malformed("missing the 'learner' object") }
        guard let parameters = learner["learner_model_param"] else {
            throw malformed("missing 'learner.learner_model_param'")
        }
        guard let booster = learner["gradient_booster"], let boosterName = booster["name"]?.stringValue else {
            throw malformed("missing 'learner.gradient_booster.name'")
        }
        switch boosterName {
        case "gbtree": break
        case "dart": throw unsupported("the 'dart' booster (dropout weights per tree); train with booster='gbtree'")
        case "gblinear": throw unsupported("the 'gblinear' booster (a linear model, not trees)")
        default: throw unsupported("the '\(boosterName)' booster; only 'gbtree' is supported")
        }
        guard let objective = learner["objective"]?["name"]?.stringValue else {
            throw malformed("missing 'learner.objective.name'")
        }
        guard let (fixedTask, transform) = Self.objectives[objective] else {
            throw unsupported(
                "objective '\(objective)'; supported: \(Self.objectives.keys.sorted().joined(separator: ", "))")
        }
        if let types = learner["feature_types"]?.arrayValue,
            let index = types.firstIndex(where: { $0.stringValue == "c" })
        {
            throw unsupported("categorical feature \(index) (feature_types 'c'); encode categories numerically")
        }
        guard let featureCount = parameters["num_feature"]?.lenientIntValue, featureCount > 0 else {
            throw malformed("'learner_model_param.num_feature' is missing or not a positive integer")
        }
        guard featureCount <= ModelLimits.maxFeatures else {
            throw unsupported("num_feature \(featureCount): more than \(ModelLimits.maxFeatures) features")
        }
        let numClass = parameters["num_class"]?.lenientIntValue ?? 0
        if let targets = parameters["num_target"]?.lenientIntValue, targets > 1 {
            throw unsupported("multi-target models (num_target \(targets))")
        }
        let task: ModelTask
        if let fixedTask {
            guard numClass <= 1 else { throw malformed("objective '\(objective)' with num_class \(numClass)") }
            task = fixedTask
        } else {
            guard numClass >= 2 else { throw malformed("objective '\(objective)' needs num_class ≥ 2, found \(numClass)") }
            guard numClass <= ModelLimits.maxClasses else {
                throw unsupported("num_class \(numClass): more than \(ModelLimits.maxClasses) classes")
            }
            task = .multiclassClassification(classes: numClass)
        }
        let groupCount = task.outputsPerRow
        let baseMargins = try baseMargins(parameters["base_score"], objective: objective, groupCount: groupCount)

        guard let model = booster["model"], let treeValues = model["trees"]?.arrayValue else {
            throw malformed("missing 'gradient_booster.model.trees'")
        }
        let treeInfo = model["tree_info"]?.arrayValue ?? []
        guard treeInfo.count == treeValues.count else {
            throw malformed("'tree_info' has \(treeInfo.count) entries for \(treeValues.count) trees")
        }
        var trees: [TreeDescription] = []
        trees.reserveCapacity(treeValues.count)
        for (index, value) in treeValues.enumerated() {
            guard let group = treeInfo[index].lenientIntValue else { throw malformed("tree_info[\(index)] is not an integer") }
            trees.append(try tree(value, index: index, group: group))
        }
        do {
            let forest = try CompiledForest.compile(trees, featureCount: featureCount, groupCount: groupCount)
            return TreeModel(
                format: .xgboostJSON, objective: objective, task: task, featureCount: featureCount, forest: forest,
                transform: transform, baseMargins: baseMargins, inputConversion: .float32)
        } catch {
            throw malformed("tree \(error.tree), node \(error.node): \(error.reason)")
        }
    }

    /// The per-group starting margin, as XGBoost ≥ 2 computes it (in `float32`).
    private func baseMargins(_ value: JSONValue?, objective: String, groupCount: Int) throws(ModelLoadError)
        -> [Double]
    {
        var scores: [Float]
        if let value, value.isNumber, let score = value.modelFloat {
            scores = [score]
        } else if let text = value?.stringValue {
            scores = try baseScores(text, groupCount: groupCount)
        } else {
            throw malformed("missing 'learner_model_param.base_score'")
        }
        if let score = scores.first(where: { !$0.isFinite }) {
            throw malformed("base_score \(score) is not a finite number")
        }
        if scores.count == 1 && groupCount > 1 { scores = Array(repeating: scores[0], count: groupCount) }
        guard objective.hasSuffix(":logistic") else { return scores.map(Double.init) }
        return try scores.map { (score: Float) throws(ModelLoadError) -> Double in
            guard score > 0 && score < 1 else {
                throw malformed("base_score \(score) must lie in (0, 1) for objective '\(objective)'")
            }
            // XGBoost's ProbToMargin for logistic objectives, in float32: -log(1/p - 1).
            let one: Float = 1
            return Double(-logf(one / score - one))
        }
    }

    /// The scores in a `base_score` string: one number (`"5E-1"`) or a bracketed list
    /// (`"[1.58E-2]"`), each rounded once to `float32`; one per group, or one for all.
    private func baseScores(_ text: String, groupCount: Int) throws(ModelLoadError) -> [Float] {
        var body = Substring(text)
        if body.hasPrefix("[") && body.hasSuffix("]") { body = body.dropFirst().dropLast() }
        let parts = body.split(separator: ",", omittingEmptySubsequences: false)
        var scores: [Float] = []
        for part in parts {
            let trimmed = part.trimmingWhitespace()
            guard DecimalParser.parseDouble(trimmed) != nil, let score = Float(trimmed) else {
                throw malformed("base_score '\(text)' is not a number or a bracketed list of numbers")
            }
            scores.append(score)
        }
        guard scores.count == 1 || scores.count == groupCount else {
            throw malformed("base_score '\(text)' has \(scores.count) values for \(groupCount) outputs")
        }
        return scores
    }

    private func tree(_ value: JSONValue, index: Int, group: Int) throws(ModelLoadError) -> TreeDescription {
        func array(_ key: String) throws(ModelLoadError) -> [JSONValue] {
            guard let values = value[key]?.arrayValue else { throw malformed("tree \(index) has no '\(key)' array") }
            return values
        }
        if let size = value["tree_param"]?["size_leaf_vector"]?.lenientIntValue, size > 1 {
            throw unsupported("multi-target trees with vector leaves (tree \(index), size_leaf_vector \(size))")
        }
        let left = try array("left_children")
        let right = try array("right_children")
        let features = try array("split_indices")
        let conditions = try array("split_conditions")
        let defaults = try array("default_left")
        let nodeCount = left.count
        guard nodeCount > 0, right.count == nodeCount, features.count == nodeCount, conditions.count == nodeCount,
            defaults.count == nodeCount
        else { throw malformed("tree \(index): node arrays have different lengths") }
        if let types = value["split_type"]?.arrayValue, let node = types.firstIndex(where: { $0.lenientIntValue != 0 }) {
            throw unsupported("categorical splits (tree \(index), node \(node)); encode categories numerically")
        }
        if let nodes = value["categories_nodes"]?.arrayValue, !nodes.isEmpty {
            throw unsupported("categorical splits (tree \(index)); encode categories numerically")
        }
        var tree = TreeDescription()
        tree.group = group
        for node in 0..<nodeCount {
            guard let leftChild = left[node].lenientIntValue, let rightChild = right[node].lenientIntValue else {
                throw malformed("tree \(index), node \(node): child index is not an integer")
            }
            guard let condition = conditions[node].modelFloat else {
                throw malformed("tree \(index), node \(node): split_conditions value is not a number")
            }
            if leftChild == -1 {
                _ = tree.addLeaf(Double(condition))
                continue
            }
            guard leftChild >= 0, rightChild >= 0 else {
                throw malformed("tree \(index), node \(node): child indices \(leftChild), \(rightChild) are invalid")
            }
            guard let feature = features[node].lenientIntValue, let defaultLeft = defaults[node].lenientIntValue else {
                throw malformed("tree \(index), node \(node): split_indices/default_left is not an integer")
            }
            let split = tree.addSplit(feature: feature, threshold: Double(condition), defaultLeft: defaultLeft != 0)
            tree.leftChild[split] = leftChild
            tree.rightChild[split] = rightChild
        }
        return tree
    }
}

extension Substring {
    func trimmingWhitespace() -> Substring {
        var text = self
        while let first = text.first, first.isWhitespace { text.removeFirst() }
        while let last = text.last, last.isWhitespace { text.removeLast() }
        return text
    }
}
