/// What a model's outputs mean, which decides how fraud-server labels them.
public enum ModelTask: Sendable, Equatable {
    /// One probability per row; the label is 1 when it exceeds the threshold.
    case binaryClassification
    /// One probability per class per row; the label is the most probable class.
    case multiclassClassification(classes: Int)
    /// One value per row, served as is.
    case regression

    /// The number of values ``TreeModel`` predicts for each row.
    public var outputsPerRow: Int {
        if case .multiclassClassification(let classes) = self { return classes }
        return 1
    }
}

/// The labels a classifier reports when they are not its class indices 0…n-1 (an ONNX
/// model's `classlabels_strings`, or integer labels such as -1 and 1), in class order.
public enum ClassLabels: Sendable, Equatable {
    case integers([Int64])
    case strings([String])

    /// The number of classes.
    public var count: Int {
        switch self {
        case .integers(let labels): return labels.count
        case .strings(let labels): return labels.count
        }
    }
}

/// How raw tree sums (margins) become the model's outputs.
enum OutputTransform: Sendable, Equatable {
    /// Outputs are the margins.
    case identity
    /// `1 / (1 + exp(-scale * margin))`, per output.
    case sigmoid(scale: Double)
    /// Softmax over each row's outputs.
    case softmax
    /// Softmax over each row's outputs where an exact 0 stays 0 (ONNX `SOFTMAX_ZERO`).
    case softmaxZero
}

/// How ``TreeModel`` combines the leaf values of a group's trees (ONNX `aggregate_function`;
/// XGBoost and LightGBM always sum).
enum TreeAggregation: Sendable, Equatable {
    /// The sum of the leaf values.
    case sum
    /// The sum divided by `treeCount` (the ensemble's tree count, as onnxruntime divides).
    case average(treeCount: Int)
    /// The smallest leaf value.
    case minimum
    /// The largest leaf value.
    case maximum
}
