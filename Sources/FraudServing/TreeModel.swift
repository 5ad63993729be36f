#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A loaded tree-ensemble model, compiled for inference.
///
/// # Guarantees
/// - Predictions equal the training library's own to within 1e-6 (XGBoost: inputs and
///   split thresholds in `float32`, sums accumulated in `float32` starting from the base
///   margin; LightGBM: `double` throughout, `<=` splits and LightGBM's missing-value rules),
///   and onnxruntime's to within 1e-5 for ONNX tree ensembles (inputs in `float32`, leaf
///   values combined in `double`, then the base values added).
/// - A value type over immutable storage: share it freely across tasks and threads;
///   the prediction paths take no locks and allocate nothing on the heap.
///
/// # Caveats
/// Rows must have exactly ``featureCount`` values (checked with a precondition: validate
/// input before calling). `Double.nan` means "missing".
public struct TreeModel: Sendable {
    /// The file format the model was loaded from.
    public let format: ModelFormat
    /// The training objective as the file names it (e.g. `binary:logistic`, `binary`; for
    /// ONNX the operator and its `post_transform`, e.g. `TreeEnsembleClassifier(LOGISTIC)`).
    public let objective: String
    /// What the outputs mean.
    public let task: ModelTask
    /// The number of features every row must have.
    public let featureCount: Int
    /// The number of trees.
    public var treeCount: Int { forest.treeCount }
    /// The number of values predicted per row (1, or the number of classes).
    public var outputsPerRow: Int { task.outputsPerRow }
    /// The input tensor's name in the model file (ONNX); nil for formats without one.
    public var inputName: String? {
        if case .onnx(let pipeline) = inputConversion { return pipeline.inputName }
        return nil
    }
    /// A classifier's labels when they are not its class indices 0…n-1 (ONNX); nil otherwise.
    public var classLabels: ClassLabels? {
        if case .onnx(let pipeline) = inputConversion { return pipeline.classLabels }
        return nil
    }
    /// Whether a missing value (NaN) gets an answer: trees route it, an ONNX `Imputer`
    /// replaces it; a linear model without one would answer NaN.
    public var acceptsMissingValues: Bool {
        if case .onnx(let pipeline) = inputConversion { return pipeline.acceptsMissingValues(featureCount: featureCount) }
        return true
    }

    let forest: CompiledForest
    let transform: OutputTransform
    /// Initial margin of each output group.
    let baseMargins: [Double]
    /// How input values are prepared, and the precision sums are accumulated in.
    let inputConversion: InputConversion

    /// Rows processed together in the batch path; trees stay hot in cache across a block.
    static let blockRows = 64

    /// Predicts one row into `output` (``outputsPerRow`` values).
    public func predict(row: UnsafeBufferPointer<Double>, into output: UnsafeMutableBufferPointer<Double>) {
        precondition(row.count == featureCount, "row has \(row.count) values, the model needs \(featureCount)")
        precondition(output.count >= outputsPerRow, "output buffer is too small")
        predictBlock(rows: row.baseAddress!, rowCount: 1, output: output.baseAddress!)
    }

    /// Predicts `rows` (row-major, `rowCount × featureCount`) into `output`
    /// (row-major, `rowCount × outputsPerRow`).
    public func predict(
        rows: UnsafeBufferPointer<Double>, rowCount: Int, into output: UnsafeMutableBufferPointer<Double>
    ) {
        precondition(rows.count == rowCount * featureCount, "rows buffer does not hold \(rowCount) rows")
        precondition(output.count >= rowCount * outputsPerRow, "output buffer is too small")
        guard rowCount > 0 else { return }
        var start = 0
        while start < rowCount {
            let count = min(Self.blockRows, rowCount - start)
            predictBlock(
                rows: rows.baseAddress! + start * featureCount, rowCount: count,
                output: output.baseAddress! + start * outputsPerRow)
            start += count
        }
    }

    /// Predicts a batch given as an array of rows; returns one array of outputs per row.
    public func predict(_ rows: [[Double]]) -> [[Double]] {
        var flat: [Double] = []
        flat.reserveCapacity(rows.count * featureCount)
        for row in rows {
            precondition(row.count == featureCount, "row has \(row.count) values, the model needs \(featureCount)")
            flat.append(contentsOf: row)
        }
        var output = [Double](repeating: 0, count: rows.count * outputsPerRow)
        flat.withUnsafeBufferPointer { input in
            output.withUnsafeMutableBufferPointer { predict(rows: input, rowCount: rows.count, into: $0) }
        }
        return (0..<rows.count).map { Array(output[$0 * outputsPerRow..<($0 + 1) * outputsPerRow]) }
    }

    /// Predicts up to ``blockRows`` rows.
    private func predictBlock(rows: UnsafePointer<Double>, rowCount: Int, output: UnsafeMutablePointer<Double>) {
        if case .onnx(let pipeline) = inputConversion {
            return predictONNXBlock(pipeline, rows: rows, rowCount: rowCount, output: output)
        }
        let groups = forest.groupCount
        let values = rowCount * featureCount
        withUnsafeTemporaryAllocation(of: Double.self, capacity: max(values, 1)) { prepared in
            let input = prepared.baseAddress!
            switch inputConversion {
            case .float32:
                for index in 0..<values { input[index] = Double(Float(rows[index])) }
                withUnsafeTemporaryAllocation(of: Float.self, capacity: rowCount * groups) { sums in
                    for row in 0..<rowCount {
                        for group in 0..<groups { sums[row * groups + group] = Float(baseMargins[group]) }
                    }
                    forest.accumulate(rows: UnsafePointer(input), rowCount: rowCount, sums: sums.baseAddress!)
                    for index in 0..<rowCount * groups { output[index] = Double(sums[index]) }
                }
            case .onnx:
                break
            case .lightgbm:
                for index in 0..<values {
                    let value = rows[index]
                    // LightGBM drops |x| <= kZeroThreshold as a sparse zero, and `x <= +inf` must stay true.
                    input[index] = value.magnitude <= zeroThreshold ? 0 : (value == .infinity ? .greatestFiniteMagnitude : value)
                }
                for row in 0..<rowCount {
                    for group in 0..<groups { output[row * groups + group] = baseMargins[group] }
                }
                forest.accumulate(rows: UnsafePointer(input), rowCount: rowCount, sums: output)
            }
        }
        applyTransform(output, rowCount: rowCount, groups: groups)
    }

    /// ONNX: combines the leaf values by `aggregation`, then adds the base values
    /// (onnxruntime's order: `average` divides the sum before the base is added).
    func aggregate(
        _ aggregation: TreeAggregation, rows: UnsafePointer<Double>, rowCount: Int, output: UnsafeMutablePointer<Double>
    ) {
        let groups = forest.groupCount
        let count = rowCount * groups
        switch aggregation {
        case .sum, .average:
            output.update(repeating: 0, count: count)
            forest.accumulate(rows: rows, rowCount: rowCount, sums: output)
            if case .average(let treeCount) = aggregation {
                let divisor = Double(max(treeCount, 1))
                for index in 0..<count { output[index] /= divisor }
            }
        case .minimum, .maximum:
            output.update(repeating: .nan, count: count)
            forest.accumulateExtreme(rows: rows, rowCount: rowCount, sums: output, minimum: aggregation == .minimum)
            for index in 0..<count where output[index].isNaN { output[index] = 0 }
        }
        for row in 0..<rowCount {
            for group in 0..<groups { output[row * groups + group] += baseMargins[group] }
        }
    }

    func applyTransform(_ values: UnsafeMutablePointer<Double>, rowCount: Int, groups: Int) {
        switch transform {
        case .identity:
            break
        case .sigmoid(let scale):
            for index in 0..<rowCount * groups { values[index] = 1 / (1 + exp(-scale * values[index])) }
        case .softmax:
            for row in 0..<rowCount { Self.softmax(values + row * groups, groups, keepingZeros: false) }
        case .softmaxZero:
            for row in 0..<rowCount { Self.softmax(values + row * groups, groups, keepingZeros: true) }
        }
    }
}

extension TreeModel {
    /// Softmax over `count` values in place; `keepingZeros` is onnxruntime's
    /// ComputeSoftmaxZero, where values within ±1e-7 of 0 stay 0.
    static func softmax(_ values: UnsafeMutablePointer<Double>, _ count: Int, keepingZeros: Bool) {
        var largest = -Double.infinity
        for index in 0..<count { largest = max(largest, values[index]) }
        var total = 0.0
        for index in 0..<count {
            if keepingZeros && values[index].magnitude <= 1e-7 {
                values[index] *= exp(-largest)
            } else {
                values[index] = exp(values[index] - largest)
                total += values[index]
            }
        }
        for index in 0..<count { values[index] /= total }
    }
}

/// How ``TreeModel`` prepares input values before walking the trees.
enum InputConversion: Sendable {
    /// XGBoost: values rounded to `float32`; sums accumulated in `float32`.
    case float32
    /// LightGBM: |x| ≤ 1e-35 read as 0 (as LightGBM's dense input does), `+inf` kept
    /// below a `+inf` threshold; sums accumulated in `double`.
    case lightgbm
    /// ONNX: values rounded to `float32` (the graph's input type), then the graph's steps
    /// (``ONNXPipeline``); tree leaf values are combined in `double` by the aggregation, then
    /// the base values (``TreeModel/baseMargins``) added.
    case onnx(ONNXPipeline)
}
