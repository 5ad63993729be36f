/// Reads the `ai.onnx.ml` preprocessing ops (`Scaler`, `Imputer`, `Normalizer`, `Binarizer`)
/// into ``FeatureStage``s, checking their attributes against the row width.
enum ONNXPreprocessing {
    static let ops: Set<String> = ["Scaler", "Imputer", "Normalizer", "Binarizer"]

    /// The step `node` applies to rows `width` wide.
    static func stage(_ node: Onnx_NodeProto, width: Int, file: String) throws(ModelLoadError) -> FeatureStage {
        var attributes = try ONNXNodeAttributes(node, file: file)
        let stage: FeatureStage
        switch node.opType {
        case "Scaler":
            let offsets = try attributes.reals("offset")?.values ?? [0]
            let scales = try attributes.reals("scale")?.values ?? [1]
            stage = .scale(
                offset: try perFeature(offsets, "offset", width, attributes),
                scale: try perFeature(scales, "scale", width, attributes), width: width)
        case "Imputer":
            let integerValues = try attributes.ints("imputed_value_int64s")
            let integerReplaced = try attributes.int("replaced_value_int64")
            if integerValues != nil || integerReplaced != nil {
                throw attributes.unsupported("integer imputation (imputed_value_int64s); the input is float")
            }
            guard let values = try attributes.reals("imputed_value_floats")?.values, !values.isEmpty else {
                throw attributes.malformed("missing attribute 'imputed_value_floats'")
            }
            let replaced = try attributes.real("replaced_value_float") ?? 0
            stage = .impute(
                values: try perFeature(values, "imputed_value_floats", width, attributes), replaced: Float(replaced), width: width)
        case "Normalizer":
            stage = .normalize(try norm(&attributes), width: width)
        case "Binarizer":
            let threshold = try attributes.real("threshold") ?? 0
            stage = .binarize(threshold: Float(threshold), width: width)
        default:
            throw attributes.unsupported("op '\(node.opType)' is not a preprocessing op")
        }
        try attributes.refuseUnread()
        return stage
    }

    /// A `Normalizer`'s `norm` attribute.
    static func norm(_ attributes: inout ONNXNodeAttributes) throws(ModelLoadError) -> FeatureStage.Norm {
        let name = try attributes.string("norm") ?? "MAX"
        guard let norm = FeatureStage.Norm(rawValue: name) else { throw attributes.unsupported("norm '\(name)'; expected MAX, L1 or L2") }
        return norm
    }

    /// `values` as `float32`, checked to be one value or one per feature, and finite where
    /// they multiply or shift.
    static func perFeature(
        _ values: [Double], _ name: String, _ width: Int, _ attributes: ONNXNodeAttributes
    ) throws(ModelLoadError) -> [Float] {
        guard values.count == 1 || values.count == width else {
            throw attributes.malformed("\(values.count) values in '\(name)' for \(width) features; expected 1 or \(width)")
        }
        return values.map { Float($0) }
    }

    /// `Add`, `Sub`, `Mul` or `Div` of the rows and a constant of one value or one per feature.
    static func arithmetic(
        _ node: Onnx_NodeProto, constant: [Double], constantFirst: Bool, width: Int, file: String
    ) throws(ModelLoadError) -> FeatureStage {
        let attributes = try ONNXNodeAttributes(node, file: file)
        try attributes.refuseUnread()
        guard let op = FeatureStage.ArithmeticOp(rawValue: node.opType) else {
            throw attributes.unsupported("op '\(node.opType)' is not Add, Sub, Mul or Div")
        }
        return .arithmetic(
            op, constant: try perFeature(constant, "its constant input", width, attributes), constantFirst: constantFirst,
            width: width)
    }

    /// `ArrayFeatureExtractor` of the rows at constant `indices`.
    static func select(_ node: Onnx_NodeProto, indices: [Int64], width: Int, file: String) throws(ModelLoadError) -> FeatureStage {
        let attributes = try ONNXNodeAttributes(node, file: file)
        try attributes.refuseUnread()
        guard !indices.isEmpty else { throw attributes.malformed("no indices") }
        guard indices.allSatisfy({ $0 >= 0 && $0 < width }) else {
            throw attributes.malformed("an index is outside the \(width) features: \(indices.prefix(8))")
        }
        return .select(indices: indices.map { Int($0) }, inputWidth: width)
    }
}
