/// Compiles an `ai.onnx.ml` `TreeEnsembleClassifier` or `TreeEnsembleRegressor` node into a
/// forest, with onnxruntime's semantics.
///
/// # Guarantees
/// - Splits compare the `float32` input with the threshold as onnxruntime does for every
///   `BRANCH_*` mode; a missing value (NaN) takes the true branch when
///   `nodes_missing_value_tracks_true` says so (and for `BRANCH_NEQ`, where `NaN != t` holds).
/// - Outputs follow onnxruntime: a two-class classifier whose trees score class 0 only gives
///   P(class 1) = the score (all weights ≥ 0, any post_transform) or sigmoid(score)
///   (mixed weights, `LOGISTIC`); more classes give one value per class after post_transform.
///
/// # Caveats
/// A leaf that scores several classes becomes one tree per class (a RandomForest's leaves
/// score every class): evaluation walks such a tree once per class.
struct ONNXTreeEnsemble {
    let file: String
    /// The width of the rows the node reads (after the graph's preprocessing).
    let featureCount: Int

    /// Bound on nodes after per-class trees are split out, so a small crafted file cannot
    /// expand into gigabytes.
    static let maxExpandedNodes = 1 << 26

    private struct Leaf {
        var weights: [(group: Int, value: Double)] = []
    }

    func compile(_ node: Onnx_NodeProto) throws(ModelLoadError) -> ONNXCompiledEstimator {
        var attributes = try ONNXNodeAttributes(node, file: file)
        let isClassifier = node.opType == "TreeEnsembleClassifier"
        let prefix = isClassifier ? "class" : "target"

        let treeIDs = try attributes.required(attributes.ints("nodes_treeids"), "nodes_treeids")
        let nodeIDs = try attributes.required(attributes.ints("nodes_nodeids"), "nodes_nodeids")
        let featureIDs = try attributes.required(attributes.ints("nodes_featureids"), "nodes_featureids")
        let modes = try attributes.required(attributes.strings("nodes_modes"), "nodes_modes")
        let thresholds = try attributes.required(attributes.reals("nodes_values"), "nodes_values")
        let trueIDs = try attributes.required(attributes.ints("nodes_truenodeids"), "nodes_truenodeids")
        let falseIDs = try attributes.required(attributes.ints("nodes_falsenodeids"), "nodes_falsenodeids")
        let tracksTrue = try attributes.ints("nodes_missing_value_tracks_true") ?? []
        attributes.ignore("nodes_hitrates")
        attributes.ignore("nodes_hitrates_as_tensor")
        let postTransform = try attributes.string("post_transform") ?? "NONE"
        let baseValues = try attributes.reals("base_values")?.values ?? []
        let weightTrees = try attributes.required(attributes.ints("\(prefix)_treeids"), "\(prefix)_treeids")
        let weightNodes = try attributes.required(attributes.ints("\(prefix)_nodeids"), "\(prefix)_nodeids")
        let weightGroups = try attributes.required(attributes.ints("\(prefix)_ids"), "\(prefix)_ids")
        let weights = try attributes.required(attributes.reals("\(prefix)_weights"), "\(prefix)_weights").values

        let count = treeIDs.count
        guard count > 0 else { throw attributes.malformed("the ensemble has no nodes") }
        guard [nodeIDs.count, featureIDs.count, modes.count, thresholds.values.count, trueIDs.count, falseIDs.count]
            .allSatisfy({ $0 == count }), tracksTrue.isEmpty || tracksTrue.count == count
        else { throw attributes.malformed("the nodes_* attributes have different lengths") }
        guard weightNodes.count == weightTrees.count, weightGroups.count == weightTrees.count,
            weights.count == weightTrees.count
        else { throw attributes.malformed("the \(prefix)_* attributes have different lengths") }

        // The output columns and how margins become outputs.
        let task: ModelTask
        let groupCount: Int
        let transform: OutputTransform
        var aggregation = TreeAggregation.sum
        var baseMargins: [Double]
        var classLabels: ClassLabels?
        if isClassifier {
            let (classCount, readLabels) = try ONNXClassLabels.read(&attributes, intsName: "classlabels_int64s")
            classLabels = readLabels
            guard weightGroups.allSatisfy({ $0 >= 0 && $0 < classCount }) else {
                throw attributes.malformed("a class_ids value is not a class index below \(classCount)")
            }
            guard postTransform != "PROBIT" else { throw attributes.unsupported("post_transform 'PROBIT'") }
            if classCount == 2 {
                guard weightGroups.allSatisfy({ $0 == 0 }) else {
                    throw attributes.unsupported(
                        "a two-class ensemble with weights for class 1 (onnxruntime's 'binary as multiclass' case)")
                }
                guard baseValues.count <= 1 else {
                    throw attributes.unsupported("a two-class ensemble with \(baseValues.count) base_values")
                }
                task = .binaryClassification
                groupCount = 1
                baseMargins = [baseValues.first ?? 0]
                if weights.allSatisfy({ $0 >= 0 }) {
                    // onnxruntime writes [1 - s, s] whatever post_transform says.
                    transform = .identity
                } else if postTransform == "LOGISTIC" {
                    transform = .sigmoid(scale: 1)
                } else {
                    throw attributes.unsupported(
                        "a two-class ensemble with negative weights and post_transform '\(postTransform)' "
                            + "(raw scores, not probabilities); expected LOGISTIC")
                }
            } else {
                task = .multiclassClassification(classes: classCount)
                groupCount = classCount
                guard baseValues.isEmpty || baseValues.count == classCount else {
                    throw attributes.malformed("\(baseValues.count) base_values for \(classCount) classes")
                }
                baseMargins = baseValues.isEmpty ? Array(repeating: 0, count: classCount) : baseValues
                transform = try OutputTransform.onnx(postTransform, attributes)
            }
        } else {
            let targets = try attributes.int("n_targets") ?? 1
            guard targets == 1, weightGroups.allSatisfy({ $0 == 0 }) else {
                throw attributes.unsupported("\(targets) targets (n_targets); only single-target regressors are supported")
            }
            guard postTransform == "NONE" else {
                throw attributes.unsupported("post_transform '\(postTransform)' on a regressor; expected NONE")
            }
            guard baseValues.count <= 1 else { throw attributes.malformed("\(baseValues.count) base_values for 1 target") }
            task = .regression
            groupCount = 1
            transform = .identity
            baseMargins = [baseValues.first ?? 0]
            switch try attributes.string("aggregate_function") ?? "SUM" {
            case "SUM": aggregation = .sum
            case "AVERAGE": aggregation = .average(treeCount: 0)
            case "MIN": aggregation = .minimum
            case "MAX": aggregation = .maximum
            case let other: throw attributes.unsupported("aggregate_function '\(other)'")
            }
        }
        try attributes.refuseUnread()
        guard baseMargins.allSatisfy(\.isFinite) else { throw attributes.malformed("base_values are not finite") }

        // Trees are contiguous runs of nodes_treeids; the first node of a run is its root (as
        // onnxruntime reads them).
        var runs: [(tree: Int64, start: Int, end: Int)] = []
        for index in 0..<count where index == 0 || treeIDs[index] != treeIDs[index - 1] {
            if let last = runs.indices.last { runs[last].end = index }
            runs.append((treeIDs[index], index, count))
        }
        var position: [Int64: Int] = [:]  // tree id → run
        for (run, entry) in runs.enumerated() {
            guard position.updateValue(run, forKey: entry.tree) == nil else {
                throw attributes.malformed("the nodes of tree \(entry.tree) are not contiguous")
            }
        }
        var local: [[Int64: Int]] = Array(repeating: [:], count: runs.count)  // node id → index in its run
        for (run, entry) in runs.enumerated() {
            for index in entry.start..<entry.end {
                guard local[run].updateValue(index - entry.start, forKey: nodeIDs[index]) == nil else {
                    throw attributes.malformed("tree \(entry.tree) has node id \(nodeIDs[index]) twice")
                }
            }
        }
        var leaves: [[Int: Leaf]] = Array(repeating: [:], count: runs.count)
        for index in 0..<weightTrees.count {
            guard let run = position[weightTrees[index]], let node = local[run][weightNodes[index]] else {
                throw attributes.malformed(
                    "\(prefix) weight \(index) names tree \(weightTrees[index]), node \(weightNodes[index]), which does not exist")
            }
            guard modes[runs[run].start + node] == "LEAF" else {
                throw attributes.malformed("\(prefix) weight \(index) is on node \(weightNodes[index]), which is not a LEAF")
            }
            guard weights[index].isFinite else { throw attributes.malformed("\(prefix)_weights[\(index)] is not finite") }
            leaves[run][node, default: Leaf()].weights.append((Int(weightGroups[index]), weights[index]))
        }
        if case .average = aggregation { aggregation = .average(treeCount: runs.count) }

        var trees: [TreeDescription] = []
        var expandedNodes = 0
        for (run, entry) in runs.enumerated() {
            var groups = Set(leaves[run].values.flatMap { $0.weights.map(\.group) }).sorted()
            if groups.isEmpty { groups = [0] }
            expandedNodes += (entry.end - entry.start) * groups.count
            guard expandedNodes <= Self.maxExpandedNodes else {
                throw attributes.unsupported("per-class trees would need more than \(Self.maxExpandedNodes) nodes")
            }
            for group in groups {
                trees.append(
                    try tree(
                        run: entry, group: group, leaves: leaves[run], local: local[run], modes: modes,
                        featureIDs: featureIDs, thresholds: thresholds, trueIDs: trueIDs, falseIDs: falseIDs,
                        tracksTrue: tracksTrue, aggregation: aggregation, attributes: attributes))
            }
        }
        let forest: CompiledForest
        do {
            forest = try CompiledForest.compile(trees, featureCount: featureCount, groupCount: groupCount)
        } catch {
            throw attributes.malformed("tree \(error.tree), node \(error.node): \(error.reason)")
        }
        return ONNXCompiledEstimator(
            objective: "\(node.opType)(\(postTransform))", task: task, forest: forest, transform: transform,
            baseMargins: baseMargins, estimator: .trees(aggregation), scoreWidth: groupCount, classLabels: classLabels)
    }

    /// One run of nodes as a tree scoring `group`.
    private func tree(
        run: (tree: Int64, start: Int, end: Int), group: Int, leaves: [Int: Leaf], local: [Int64: Int],
        modes: [String], featureIDs: [Int64], thresholds: (values: [Double], isFloat32: Bool), trueIDs: [Int64],
        falseIDs: [Int64], tracksTrue: [Int64], aggregation: TreeAggregation, attributes: ONNXNodeAttributes
    ) throws(ModelLoadError) -> TreeDescription {
        var tree = TreeDescription()
        tree.group = group
        for index in run.start..<run.end {
            let mode = modes[index]
            if mode == "LEAF" {
                let values = (leaves[index - run.start]?.weights ?? []).filter { $0.group == group }.map(\.value)
                let value: Double
                switch aggregation {
                case .minimum: value = values.min() ?? 0
                case .maximum: value = values.max() ?? 0
                case .sum, .average: value = values.reduce(0, +)
                }
                _ = tree.addLeaf(value)
                continue
            }
            guard let split = Split(mode) else {
                throw attributes.unsupported("nodes_modes '\(mode)' (tree \(run.tree), node \(index - run.start))")
            }
            guard let trueChild = local[trueIDs[index]], let falseChild = local[falseIDs[index]] else {
                throw attributes.malformed("tree \(run.tree): node \(index - run.start) has a child that does not exist")
            }
            let threshold = thresholds.values[index]
            guard !threshold.isNaN else { throw attributes.malformed("tree \(run.tree): a threshold is NaN") }
            let missingTakesTrue = (tracksTrue.isEmpty ? false : tracksTrue[index] != 0) || split == .notEqual
            let (comparison, limit) = split.comparison(threshold, isFloat32: thresholds.isFloat32)
            let node = tree.addSplit(
                feature: Int(clamping: featureIDs[index]), threshold: limit,
                defaultLeft: missingTakesTrue == split.trueIsLeft, comparison: comparison)
            tree.leftChild[node] = split.trueIsLeft ? trueChild : falseChild
            tree.rightChild[node] = split.trueIsLeft ? falseChild : trueChild
        }
        return tree
    }

    /// An ONNX `BRANCH_*` mode, expressed with ``TreeDescription``'s "left when x < t"
    /// (or `<=`, `==`) and the choice of which child is the true branch.
    enum Split: Equatable {
        case lessOrEqual, less, greaterOrEqual, greater, equal, notEqual

        init?(_ mode: String) {
            switch mode {
            case "BRANCH_LEQ": self = .lessOrEqual
            case "BRANCH_LT": self = .less
            case "BRANCH_GTE": self = .greaterOrEqual
            case "BRANCH_GT": self = .greater
            case "BRANCH_EQ": self = .equal
            case "BRANCH_NEQ": self = .notEqual
            default: return nil
            }
        }

        /// Whether the left child (the one the comparison sends a row to) is the true branch.
        var trueIsLeft: Bool { self == .lessOrEqual || self == .less || self == .equal }

        /// The comparison and threshold that send exactly the true rows (LEQ, LT, EQ) or the
        /// false rows (GTE, GT, NEQ) left. `x <= t` becomes `x < nextUp(t)` in the threshold's
        /// precision (inputs are `float32`, so no value lies between), keeping the fast path;
        /// only `t = +inf` needs `<=`.
        func comparison(_ threshold: Double, isFloat32: Bool) -> (TreeDescription.Comparison, Double) {
            switch self {
            case .less, .greaterOrEqual:
                return (.less, threshold)
            case .equal, .notEqual:
                return (.equal, threshold)
            case .lessOrEqual, .greater:
                if threshold == .infinity { return (.lessOrEqual, threshold) }
                return (.less, isFloat32 ? Double(Float(threshold).nextUp) : threshold.nextUp)
            }
        }
    }
}
