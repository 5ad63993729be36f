/// What an estimator node compiles into, before the loader adds the graph's other steps.
struct ONNXCompiledEstimator {
    /// The op and its post-transform, e.g. `LinearClassifier(LOGISTIC)`.
    var objective: String
    var task: ModelTask
    /// The trees; empty for a linear model.
    var forest: CompiledForest
    var transform: OutputTransform
    var baseMargins: [Double]
    var estimator: ONNXEstimator
    /// The score columns the estimator writes.
    var scoreWidth: Int
    /// Run after the graph's own score steps: `.column(1)` serves a two-class model as the
    /// probability of class 1.
    var finalScoreStages: [ScoreStage] = []
    /// The classifier's labels, when they are not 0…n-1.
    var classLabels: ClassLabels?
}

extension OutputTransform {
    /// An ONNX `post_transform` (NONE, LOGISTIC, SOFTMAX, SOFTMAX_ZERO); PROBIT and anything
    /// else is refused, naming the node.
    static func onnx(_ name: String, _ attributes: ONNXNodeAttributes) throws(ModelLoadError) -> OutputTransform {
        switch name {
        case "NONE": return .identity
        case "LOGISTIC": return .sigmoid(scale: 1)
        case "SOFTMAX": return .softmax
        case "SOFTMAX_ZERO": return .softmaxZero
        default: throw attributes.unsupported("post_transform '\(name)'")
        }
    }
}

/// Reads a classifier node's class labels: integers (any distinct values) or strings.
enum ONNXClassLabels {
    /// The labels under `intsName` or `classlabels_strings`; nil labels mean 0…count-1.
    static func read(_ attributes: inout ONNXNodeAttributes, intsName: String) throws(ModelLoadError) -> (count: Int, labels: ClassLabels?) {
        let strings = try attributes.strings("classlabels_strings")
        let ints = try attributes.ints(intsName)
        let labels: ClassLabels
        switch (ints, strings) {
        case (let ints?, nil): labels = .integers(ints)
        case (nil, let strings?): labels = .strings(strings)
        case (nil, nil): throw attributes.malformed("missing attribute '\(intsName)' or 'classlabels_strings'")
        case (.some, .some): throw attributes.malformed("both '\(intsName)' and 'classlabels_strings' are set")
        }
        guard labels.count >= 2, labels.count <= ModelLimits.maxClasses else {
            throw attributes.unsupported("\(labels.count) classes; supported: 2 to \(ModelLimits.maxClasses)")
        }
        switch labels {
        case .integers(let values):
            guard Set(values).count == values.count else { throw attributes.malformed("class labels repeat: \(values.prefix(8))") }
            return (values.count, values.elementsEqual(0..<Int64(values.count)) ? nil : labels)
        case .strings(let values):
            guard Set(values).count == values.count else { throw attributes.malformed("class labels repeat: \(values.prefix(8))") }
            return (values.count, labels)
        }
    }
}

/// Compiles `ai.onnx.ml` `LinearClassifier` and `LinearRegressor` nodes with onnxruntime's
/// semantics: `scores = x · coefficientsᵀ + intercepts` (coefficients row-major, one row per
/// class or target), then `post_transform`.
///
/// # Guarantees
/// - Class labels are integers or strings (``ClassLabels``). Two classes with two coefficient rows (skl2onnx's
///   binary LogisticRegression) serve the probability of class 1 after the post-transform and
///   any `Normalizer`; one coefficient row with `LOGISTIC` serves `sigmoid(score)`, which is
///   onnxruntime's second column.
/// - `PROBIT`, raw (untransformed) one-row binary scores and multi-target
///   regressors are refused, naming the node.
struct ONNXLinearModel {
    let file: String
    /// The width of the rows the node reads (after the graph's preprocessing).
    let featureCount: Int

    func compile(_ node: Onnx_NodeProto) throws(ModelLoadError) -> ONNXCompiledEstimator {
        var attributes = try ONNXNodeAttributes(node, file: file)
        guard let coefficients = try attributes.reals("coefficients")?.values, !coefficients.isEmpty else {
            throw attributes.malformed("missing attribute 'coefficients'")
        }
        let intercepts = try attributes.reals("intercepts")?.values
        let postTransform = try attributes.string("post_transform") ?? "NONE"
        guard coefficients.allSatisfy(\.isFinite), (intercepts ?? []).allSatisfy(\.isFinite) else {
            throw attributes.malformed("coefficients or intercepts are not finite")
        }
        let rows = intercepts?.count ?? (coefficients.count / max(featureCount, 1))
        guard rows >= 1, coefficients.count == rows * featureCount else {
            throw attributes.malformed(
                "\(coefficients.count) coefficients for \(rows) row(s) of \(featureCount) features (the width of its input)")
        }
        let scorer = LinearScorer(
            coefficients: coefficients, intercepts: intercepts ?? Array(repeating: 0, count: rows), features: featureCount)
        let objective = "\(node.opType)(\(postTransform))"

        if node.opType == "LinearRegressor" {
            let targets = try attributes.int("targets") ?? 1
            try attributes.refuseUnread()
            guard targets == 1, rows == 1 else {
                throw attributes.unsupported("\(max(Int(targets), rows)) targets; only single-target regressors are supported")
            }
            guard postTransform == "NONE" else {
                throw attributes.unsupported("post_transform '\(postTransform)' on a regressor; expected NONE")
            }
            return try estimator(objective, .regression, scorer, .identity, attributes)
        }

        let (classes, classLabels) = try ONNXClassLabels.read(&attributes, intsName: "classlabels_ints")
        // onnxruntime reads multi_class but computes the same either way.
        attributes.ignore("multi_class")
        try attributes.refuseUnread()
        let transform = try OutputTransform.onnx(postTransform, attributes)
        var compiled: ONNXCompiledEstimator
        if rows == 1 {
            guard classes == 2 else {
                throw attributes.malformed("one coefficient row for \(classes) classes")
            }
            guard transform == .sigmoid(scale: 1) else {
                throw attributes.unsupported(
                    "a two-class model with one coefficient row and post_transform '\(postTransform)' "
                        + "(raw scores, not probabilities); expected LOGISTIC")
            }
            compiled = try estimator(objective, .binaryClassification, scorer, transform, attributes)
        } else {
            guard rows == classes else {
                throw attributes.malformed("\(rows) coefficient rows for \(classes) classes")
            }
            if classes == 2 {
                compiled = try estimator(objective, .binaryClassification, scorer, transform, attributes)
                compiled.finalScoreStages = [.column(1)]
            } else {
                compiled = try estimator(objective, .multiclassClassification(classes: classes), scorer, transform, attributes)
            }
        }
        compiled.classLabels = classLabels
        return compiled
    }

    private func estimator(
        _ objective: String, _ task: ModelTask, _ scorer: LinearScorer, _ transform: OutputTransform,
        _ attributes: ONNXNodeAttributes
    ) throws(ModelLoadError) -> ONNXCompiledEstimator {
        let forest: CompiledForest
        do {
            forest = try CompiledForest.compile([], featureCount: featureCount, groupCount: scorer.groups)
        } catch {
            throw attributes.malformed(error.reason)
        }
        return ONNXCompiledEstimator(
            objective: objective, task: task, forest: forest, transform: transform,
            baseMargins: Array(repeating: 0, count: scorer.groups), estimator: .linear(scorer), scoreWidth: scorer.groups)
    }
}
