/// A batch of feature rows, row-major, with `Double.nan` for missing values.
public struct FeatureMatrix: Sendable, Equatable {
    /// `rowCount × width` values.
    public var values: [Double]
    public var rowCount: Int
    public var width: Int

    public init(values: [Double], rowCount: Int, width: Int) {
        precondition(values.count == rowCount * width)
        self.values = values
        self.rowCount = rowCount
        self.width = width
    }

    public static func == (lhs: FeatureMatrix, rhs: FeatureMatrix) -> Bool {
        lhs.rowCount == rhs.rowCount && lhs.width == rhs.width
            && zip(lhs.values, rhs.values).allSatisfy { $0 == $1 || ($0.isNaN && $1.isNaN) }
    }
}
