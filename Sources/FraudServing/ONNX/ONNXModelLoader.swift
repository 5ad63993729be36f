import SwiftProtobuf

/// Reads ONNX models (`ModelProto`, e.g. from skl2onnx or onnxmltools) whose graph is one
/// `ai.onnx.ml` tree ensemble and the pass-through nodes converters put around it.
///
/// Supported: IR versions 3–14; opset imports of `ai.onnx` (the default domain) 1–28 and
/// `ai.onnx.ml` 1–5; one float tensor input `[N, F]` with a fixed F; `TreeEnsembleClassifier`
/// and `TreeEnsembleRegressor` (see ``ONNXTreeEnsemble``); around them `Identity`, `Cast`,
/// `ZipMap`, and `Mul` / `Div` by a constant 1 (onnxmltools' LightGBM graphs).
///
/// Refused at load, naming the node, its op and the file: every other op (the dense
/// `ai.onnx` ops, `LinearClassifier`, `Scaler`, `TreeEnsemble` …), a second input, a
/// non-float input, a dynamic or missing feature dimension, attributes this loader does not
/// implement, and graphs whose outputs are not the ensemble's.
struct ONNXModelLoader {
    let file: String

    static let irVersions: ClosedRange<Int64> = 3...14
    static let defaultDomainVersions: ClosedRange<Int64> = 1...28
    static let mlDomainVersions: ClosedRange<Int64> = 1...5
    static let ensembleOps: Set<String> = ["TreeEnsembleClassifier", "TreeEnsembleRegressor"]
    static let supportedOps = "TreeEnsembleClassifier, TreeEnsembleRegressor, ZipMap (ai.onnx.ml); Identity, Cast, Mul/Div by 1 (ai.onnx)"

    /// What a value in the graph carries, traced from the input through the nodes.
    enum Value: Equatable {
        case input
        case label
        case scores
        case constant([Double])
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
            do throws(ONNXTensorError) {
                values[tensor.name] = .constant(try ONNXTensorValues.reals(tensor).values)
            } catch {
                // Only float constants can take part in the supported ops; others are refused where used.
                continue
            }
        }
        let initializerNames = Set(graph.initializer.map(\.name))
        let inputs = graph.input.filter { !initializerNames.contains($0.name) }
        guard inputs.count == 1 else {
            throw unsupported(
                "\(inputs.count) graph inputs (\(inputs.map { "'\($0.name)'" }.joined(separator: ", "))); expected one float tensor [N, features]")
        }
        let featureCount = try featureCount(of: inputs[0])
        values[inputs[0].name] = .input

        var ensemble: Onnx_NodeProto?
        for node in graph.node {
            let describe = ONNXNodeAttributes.describe(node)
            func source(_ index: Int) throws(ModelLoadError) -> Value {
                guard index < node.input.count, let value = values[node.input[index]] else {
                    let name = index < node.input.count ? node.input[index] : "#\(index)"
                    throw unsupported("\(describe): input '\(name)' is not the graph input or an output of a supported node")
                }
                return value
            }
            let domain = node.domain == "ai.onnx" ? "" : node.domain
            switch (domain, node.opType) {
            case ("ai.onnx.ml", "TreeEnsembleClassifier"), ("ai.onnx.ml", "TreeEnsembleRegressor"):
                guard ensemble == nil else { throw unsupported("\(describe): a second tree ensemble in one graph") }
                guard node.input.count == 1, try source(0) == .input else {
                    throw unsupported("\(describe): its input must be the graph input '\(inputs[0].name)'")
                }
                ensemble = node
                let outputs: [Value] = node.opType == "TreeEnsembleClassifier" ? [.label, .scores] : [.scores]
                for (name, value) in zip(node.output, outputs) where !name.isEmpty { values[name] = value }
            case ("", "Identity"), ("ai.onnx.ml", "ZipMap"):
                guard node.input.count == 1, node.output.count == 1 else { throw malformed("\(describe): expected one input and one output") }
                let value = try source(0)
                if node.opType == "ZipMap" && value != .scores {
                    throw unsupported("\(describe): ZipMap of anything but the classifier's probabilities")
                }
                values[node.output[0]] = value
            case ("", "Cast"):
                guard node.input.count == 1, node.output.count == 1 else { throw malformed("\(describe): expected one input and one output") }
                var attributes = try ONNXNodeAttributes(node, file: file)
                let to = try attributes.int("to")
                attributes.ignore("saturate")
                try attributes.refuseUnread()
                let value = try source(0)
                switch value {
                case .label: break
                case .scores, .input:
                    // Scores stay exact as float or double; the input must stay float.
                    let allowed: Set<Int64> = value == .input ? [1] : [1, 11]
                    guard let to, allowed.contains(to) else {
                        throw unsupported("\(describe): Cast to \(ONNXElementType.name(Int32(clamping: to ?? 0))) would change the values")
                    }
                case .constant: throw unsupported("\(describe): Cast of a constant")
                }
                values[node.output[0]] = value
            case ("", "Mul"), ("", "Div"):
                guard node.input.count == 2, node.output.count == 1 else { throw malformed("\(describe): expected two inputs and one output") }
                try ONNXNodeAttributes(node, file: file).refuseUnread()
                let pair = (try source(0), try source(1))
                let operands: [Value] = node.opType == "Mul" ? [pair.0, pair.1] : [pair.0]
                guard let value = operands.first(where: { $0 == .scores || $0 == .label }),
                    case .constant(let constant) = (pair.0 == value ? pair.1 : pair.0),
                    !constant.isEmpty, constant.allSatisfy({ $0 == 1 })
                else {
                    throw unsupported("\(describe): \(node.opType) by anything but the constant 1")
                }
                values[node.output[0]] = value
            default:
                throw unsupported(
                    "\(describe): op '\(node.opType)' is not supported; supported: \(Self.supportedOps)")
            }
        }
        guard let ensemble else {
            throw unsupported("the graph has no TreeEnsembleClassifier or TreeEnsembleRegressor node")
        }
        var outputsScores = false
        for output in graph.output {
            switch values[output.name] {
            case .label: continue
            case .scores: outputsScores = true
            default:
                throw unsupported("graph output '\(output.name)' is not the tree ensemble's label or scores")
            }
        }
        guard outputsScores else {
            throw unsupported("the graph does not output the tree ensemble's probabilities or values")
        }
        return try ONNXTreeEnsemble(file: file, featureCount: featureCount, inputName: inputs[0].name).compile(ensemble)
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
