/// One decision tree as a model file describes it, in a format-neutral form, before
/// it is compiled into a ``CompiledForest``.
///
/// Node `i` is a leaf when `leftChild[i] < 0`. A split sends a row left when its
/// feature value `x` satisfies `x < threshold[i]` (or `x <= threshold[i]`, `x == threshold[i]`
/// as `comparison[i]` says); a missing value (NaN, or a value within ±``zeroThreshold`` when
/// `zeroIsMissing[i]`) goes left iff `defaultLeft[i]`.
struct TreeDescription: Sendable {
    /// How a split compares a feature value with its threshold to send a row left.
    enum Comparison: Sendable, Equatable {
        /// `x < threshold`: every format's fast path.
        case less
        /// `x <= threshold`, for thresholds (`+inf`) where `x < nextUp(threshold)` cannot stand in.
        case lessOrEqual
        /// `x == threshold` (ONNX `BRANCH_EQ` / `BRANCH_NEQ`).
        case equal
    }

    var leftChild: [Int] = []
    var rightChild: [Int] = []
    var feature: [Int] = []
    var threshold: [Double] = []
    var defaultLeft: [Bool] = []
    var zeroIsMissing: [Bool] = []
    var comparison: [Comparison] = []
    var leafValue: [Double] = []
    /// The output (class) this tree adds to.
    var group = 0

    var nodeCount: Int { leftChild.count }

    /// Appends a split node and returns its index.
    mutating func addSplit(
        feature: Int, threshold: Double, defaultLeft: Bool, zeroIsMissing: Bool = false, comparison: Comparison = .less
    ) -> Int {
        leftChild.append(-1)
        rightChild.append(-1)
        self.feature.append(feature)
        self.threshold.append(threshold)
        self.defaultLeft.append(defaultLeft)
        self.zeroIsMissing.append(zeroIsMissing)
        self.comparison.append(comparison)
        leafValue.append(0)
        return leftChild.count - 1
    }

    /// Appends a leaf and returns its index.
    mutating func addLeaf(_ value: Double) -> Int {
        leftChild.append(-1)
        rightChild.append(-1)
        feature.append(0)
        threshold.append(0)
        defaultLeft.append(false)
        zeroIsMissing.append(false)
        comparison.append(.less)
        leafValue.append(value)
        return leftChild.count - 1
    }
}

/// LightGBM's bound below which a value counts as zero (`kZeroThreshold = 1e-35f`).
let zeroThreshold = Double(Float(1e-35))
