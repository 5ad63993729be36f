import FraudServing

/// An Open Inference Protocol (V2) inference request, reduced to what the model needs.
public struct InferenceRequest: Sendable, Equatable {
    /// The request's `id`, echoed in the response.
    public var id: String?
    /// The input tensor's rows.
    public var features: FeatureMatrix
    /// The names in the request's `outputs`, or `nil` for all outputs.
    public var requestedOutputs: [String]?
}

/// Decodes V2 inference requests: one input tensor of datatype `FP32` or `FP64` and
/// shape `[N, F]` (or `[F]` for one row), data flat or nested in row-major order;
/// `null` elements are missing values.
///
/// `FP32` data is rounded to `float32` first, as a client's `float32` array would be.
/// Errors follow the same rules as ``PredictBodyDecoder``.
public struct InferenceRequestDecoder: Sendable {
    public var width: Int
    public var maxRows: Int

    public init(width: Int, maxRows: Int) {
        self.width = width
        self.maxRows = maxRows
    }

    public func decode(_ bytes: UnsafeRawBufferPointer) throws(RequestError) -> InferenceRequest {
        let document: JSONValue
        do {
            document = try JSONValue(parsing: bytes.bindMemory(to: UInt8.self), options: .fraudServing)
        } catch {
            throw .malformed(error.description)
        }
        guard case .object = document else { throw .unprocessable("the inference request must be a JSON object") }
        var id: String?
        if let value = document["id"] {
            guard let text = value.stringValue else { throw .unprocessable("'id' must be a string") }
            id = text
        }
        guard let inputs = document["inputs"]?.arrayValue else {
            throw .unprocessable("'inputs' must be a list with one tensor")
        }
        guard inputs.count == 1 else {
            throw .unprocessable("expected exactly one input tensor of shape [N, \(width)], got \(inputs.count)")
        }
        let input = inputs[0]
        let name = input["name"]?.stringValue ?? "input-0"
        guard let datatype = input["datatype"]?.stringValue else { throw .unprocessable("input '\(name)' has no 'datatype'") }
        guard datatype == "FP32" || datatype == "FP64" else {
            throw .unprocessable("input '\(name)' has datatype \(datatype); expected FP32 or FP64")
        }
        guard let shapeValues = input["shape"]?.arrayValue else { throw .unprocessable("input '\(name)' has no 'shape'") }
        let shape = shapeValues.compactMap { $0.lenientIntValue }
        guard shape.count == shapeValues.count, shape.allSatisfy({ $0 >= 0 }) else {
            throw .unprocessable("input '\(name)' shape must be a list of non-negative integers")
        }
        let rows: Int
        switch shape.count {
        case 1 where shape[0] == width: rows = 1
        case 2 where shape[1] == width: rows = shape[0]
        default:
            throw .unprocessable("input '\(name)' has shape \(shape); expected [N, \(width)]")
        }
        guard rows > 0 else { throw .unprocessable("empty batch: shape \(shape) has no rows") }
        guard rows <= maxRows else { throw .tooManyRows(rows, limit: maxRows) }
        guard let data = input["data"] else { throw .unprocessable("input '\(name)' has no 'data'") }
        var values: [Double] = []
        values.reserveCapacity(rows * width)
        try flatten(data, into: &values, limit: rows * width, roundToFloat: datatype == "FP32", name: name)
        guard values.count == rows * width else {
            throw .unprocessable("input '\(name)' has \(values.count) values; shape \(shape) needs \(rows * width)")
        }
        var requested: [String]?
        if let outputs = document["outputs"] {
            guard let list = outputs.arrayValue else { throw .unprocessable("'outputs' must be a list") }
            requested = try list.map { (output: JSONValue) throws(RequestError) -> String in
                guard let outputName = output["name"]?.stringValue else { throw .unprocessable("every output needs a 'name'") }
                return outputName
            }
        }
        return InferenceRequest(
            id: id, features: FeatureMatrix(values: values, rowCount: rows, width: width), requestedOutputs: requested)
    }

    public func decode(_ bytes: [UInt8]) throws(RequestError) -> InferenceRequest {
        let result = bytes.withUnsafeBytes { raw -> Result<InferenceRequest, RequestError> in
            do throws(RequestError) { return .success(try decode(raw)) } catch { return .failure(error) }
        }
        return try result.get()
    }

    private func flatten(
        _ value: JSONValue, into values: inout [Double], limit: Int, roundToFloat: Bool, name: String
    ) throws(RequestError) {
        switch value {
        case .array(let elements):
            for element in elements { try flatten(element, into: &values, limit: limit, roundToFloat: roundToFloat, name: name) }
        case .null:
            guard values.count < limit else { throw .unprocessable("input '\(name)' has more values than its shape") }
            values.append(.nan)
        default:
            guard let number = value.doubleValue else {
                throw .unprocessable("input '\(name)' data element \(values.count) is not a number or null")
            }
            guard values.count < limit else { throw .unprocessable("input '\(name)' has more values than its shape") }
            values.append(roundToFloat ? Double(Float(number)) : number)
        }
    }
}
