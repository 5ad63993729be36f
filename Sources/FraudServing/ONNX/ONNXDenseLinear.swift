/// A linear model written with dense `ai.onnx` ops (as PyTorch, Keras or hand-built graphs
/// export a LogisticRegression): `MatMul` or `Gemm` of the features and constant weights,
/// `Add` / `Sub` / `Mul` / `Div` by constants, then `Sigmoid` or `Softmax`; a two-class
/// `[1 - p, p]` built with `Sub` and `Concat`; `ArgMax` for the label; `Reshape` and `Flatten`
/// that keep `[N, k]`. Traced into one ``LinearScorer``.
struct DenseLinear: Equatable {
    /// The preprocessing before the `MatMul` / `Gemm`.
    var stages: [FeatureStage]
    /// The width of the features it multiplies.
    var width: Int
    /// One row of `width` weights per output column.
    var weights: [Double]
    var bias: [Double]
    /// Set by `Sigmoid` (LOGISTIC) or `Softmax`; nil while the outputs are raw scores.
    var transform: OutputTransform?
    /// `[1 - p, p]`: a one-column sigmoid joined with its complement.
    var complemented = false

    var groups: Int { bias.count }

    /// The op names, for the model's objective and messages.
    var objective: String {
        switch transform {
        case .sigmoid?: return "DenseLinear(LOGISTIC)"
        case .softmax?: return "DenseLinear(SOFTMAX)"
        default: return "DenseLinear(NONE)"
        }
    }
}

extension ONNXModelLoader {
    static let denseOps: Set<String> = [
        "MatMul", "Gemm", "Sigmoid", "Softmax", "ArgMax", "Reshape", "Flatten", "Concat", "Constant",
    ]

    /// What a dense op outputs, or nil when `node` is not one this file traces (the caller
    /// then handles or refuses it).
    func traceDense(_ node: Onnx_NodeProto, source: (Int) throws(ModelLoadError) -> Value) throws(ModelLoadError) -> [Value]? {
        let describe = ONNXNodeAttributes.describe(node)
        guard node.domain.isEmpty || node.domain == "ai.onnx", node.output.count >= 1 else { return nil }
        var attributes = try ONNXNodeAttributes(node, file: file)
        switch node.opType {
        case "Constant":
            guard node.input.isEmpty, let tensor = try attributes.tensor("value") else {
                throw unsupported("\(describe): only a tensor 'value' Constant is supported")
            }
            try attributes.refuseUnread()
            if let reals = try? ONNXTensorValues.reals(tensor) { return [.constant(reals.values, dims: tensor.dims)] }
            if let indices = try? ONNXTensorValues.int64s(tensor) { return [.indices(indices)] }
            throw unsupported("\(describe): a Constant of type \(ONNXElementType.name(tensor.dataType))")
        case "MatMul", "Gemm":
            guard node.input.count >= 2, case .features(let stages, let width) = try source(0),
                case .constant(let values, let shape) = try source(1)
            else {
                throw unsupported("\(describe): only the features times constant weights is supported")
            }
            let alpha = try attributes.real("alpha") ?? 1
            let beta = try attributes.real("beta") ?? 1
            let transA = try attributes.int("transA") ?? 0
            let transB = try attributes.int("transB") ?? 0
            try attributes.refuseUnread()
            guard transA == 0 else { throw unsupported("\(describe): transA = 1 (the features transposed)") }
            // B is [width, k], or [k, width] with transB; a vector is [width].
            let columns: Int
            if shape.count == 1, shape[0] == width {
                columns = 1
            } else if shape.count == 2, shape[transB == 0 ? 0 : 1] == width {
                columns = Int(shape[transB == 0 ? 1 : 0])
            } else {
                throw malformed("\(describe): weights of shape \(shape) for \(width) features")
            }
            guard columns >= 1, values.count == columns * width, values.allSatisfy(\.isFinite) else {
                throw malformed("\(describe): \(values.count) weights for shape \(shape)")
            }
            var weights = [Double](repeating: 0, count: columns * width)
            for column in 0..<columns {
                for feature in 0..<width {
                    let value = transB == 0 || shape.count == 1 ? values[feature * columns + column] : values[column * width + feature]
                    weights[column * width + feature] = alpha * value
                }
            }
            var dense = DenseLinear(
                stages: stages, width: width, weights: weights, bias: Array(repeating: 0, count: columns), transform: nil)
            if node.opType == "Gemm", node.input.count == 3, !node.input[2].isEmpty {
                guard case .constant(let bias, _) = try source(2) else { throw unsupported("\(describe): a bias C that is not a constant") }
                try combine(&dense, .add, bias.map { beta * $0 }, constantFirst: false, describe)
            }
            return [.dense(dense)]
        case "Sigmoid", "Softmax":
            if node.input.count == 1, case .scores(let stages) = try source(0) {
                // After an estimator: kept as a step on its scores (a TreeEnsemble's way to be a classifier).
                let axis = try attributes.int("axis") ?? -1
                try attributes.refuseUnread()
                guard axis == -1 || axis == 1 else { throw unsupported("\(describe): Softmax over axis \(axis); expected the classes (1 or -1)") }
                return [.scores(stages + [.transform(node.opType == "Softmax" ? .softmax : .sigmoid(scale: 1))])]
            }
            guard node.input.count == 1, case .dense(var dense) = try source(0), dense.transform == nil else {
                throw unsupported("\(describe): \(node.opType) of anything but a linear model's raw scores")
            }
            if node.opType == "Softmax" {
                let axis = try attributes.int("axis") ?? -1
                guard axis == -1 || axis == 1 else { throw unsupported("\(describe): Softmax over axis \(axis); expected the classes (1 or -1)") }
                dense.transform = .softmax
            } else {
                dense.transform = .sigmoid(scale: 1)
            }
            try attributes.refuseUnread()
            return [.dense(dense)]
        case "Concat":
            let axis = try attributes.int("axis")
            try attributes.refuseUnread()
            guard node.input.count == 2, axis == 1 || axis == -1, case .complement(let first) = try source(0),
                case .dense(let second) = try source(1), first == second
            else {
                throw unsupported("\(describe): only [1 - p, p] of a one-column sigmoid can be concatenated (branches that join are not supported)")
            }
            var joined = second
            joined.complemented = true
            return [.dense(joined)]
        case "ArgMax":
            attributes.ignore("axis")
            attributes.ignore("keepdims")
            attributes.ignore("select_last_index")
            try attributes.refuseUnread()
            guard node.input.count == 1, try source(0).isEstimatorOutput else {
                throw unsupported("\(describe): ArgMax of anything but the model's scores")
            }
            return [.label]
        case "Reshape", "Flatten":
            attributes.ignore("axis")
            attributes.ignore("allowzero")
            try attributes.refuseUnread()
            let value = try source(0)
            guard value.isEstimatorOutput else {
                throw unsupported("\(describe): \(node.opType) of anything but the model's scores or label")
            }
            return [value]
        default:
            return nil
        }
    }

    /// `dense op constant` (or `constant op dense`) folded into the weights and bias; `1 - p`
    /// of a one-column sigmoid becomes its complement.
    func denseArithmetic(_ node: Onnx_NodeProto, _ pair: (Value, Value)) throws(ModelLoadError) -> Value? {
        let describe = ONNXNodeAttributes.describe(node)
        guard let op = FeatureStage.ArithmeticOp(rawValue: node.opType) else { return nil }
        switch pair {
        case (.dense(var dense), .constant(let constant, _)) where dense.transform == nil:
            try ONNXNodeAttributes(node, file: file).refuseUnread()
            try combine(&dense, op, constant, constantFirst: false, describe)
            return .dense(dense)
        case (.constant(let constant, _), .dense(var dense)) where dense.transform == nil:
            try ONNXNodeAttributes(node, file: file).refuseUnread()
            try combine(&dense, op, constant, constantFirst: true, describe)
            return .dense(dense)
        case (.constant(let constant, _), .dense(let dense)) where op == .sub && constant == [1]:
            guard dense.groups == 1, dense.transform == .sigmoid(scale: 1), !dense.complemented else {
                throw unsupported("\(describe): 1 - x of anything but a one-column sigmoid")
            }
            try ONNXNodeAttributes(node, file: file).refuseUnread()
            return .complement(dense)
        default:
            return nil
        }
    }

    /// Folds `scores op c` (or `c op scores`) into the affine map `weights · x + bias`.
    private func combine(
        _ dense: inout DenseLinear, _ op: FeatureStage.ArithmeticOp, _ constant: [Double], constantFirst: Bool, _ describe: String
    ) throws(ModelLoadError) {
        let groups = dense.groups
        guard constant.count == 1 || constant.count == groups, constant.allSatisfy(\.isFinite) else {
            throw malformed("\(describe): \(constant.count) constant values for \(groups) output column(s)")
        }
        func at(_ group: Int) -> Double { constant.count == 1 ? constant[0] : constant[group] }
        func scale(_ group: Int, by factor: Double) {
            for feature in 0..<dense.width { dense.weights[group * dense.width + feature] *= factor }
            dense.bias[group] *= factor
        }
        for group in 0..<groups {
            switch (op, constantFirst) {
            case (.add, _): dense.bias[group] += at(group)
            case (.sub, false): dense.bias[group] -= at(group)
            case (.sub, true):
                scale(group, by: -1)
                dense.bias[group] += at(group)
            case (.mul, _): scale(group, by: at(group))
            case (.div, false):
                guard at(group) != 0 else { throw malformed("\(describe): division by 0") }
                scale(group, by: 1 / at(group))
            case (.div, true):
                throw unsupported("\(describe): a constant divided by the scores")
            }
        }
    }

    /// The estimator of a graph whose output is a dense linear model.
    func compileDense(_ dense: DenseLinear) throws(ModelLoadError) -> ONNXCompiledEstimator {
        let scorer = LinearScorer(coefficients: dense.weights, intercepts: dense.bias, features: dense.width)
        let task: ModelTask
        var final: [ScoreStage] = []
        switch (dense.groups, dense.transform) {
        case (1, .sigmoid?): task = .binaryClassification
        case (1, nil): task = .regression
        case (2, .softmax?):
            task = .binaryClassification
            final = [.column(1)]
        case (let groups, .softmax?), (let groups, .sigmoid?):
            guard groups <= ModelLimits.maxClasses else { throw unsupported("\(groups) classes; at most \(ModelLimits.maxClasses)") }
            task = .multiclassClassification(classes: groups)
        default:
            throw unsupported(
                "a linear model with \(dense.groups) raw score columns (no Sigmoid or Softmax): not probabilities or one value")
        }
        let forest: CompiledForest
        do {
            forest = try CompiledForest.compile([], featureCount: dense.width, groupCount: dense.groups)
        } catch {
            throw malformed(error.reason)
        }
        return ONNXCompiledEstimator(
            objective: dense.objective, task: task, forest: forest, transform: dense.transform ?? .identity,
            baseMargins: Array(repeating: 0, count: dense.groups), estimator: .linear(scorer), scoreWidth: dense.groups,
            finalScoreStages: final)
    }
}
