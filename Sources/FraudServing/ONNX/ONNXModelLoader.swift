import SwiftProtobuf

/// Reads ONNX models (`ModelProto`, e.g. from skl2onnx or onnxmltools) whose graph is a
/// chain: preprocessing steps on the input, one `ai.onnx.ml` estimator, then steps on its
/// scores.
///
/// Supported: IR versions 3–14; opset imports of `ai.onnx` (the default domain) 1–28 and
/// `ai.onnx.ml` 1–5; one float tensor input `[N, F]` with a fixed F.
/// - Estimators: `TreeEnsembleClassifier`, `TreeEnsembleRegressor` (``ONNXTreeEnsemble``),
///   `LinearClassifier`, `LinearRegressor` (``ONNXLinearModel``).
/// - Before it: `Scaler`, `Imputer`, `Normalizer`, `Binarizer`, `ArrayFeatureExtractor` with
///   constant indices, and `Add` / `Sub` / `Mul` / `Div` by a constant (``FeatureStage``).
/// - After it: `Normalizer` on the probabilities, `ZipMap`, `Cast`, and `Mul` / `Div` by a
///   constant 1 (onnxmltools' LightGBM graphs).
/// - Anywhere: `Identity`, and `Cast` that keeps the values.
/// - Or, instead of an `ai.onnx.ml` estimator, a linear model in dense `ai.onnx` ops
///   (`MatMul`/`Gemm`, `Add`/`Sub`/`Mul`/`Div`, `Sigmoid`/`Softmax`, `ArgMax`, `Reshape`,
///   `Flatten`, `Concat` of `[1 - p, p]`, `Constant`; see ``DenseLinear``).
///
/// Refused at load, naming the node, its op and the file: every other op (the dense
/// `ai.onnx` ops outside a linear model, `TreeEnsemble` …), a second input, a
/// non-float input, a dynamic or missing feature dimension, attributes this loader does not
/// implement, branches that join (`Concat`), and graphs whose outputs are not the estimator's.
struct ONNXModelLoader {
    let file: String

    static let irVersions: ClosedRange<Int64> = 3...14
    static let defaultDomainVersions: ClosedRange<Int64> = 1...28
    static let mlDomainVersions: ClosedRange<Int64> = 1...5
    static let treeOps: Set<String> = ["TreeEnsembleClassifier", "TreeEnsembleRegressor", "TreeEnsemble"]
    static let linearOps: Set<String> = ["LinearClassifier", "LinearRegressor"]
    static let supportedOps =
        "TreeEnsembleClassifier, TreeEnsembleRegressor, TreeEnsemble, LinearClassifier, LinearRegressor, Scaler, Imputer, Normalizer, "
        + "Binarizer, ArrayFeatureExtractor, ZipMap (ai.onnx.ml); Identity, Cast, Add/Sub/Mul/Div by a constant, and a "
        + "linear model's MatMul, Gemm, Sigmoid, Softmax, ArgMax, Reshape, Flatten, Concat, Constant (ai.onnx)"

    /// What a value in the graph carries, traced from the input through the nodes.
    enum Value: Equatable {
        /// The input after these steps, `width` values per row.
        case features([FeatureStage], width: Int)
        case label
        /// The estimator's scores after these steps.
        case scores([ScoreStage])
        case constant([Double], dims: [Int64])
        case indices([Int64])
        /// A linear model in dense ops (``DenseLinear``).
        case dense(DenseLinear)
        /// `1 - p` of a one-column sigmoid, waiting to be joined with `p`.
        case complement(DenseLinear)

        /// The estimator's label or scores.
        var isEstimatorOutput: Bool {
            switch self {
            case .label, .scores, .dense: return true
            case .features, .constant, .indices, .complement: return false
            }
        }
    }

    /// The estimator node and what surrounds it.
    private struct Chain {
        var node: Onnx_NodeProto
        var featureStages: [FeatureStage]
        var width: Int
    }

    func malformed(_ reason: String) -> ModelLoadError { ModelLoadError(file: file, kind: .malformed, reason: reason) }
    func unsupported(_ reason: String) -> ModelLoadError { ModelLoadError(file: file, kind: .unsupported, reason: reason) }

    func load(_ bytes: [UInt8]) throws(ModelLoadError) -> TreeModel {
        let model: Onnx_ModelProto
        do {
            model = try Onnx_ModelProto(serializedBytes: bytes)
        } catch {
            throw malformed("not an ONNX ModelProto (protobuf decoding failed: \(error))")
        }
        guard Self.irVersions.contains(model.irVersion) else {
            throw unsupported(
                "ir_version \(model.irVersion); supported: \(Self.irVersions.lowerBound) to \(Self.irVersions.upperBound)")
        }
        try checkOpsets(model.opsetImport)
        guard model.hasGraph else { throw malformed("the model has no graph") }
        let graph = model.graph

        var values: [String: Value] = [:]
        for tensor in graph.initializer {
            // Only float constants and int64 indices take part in the supported ops; others are
            // refused where used.
            if let reals = try? ONNXTensorValues.reals(tensor) {
                values[tensor.name] = .constant(reals.values, dims: tensor.dims)
            } else if let indices = try? ONNXTensorValues.int64s(tensor) {
                values[tensor.name] = .indices(indices)
            }
        }
        let initializerNames = Set(graph.initializer.map(\.name))
        let inputs = graph.input.filter { !initializerNames.contains($0.name) }
        guard inputs.count == 1 else {
            throw unsupported(
                "\(inputs.count) graph inputs (\(inputs.map { "'\($0.name)'" }.joined(separator: ", "))); expected one float tensor [N, features]")
        }
        let featureCount = try featureCount(of: inputs[0])
        values[inputs[0].name] = .features([], width: featureCount)

        var chain: Chain?
        for node in graph.node {
            let outputs = try trace(node, values: values, chain: &chain)
            for (name, value) in zip(node.output, outputs) where !name.isEmpty { values[name] = value }
        }
        var scoreStages: [ScoreStage]?
        var dense: DenseLinear?
        for output in graph.output {
            switch values[output.name] {
            case .label: continue
            case .dense(let value):
                guard dense == nil || dense == value, chain == nil else {
                    throw unsupported("graph output '\(output.name)' is a second, different set of scores")
                }
                dense = value
            case .scores(let stages):
                guard scoreStages == nil || scoreStages == stages else {
                    throw unsupported("graph output '\(output.name)' is a second, different set of scores")
                }
                scoreStages = stages
            default:
                throw unsupported("graph output '\(output.name)' is not the estimator's label or scores")
            }
        }
        if let dense {
            return try assemble(
                inputName: inputs[0].name, featureCount: featureCount, stages: dense.stages, width: dense.width,
                compiled: try compileDense(dense), scoreStages: [])
        }
        guard let chain else {
            throw unsupported(
                "the graph has no estimator (\(Self.treeOps.union(Self.linearOps).sorted().joined(separator: ", ")), "
                    + "or a linear model in MatMul/Gemm)")
        }
        guard var scoreStages else {
            throw unsupported("the graph does not output the estimator's probabilities or values")
        }
        let compiled: ONNXCompiledEstimator
        switch chain.node.opType {
        case "TreeEnsemble":
            // A Sigmoid or Softmax right after it makes it a classifier.
            var transform: OutputTransform?
            if case .transform(let first)? = scoreStages.first {
                transform = first
                scoreStages.removeFirst()
            }
            compiled = try ONNXTreeEnsembleV5(file: file, featureCount: chain.width).compile(chain.node, transform: transform)
        case let op where Self.treeOps.contains(op):
            compiled = try ONNXTreeEnsemble(file: file, featureCount: chain.width).compile(chain.node)
        default:
            compiled = try ONNXLinearModel(file: file, featureCount: chain.width).compile(chain.node)
        }
        if !scoreStages.isEmpty, compiled.scoreWidth == 1, compiled.task != .regression {
            throw unsupported(
                "\(ONNXNodeAttributes.describe(chain.node)): steps on the probabilities of a model that writes one score column")
        }
        return try assemble(
            inputName: inputs[0].name, featureCount: featureCount, stages: chain.featureStages, width: chain.width,
            compiled: compiled, scoreStages: scoreStages)
    }

    /// The loaded model: the graph's steps around its compiled estimator.
    private func assemble(
        inputName: String, featureCount: Int, stages: [FeatureStage], width: Int, compiled: ONNXCompiledEstimator,
        scoreStages: [ScoreStage]
    ) throws(ModelLoadError) -> TreeModel {
        let pipeline = ONNXPipeline(
            inputName: inputName, classLabels: compiled.classLabels, featureStages: stages, estimatorWidth: width, estimator: compiled.estimator,
            scoreStages: scoreStages + compiled.finalScoreStages, scoreWidth: compiled.scoreWidth)
        return TreeModel(
            format: .onnx, objective: compiled.objective, task: compiled.task, featureCount: featureCount,
            forest: compiled.forest, transform: compiled.transform, baseMargins: compiled.baseMargins,
            inputConversion: .onnx(pipeline))
    }

    /// What `node` outputs, given what its inputs carry; records the estimator in `chain`.
    private func trace(_ node: Onnx_NodeProto, values: [String: Value], chain: inout Chain?) throws(ModelLoadError) -> [Value] {
        let describe = ONNXNodeAttributes.describe(node)
        func source(_ index: Int) throws(ModelLoadError) -> Value {
            guard index < node.input.count, let value = values[node.input[index]] else {
                let name = index < node.input.count ? node.input[index] : "#\(index)"
                throw unsupported("\(describe): input '\(name)' is not the graph input or an output of a supported node")
            }
            return value
        }
        func expect(inputs: Int) throws(ModelLoadError) {
            guard node.input.count == inputs, node.output.count >= 1 else {
                throw malformed("\(describe): expected \(inputs) input(s) and an output")
            }
        }
        let domain = node.domain == "ai.onnx" ? "" : node.domain
        switch (domain, node.opType) {
        case ("ai.onnx.ml", let op) where Self.treeOps.contains(op) || Self.linearOps.contains(op):
            try expect(inputs: 1)
            guard chain == nil else { throw unsupported("\(describe): a second estimator in one graph") }
            guard case .features(let stages, let width) = try source(0) else {
                throw unsupported("\(describe): its input must be the graph input or its preprocessed features")
            }
            chain = Chain(node: node, featureStages: stages, width: width)
            return op.hasSuffix("Classifier") ? [.label, .scores([])] : [.scores([])]
        case ("ai.onnx.ml", let op) where ONNXPreprocessing.ops.contains(op):
            try expect(inputs: 1)
            switch try source(0) {
            case .features(let stages, let width):
                return [.features(stages + [try ONNXPreprocessing.stage(node, width: width, file: file)], width: width)]
            case .scores(let stages) where op == "Normalizer":
                var attributes = try ONNXNodeAttributes(node, file: file)
                let norm = try ONNXPreprocessing.norm(&attributes)
                try attributes.refuseUnread()
                return [.scores(stages + [.normalize(norm)])]
            default:
                throw unsupported("\(describe): \(op) of anything but the features\(op == "Normalizer" ? " or the probabilities" : "")")
            }
        case ("ai.onnx.ml", "ArrayFeatureExtractor"):
            try expect(inputs: 2)
            guard case .features(let stages, let width) = try source(0), case .indices(let indices) = try source(1) else {
                throw unsupported("\(describe): only the features at constant int64 indices can be extracted")
            }
            let stage = try ONNXPreprocessing.select(node, indices: indices, width: width, file: file)
            return [.features(stages + [stage], width: stage.outputWidth)]
        case ("", "Identity"), ("ai.onnx.ml", "ZipMap"):
            try expect(inputs: 1)
            let value = try source(0)
            if node.opType == "ZipMap", case .scores = value {} else if node.opType == "ZipMap" {
                throw unsupported("\(describe): ZipMap of anything but the classifier's probabilities")
            }
            return [value]
        case ("", "Cast"):
            try expect(inputs: 1)
            var attributes = try ONNXNodeAttributes(node, file: file)
            let to = try attributes.int("to")
            attributes.ignore("saturate")
            try attributes.refuseUnread()
            let value = try source(0)
            switch value {
            case .label: break
            case .scores, .features:
                // Scores stay exact as float or double; the features must stay float.
                let allowed: Set<Int64> = value.isEstimatorOutput ? [1, 11] : [1]
                guard let to, allowed.contains(to) else {
                    throw unsupported("\(describe): Cast to \(ONNXElementType.name(Int32(clamping: to ?? 0))) would change the values")
                }
            case .constant, .indices, .complement, .dense: throw unsupported("\(describe): Cast of a constant or of raw scores")
            }
            return [value]
        case ("", "Mul"), ("", "Div"), ("", "Add"), ("", "Sub"):
            try expect(inputs: 2)
            let pair = (try source(0), try source(1))
            switch pair {
            case (.features(let stages, let width), .constant(let constant, _)):
                let stage = try ONNXPreprocessing.arithmetic(node, constant: constant, constantFirst: false, width: width, file: file)
                return [.features(stages + [stage], width: width)]
            case (.constant(let constant, _), .features(let stages, let width)):
                let stage = try ONNXPreprocessing.arithmetic(node, constant: constant, constantFirst: true, width: width, file: file)
                return [.features(stages + [stage], width: width)]
            default:
                if let value = try denseArithmetic(node, pair) { return [value] }
            }
            try ONNXNodeAttributes(node, file: file).refuseUnread()
            // On the scores, only the no-op `× 1` / `÷ 1` of onnxmltools' graphs.
            let operands: [Value] = node.opType == "Mul" ? [pair.0, pair.1] : [pair.0]
            guard node.opType == "Mul" || node.opType == "Div",
                let value = operands.first(where: \.isEstimatorOutput),
                case .constant(let constant, _) = (pair.0 == value ? pair.1 : pair.0),
                !constant.isEmpty, constant.allSatisfy({ $0 == 1 })
            else {
                throw unsupported("\(describe): \(node.opType) of the estimator's outputs, or of two computed values")
            }
            return [value]
        default:
            if let outputs = try traceDense(node, source: source) { return outputs }
            throw unsupported("\(describe): op '\(node.opType)' is not supported; supported: \(Self.supportedOps)")
        }
    }

    private func checkOpsets(_ imports: [Onnx_OperatorSetIdProto]) throws(ModelLoadError) {
        guard !imports.isEmpty else { throw malformed("the model has no opset_import") }
        for opset in imports {
            let range: ClosedRange<Int64>
            switch opset.domain {
            case "", "ai.onnx": range = Self.defaultDomainVersions
            case "ai.onnx.ml": range = Self.mlDomainVersions
            default:
                throw unsupported("opset domain '\(opset.domain)'; supported: ai.onnx (\"\") and ai.onnx.ml")
            }
            guard range.contains(opset.version) else {
                let name = opset.domain.isEmpty ? "ai.onnx" : opset.domain
                throw unsupported("\(name) opset \(opset.version); supported: \(range.lowerBound) to \(range.upperBound)")
            }
        }
    }

    /// F of the input `[N, F]`, refusing anything but a float tensor with a fixed F.
    private func featureCount(of input: Onnx_ValueInfoProto) throws(ModelLoadError) -> Int {
        guard case .tensorType(let tensor)? = input.type.value else {
            throw unsupported("input '\(input.name)' is not a tensor")
        }
        guard tensor.elemType == ONNXTensorValues.float else {
            throw unsupported("input '\(input.name)' has element type \(ONNXElementType.name(tensor.elemType)); expected FLOAT")
        }
        guard tensor.hasShape, tensor.shape.dim.count == 2 else {
            throw unsupported("input '\(input.name)' has \(tensor.hasShape ? "rank \(tensor.shape.dim.count)" : "no shape"); expected [N, features]")
        }
        guard case .dimValue(let width)? = tensor.shape.dim[1].value, width > 0 else {
            throw unsupported("input '\(input.name)' has a dynamic feature dimension; expected a fixed [N, features]")
        }
        guard width <= ModelLimits.maxFeatures else {
            throw unsupported("input '\(input.name)' has \(width) features: more than \(ModelLimits.maxFeatures)")
        }
        return Int(width)
    }
}
