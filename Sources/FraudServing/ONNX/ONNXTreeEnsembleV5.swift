/// Compiles the `ai.onnx.ml` opset 5 `TreeEnsemble` node — interior nodes and leaves in
/// separate arrays, trees named by `tree_roots` — into a forest, with the semantics of
/// ``ONNXTreeEnsemble`` for splits and missing values.
///
/// # Guarantees
/// - One target and no transform serve a regression; a `Sigmoid` after one target serves
///   the probability of class 1, a `Softmax` after two or more targets the class
///   probabilities (two: class 1's).
/// - `post_transform` other than NONE is refused: onnxruntime reads its codes differently
///   from the ONNX specification (1 is LOGISTIC to one and SOFTMAX to the other), so no
///   answer could match both. Put a `Sigmoid` or `Softmax` node after the ensemble instead.
/// - `BRANCH_MEMBER` (set membership) is refused.
struct ONNXTreeEnsembleV5 {
    let file: String
    /// The width of the rows the node reads (after the graph's preprocessing).
    let featureCount: Int

    static let modeNames = ["BRANCH_LEQ", "BRANCH_LT", "BRANCH_GTE", "BRANCH_GT", "BRANCH_EQ", "BRANCH_NEQ", "BRANCH_MEMBER"]

    /// - Parameter transform: a `Sigmoid` or `Softmax` node's transform that follows the
    ///   ensemble, or nil.
    func compile(_ node: Onnx_NodeProto, transform: OutputTransform?) throws(ModelLoadError) -> ONNXCompiledEstimator {
        var attributes = try ONNXNodeAttributes(node, file: file)
        let targets = Int(clamping: try attributes.int("n_targets") ?? 1)
        let roots = try attributes.required(attributes.ints("tree_roots"), "tree_roots")
        let features = try attributes.required(attributes.ints("nodes_featureids"), "nodes_featureids")
        let modeCodes = try attributes.required(attributes.smallInts("nodes_modes"), "nodes_modes")
        let splits = try attributes.required(attributes.realTensor("nodes_splits"), "nodes_splits")
        let trueIDs = try attributes.required(attributes.ints("nodes_truenodeids"), "nodes_truenodeids")
        let trueLeafs = try attributes.required(attributes.ints("nodes_trueleafs"), "nodes_trueleafs")
        let falseIDs = try attributes.required(attributes.ints("nodes_falsenodeids"), "nodes_falsenodeids")
        let falseLeafs = try attributes.required(attributes.ints("nodes_falseleafs"), "nodes_falseleafs")
        let tracksTrue = try attributes.ints("nodes_missing_value_tracks_true") ?? []
        let leafTargets = try attributes.required(attributes.ints("leaf_targetids"), "leaf_targetids")
        let leafWeights = try attributes.required(attributes.realTensor("leaf_weights"), "leaf_weights").values
        attributes.ignore("nodes_hitrates")
        if try attributes.realTensor("membership_values") != nil {
            throw attributes.unsupported("membership_values (BRANCH_MEMBER set splits)")
        }
        let postTransform = try attributes.int("post_transform") ?? 0
        let aggregateCode = try attributes.int("aggregate_function") ?? 1
        try attributes.refuseUnread()

        let count = features.count
        guard count > 0, !roots.isEmpty else { throw attributes.malformed("the ensemble has no nodes or no trees") }
        guard [modeCodes.count, splits.values.count, trueIDs.count, trueLeafs.count, falseIDs.count, falseLeafs.count]
            .allSatisfy({ $0 == count }), tracksTrue.isEmpty || tracksTrue.count == count
        else { throw attributes.malformed("the nodes_* attributes have different lengths") }
        guard leafTargets.count == leafWeights.count else { throw attributes.malformed("the leaf_* attributes have different lengths") }
        guard leafWeights.allSatisfy(\.isFinite) else { throw attributes.malformed("a leaf weight is not finite") }
        guard targets >= 1, targets <= ModelLimits.maxClasses, leafTargets.allSatisfy({ $0 >= 0 && $0 < targets }) else {
            throw attributes.malformed("n_targets \(targets), or a leaf_targetids value outside it")
        }
        guard postTransform == 0 else {
            throw attributes.unsupported(
                "post_transform \(postTransform): onnxruntime and the ONNX specification read its codes differently; "
                    + "set NONE (0) and put a Sigmoid or Softmax node after the ensemble")
        }
        let aggregation: TreeAggregation
        switch aggregateCode {
        case 0: aggregation = .average(treeCount: roots.count)
        case 1: aggregation = .sum
        case 2 where targets == 1: aggregation = .minimum
        case 3 where targets == 1: aggregation = .maximum
        default: throw attributes.unsupported("aggregate_function \(aggregateCode) with \(targets) targets")
        }

        let task: ModelTask
        var final: [ScoreStage] = []
        switch (targets, transform) {
        case (1, nil): task = .regression
        case (1, .sigmoid?): task = .binaryClassification
        case (2, .softmax?):
            task = .binaryClassification
            final = [.column(1)]
        case (_, .softmax?) where targets > 2: task = .multiclassClassification(classes: targets)
        default:
            throw attributes.unsupported(
                "\(targets) target(s) with \(transform.map { "\($0)" } ?? "no transform"); expected one target (regression), "
                    + "one with a Sigmoid, or several with a Softmax")
        }

        var trees: [TreeDescription] = []
        var expanded = 0
        for root in roots {
            guard root >= 0, root < count else { throw attributes.malformed("tree root \(root) is not a node") }
            let reached = try reachableTargets(
                root: Int(root), trueIDs: trueIDs, trueLeafs: trueLeafs, falseIDs: falseIDs, falseLeafs: falseLeafs,
                leafTargets: leafTargets, attributes: attributes)
            for group in reached.targets.isEmpty ? [0] : reached.targets.sorted() {
                expanded += reached.nodes
                guard expanded <= ONNXTreeEnsemble.maxExpandedNodes else {
                    throw attributes.unsupported("per-target trees would need more than \(ONNXTreeEnsemble.maxExpandedNodes) nodes")
                }
                var tree = TreeDescription()
                tree.group = group
                // Depth-first from the root: (reference, parent, true branch?).
                var stack: [(index: Int, isLeaf: Bool, parent: Int, isTrueBranch: Bool)] = [(Int(root), false, -1, false)]
                var parentSplit: [Int: ONNXTreeEnsemble.Split] = [:]
                while let (index, isLeaf, parent, isTrueBranch) = stack.popLast() {
                    let described: Int
                    if isLeaf {
                        described = tree.addLeaf(Int(leafTargets[index]) == group ? leafWeights[index] : 0)
                    } else {
                        let code = Int(modeCodes[index])
                        guard code >= 0, code < Self.modeNames.count, let split = ONNXTreeEnsemble.Split(Self.modeNames[code]) else {
                            throw attributes.unsupported("nodes_modes \(code < Self.modeNames.count && code >= 0 ? Self.modeNames[code] : "\(code)") (node \(index))")
                        }
                        let threshold = splits.values[index]
                        guard !threshold.isNaN else { throw attributes.malformed("node \(index): the split is NaN") }
                        let missingTakesTrue = (tracksTrue.isEmpty ? false : tracksTrue[index] != 0) || split == .notEqual
                        let (comparison, limit) = split.comparison(threshold, isFloat32: splits.isFloat32)
                        described = tree.addSplit(
                            feature: Int(clamping: features[index]), threshold: limit,
                            defaultLeft: missingTakesTrue == split.trueIsLeft, comparison: comparison)
                        parentSplit[described] = split
                        stack.append((Int(falseIDs[index]), falseLeafs[index] != 0, described, false))
                        stack.append((Int(trueIDs[index]), trueLeafs[index] != 0, described, true))
                    }
                    if parent >= 0, let split = parentSplit[parent] {
                        if isTrueBranch == split.trueIsLeft { tree.leftChild[parent] = described } else { tree.rightChild[parent] = described }
                    }
                }
                trees.append(tree)
            }
        }
        let forest: CompiledForest
        do {
            forest = try CompiledForest.compile(trees, featureCount: featureCount, groupCount: targets)
        } catch {
            throw attributes.malformed("tree \(error.tree), node \(error.node): \(error.reason)")
        }
        let name = transform.map { $0 == .softmax ? "SOFTMAX" : "LOGISTIC" } ?? "NONE"
        return ONNXCompiledEstimator(
            objective: "TreeEnsemble(\(name))", task: task, forest: forest, transform: transform ?? .identity,
            baseMargins: Array(repeating: 0, count: targets), estimator: .trees(aggregation), scoreWidth: targets,
            finalScoreStages: final)
    }

    /// The targets a tree's leaves score and its node count, checking every reference and
    /// that no interior node is reached twice (which would also make a cycle).
    private func reachableTargets(
        root: Int, trueIDs: [Int64], trueLeafs: [Int64], falseIDs: [Int64], falseLeafs: [Int64], leafTargets: [Int64],
        attributes: ONNXNodeAttributes
    ) throws(ModelLoadError) -> (targets: Set<Int>, nodes: Int) {
        var targets = Set<Int>()
        var seen = Set<Int>()
        var nodes = 0
        var stack = [root]
        while let index = stack.popLast() {
            guard seen.insert(index).inserted else { throw attributes.malformed("node \(index) is reached twice (not a tree)") }
            nodes += 1
            for (child, isLeaf) in [(trueIDs[index], trueLeafs[index] != 0), (falseIDs[index], falseLeafs[index] != 0)] {
                if isLeaf {
                    guard child >= 0, child < leafTargets.count else { throw attributes.malformed("node \(index): leaf \(child) does not exist") }
                    targets.insert(Int(leafTargets[Int(child)]))
                    nodes += 1
                } else {
                    guard child >= 0, child < trueIDs.count else { throw attributes.malformed("node \(index): child \(child) does not exist") }
                    stack.append(Int(child))
                }
            }
        }
        return (targets, nodes)
    }
}
