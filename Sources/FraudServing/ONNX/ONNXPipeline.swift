#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// How a loaded ONNX graph turns a row into outputs: preprocessing steps on the features,
/// one estimator (a tree ensemble or a linear model), its post-transform, then steps on the
/// scores — each with onnxruntime's semantics.
struct ONNXPipeline: Sendable {
    /// The graph's input name, reported in the V2 metadata.
    var inputName: String
    /// The classifier's labels, when they are not 0…n-1.
    var classLabels: ClassLabels?
    /// Applied in order to each row (rounded to `float32`, the graph's input type).
    var featureStages: [FeatureStage] = []
    /// The estimator's input width, after ``featureStages``.
    var estimatorWidth: Int
    /// What scores the prepared row.
    var estimator: ONNXEstimator
    /// Applied in order to the scores after the estimator's post-transform.
    var scoreStages: [ScoreStage] = []
    /// The estimator's score columns, before ``scoreStages`` (which may select one).
    var scoreWidth: Int

    /// The widest row any step sees, for scratch space.
    var widestRow: Int { featureStages.reduce(estimatorWidth) { max($0, $1.width) } }

    /// Trees route a NaN; a linear model takes one only if the steps before it (an
    /// `Imputer`, a `Binarizer`) leave no NaN in a row of NaNs.
    func acceptsMissingValues(featureCount: Int) -> Bool {
        guard case .linear = estimator else { return true }
        var row = [Double](repeating: .nan, count: max(widestRow, featureCount))
        return row.withUnsafeMutableBufferPointer { buffer in
            var scratch = [Double](repeating: 0, count: buffer.count)
            for stage in featureStages {
                scratch.withUnsafeMutableBufferPointer { out in
                    stage.apply(UnsafePointer(buffer.baseAddress!), out.baseAddress!)
                }
                for j in 0..<stage.outputWidth { buffer[j] = scratch[j] }
            }
            return !buffer.prefix(estimatorWidth).contains(where: \.isNaN)
        }
    }
}

/// The estimator of an ``ONNXPipeline``.
enum ONNXEstimator: Sendable {
    /// ``TreeModel/forest``, combined by the aggregation.
    case trees(TreeAggregation)
    /// `scores = coefficients · x + intercepts` (`LinearClassifier`, `LinearRegressor`).
    case linear(LinearScorer)
}

/// A linear model's coefficients: `groups` rows of `features` values.
struct LinearScorer: Sendable {
    let coefficients: [Double]
    let intercepts: [Double]
    let features: Int

    var groups: Int { intercepts.count }

    /// Scores `rowCount` rows (row-major, `features` wide) into `scores` (`groups` wide).
    func score(rows: UnsafePointer<Double>, rowCount: Int, scores: UnsafeMutablePointer<Double>) {
        coefficients.withUnsafeBufferPointer { weights in
            for row in 0..<rowCount {
                let x = rows + row * features
                for group in 0..<groups {
                    let w = weights.baseAddress! + group * features
                    var sum = 0.0
                    for feature in 0..<features { sum += w[feature] * x[feature] }
                    scores[row * groups + group] = sum + intercepts[group]
                }
            }
        }
    }
}

/// One preprocessing op on the features, as onnxruntime computes it in `float32`.
enum FeatureStage: Sendable, Equatable {
    /// `Scaler`: `(x - offset) * scale`, each a single value or one per feature.
    case scale(offset: [Float], scale: [Float], width: Int)
    /// `Add`, `Sub`, `Mul`, `Div` of the features and a constant (one value or one per
    /// feature); `constantFirst` for `c - x` and `c / x`.
    case arithmetic(ArithmeticOp, constant: [Float], constantFirst: Bool, width: Int)
    /// `Imputer`: a value equal to `replaced` (a NaN `replaced` matches NaN) becomes the
    /// imputed value (one, or one per feature).
    case impute(values: [Float], replaced: Float, width: Int)
    /// `Normalizer`: each row divided by its MAX, L1 or L2 norm.
    case normalize(Norm, width: Int)
    /// `Binarizer`: `x > threshold ? 1 : 0`.
    case binarize(threshold: Float, width: Int)
    /// `ArrayFeatureExtractor`: the columns at `indices`, in order.
    case select(indices: [Int], inputWidth: Int)

    enum ArithmeticOp: String, Sendable { case add = "Add", sub = "Sub", mul = "Mul", div = "Div" }

    enum Norm: String, Sendable { case max = "MAX", l1 = "L1", l2 = "L2" }

    /// The width of the row this step reads.
    var width: Int {
        switch self {
        case .scale(_, _, let width), .arithmetic(_, _, _, let width), .impute(_, _, let width),
            .normalize(_, let width), .binarize(_, let width):
            return width
        case .select(_, let inputWidth): return inputWidth
        }
    }

    /// The width of the row this step writes.
    var outputWidth: Int {
        if case .select(let indices, _) = self { return indices.count }
        return width
    }

    /// Applies the step to one row: reads `input` (``width`` values), writes `output`
    /// (``outputWidth`` values); the two may be the same buffer except for `select`.
    func apply(_ input: UnsafePointer<Double>, _ output: UnsafeMutablePointer<Double>) {
        switch self {
        case .scale(let offset, let scale, let width):
            for j in 0..<width {
                let x = Float(input[j])
                output[j] = Double((x - pick(offset, j)) * pick(scale, j))
            }
        case .arithmetic(let op, let constant, let constantFirst, let width):
            for j in 0..<width {
                let x = Float(input[j])
                let c = pick(constant, j)
                let (a, b) = constantFirst ? (c, x) : (x, c)
                let y: Float
                switch op {
                case .add: y = a + b
                case .sub: y = a - b
                case .mul: y = a * b
                case .div: y = a / b
                }
                output[j] = Double(y)
            }
        case .impute(let values, let replaced, let width):
            for j in 0..<width {
                let x = Float(input[j])
                let matches = replaced.isNaN ? x.isNaN : x == replaced
                output[j] = Double(matches ? pick(values, j) : x)
            }
        case .normalize(let norm, let width):
            Self.normalize(norm, input, output, width)
        case .binarize(let threshold, let width):
            for j in 0..<width { output[j] = Float(input[j]) > threshold ? 1 : 0 }
        case .select(let indices, _):
            for (j, index) in indices.enumerated() { output[j] = input[index] }
        }
    }

    /// onnxruntime's `Normalizer` (float): MAX divides by the largest value, L1 by the sum of
    /// magnitudes, L2 by the square root of the sum of squares.
    static func normalize(_ norm: Norm, _ input: UnsafePointer<Double>, _ output: UnsafeMutablePointer<Double>, _ width: Int) {
        var divisor: Float
        switch norm {
        case .max:
            divisor = -.greatestFiniteMagnitude
            for j in 0..<width { divisor = max(divisor, Float(input[j])) }
        case .l1:
            divisor = 0
            for j in 0..<width { divisor += abs(Float(input[j])) }
        case .l2:
            divisor = 0
            for j in 0..<width { divisor += Float(input[j]) * Float(input[j]) }
            divisor = divisor.squareRoot()
        }
        for j in 0..<width { output[j] = Double(Float(input[j]) / divisor) }
    }

    private func pick(_ values: [Float], _ index: Int) -> Float { values.count == 1 ? values[0] : values[index] }
}

/// One op on the estimator's scores.
enum ScoreStage: Sendable, Equatable {
    /// `Normalizer` on the probabilities (skl2onnx after a one-vs-rest classifier).
    case normalize(FeatureStage.Norm)
    /// Keep only this column: a two-class model served as one probability of class 1.
    case column(Int)
    /// A `Sigmoid` or `Softmax` node after the estimator.
    case transform(OutputTransform)
}

extension TreeModel {
    /// Predicts up to ``blockRows`` rows of an ONNX model.
    func predictONNXBlock(
        _ pipeline: ONNXPipeline, rows: UnsafePointer<Double>, rowCount: Int, output: UnsafeMutablePointer<Double>
    ) {
        let rowWidth = max(pipeline.widestRow, featureCount)
        let groups = pipeline.scoreWidth
        withUnsafeTemporaryAllocation(of: Double.self, capacity: max(rowCount * rowWidth, 1)) { prepared in
            withUnsafeTemporaryAllocation(of: Double.self, capacity: max(rowWidth, 1)) { step in
                let prepared = prepared.baseAddress!, step = step.baseAddress!
                for row in 0..<rowCount {
                    let target = prepared + row * pipeline.estimatorWidth
                    // The row in float32, then each step; `step` holds it between steps.
                    for j in 0..<featureCount { step[j] = Double(Float(rows[row * featureCount + j])) }
                    for stage in pipeline.featureStages {
                        if case .select = stage {
                            withUnsafeTemporaryAllocation(of: Double.self, capacity: max(stage.outputWidth, 1)) { selected in
                                stage.apply(step, selected.baseAddress!)
                                step.update(from: selected.baseAddress!, count: stage.outputWidth)
                            }
                        } else {
                            stage.apply(step, step)
                        }
                    }
                    // Rows are packed at the estimator's width, after every step ran.
                    target.update(from: step, count: pipeline.estimatorWidth)
                }
                withUnsafeTemporaryAllocation(of: Double.self, capacity: max(rowCount * groups, 1)) { scores in
                    let scores = scores.baseAddress!
                    switch pipeline.estimator {
                    case .trees(let aggregation):
                        aggregate(aggregation, rows: UnsafePointer(prepared), rowCount: rowCount, output: scores)
                    case .linear(let scorer):
                        scorer.score(rows: UnsafePointer(prepared), rowCount: rowCount, scores: scores)
                    }
                    applyTransform(scores, rowCount: rowCount, groups: groups)
                    var width = groups
                    for stage in pipeline.scoreStages {
                        switch stage {
                        case .normalize(let norm):
                            for row in 0..<rowCount {
                                FeatureStage.normalize(norm, scores + row * width, scores + row * width, width)
                            }
                        case .column(let column):
                            for row in 0..<rowCount { scores[row] = scores[row * width + column] }
                            width = 1
                        case .transform(.sigmoid(let scale)):
                            for index in 0..<rowCount * width { scores[index] = 1 / (1 + exp(-scale * scores[index])) }
                        case .transform(.softmax), .transform(.softmaxZero):
                            let keepingZeros = stage == .transform(.softmaxZero)
                            for row in 0..<rowCount { Self.softmax(scores + row * width, width, keepingZeros: keepingZeros) }
                        case .transform(.identity):
                            break
                        }
                    }
                    output.update(from: scores, count: rowCount * width)
                }
            }
        }
    }
}
