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
///
/// # Guarantees
/// - The declared shape is checked — against `width`, `maxRows`, and the values a body of
///   this size can hold — before anything is stored, and `data` is read straight into
///   the feature matrix: never more than `rows × width` values, and no JSON tree of it.
/// - The result, and the status of every error, is what parsing the whole body into a
///   `JSONValue` first would give (the tests compare the two on mutated bodies).
///
/// # Caveats
/// A body not shaped like an inference request (no top-level object whose first
/// `inputs` element is an object with `data`, or such keys written with escapes) is
/// parsed whole into a tree to name its error.
public struct InferenceRequestDecoder: Sendable {
    public var width: Int
    public var maxRows: Int

    public init(width: Int, maxRows: Int) {
        self.width = width
        self.maxRows = maxRows
    }

    /// The levels above `inputs[0].data`: the request object, `inputs`, the tensor.
    static let dataDepth = 3

    public func decode(_ bytes: UnsafeRawBufferPointer) throws(RequestError) -> InferenceRequest {
        let buffer = bytes.bindMemory(to: UInt8.self)
        guard let data = Self.locateData(in: buffer) else { return try decodeTree(buffer) }
        return try decode(buffer, dataAt: data)
    }

    public func decode(_ bytes: [UInt8]) throws(RequestError) -> InferenceRequest {
        let result = bytes.withUnsafeBytes { raw -> Result<InferenceRequest, RequestError> in
            do throws(RequestError) { return .success(try decode(raw)) } catch { return .failure(error) }
        }
        return try result.get()
    }

    /// Decodes a body whose `inputs[0].data` is at `data`: everything else is parsed as a
    /// small tree with `null` in its place; `data` is read by ``TensorDataReader``.
    private func decode(_ bytes: UnsafeBufferPointer<UInt8>, dataAt data: Range<Int>) throws(RequestError)
        -> InferenceRequest
    {
        let placeholder = Array("null".utf8)
        var skeleton: [UInt8] = []
        skeleton.reserveCapacity(bytes.count - data.count + placeholder.count)
        skeleton.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[..<data.lowerBound]))
        skeleton.append(contentsOf: placeholder)
        skeleton.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[data.upperBound...]))
        let document: JSONValue
        do throws(JSONParseError) {
            document = try JSONValue(parsing: skeleton, options: .fraudServing)
        } catch {
            let shift = error.offset >= data.lowerBound + placeholder.count ? data.count - placeholder.count : 0
            throw .malformed("invalid JSON at byte \(error.offset + shift): \(error.reason)")
        }
        var reader = TensorDataReader(
            limit: 0, roundToFloat: false,
            maximumDepth: JSONParsingOptions.fraudServing.maximumDepth - Self.dataDepth)
        let dataBytes = UnsafeBufferPointer(rebasing: bytes[data])
        let tensor: Tensor
        do throws(RequestError) {
            tensor = try self.tensor(document, bodySize: bytes.count)
        } catch {
            // The body is JSON only if `data` is: that decides between 400 and this error.
            var ignored: [Double] = []
            if case .malformed(let offset, let reason) = reader.read(dataBytes, offset: data.lowerBound, into: &ignored) {
                throw .malformed("invalid JSON at byte \(offset): \(reason)")
            }
            throw error
        }
        reader.limit = tensor.valueCount
        reader.roundToFloat = tensor.roundToFloat
        var values: [Double] = []
        values.reserveCapacity(tensor.valueCount)
        switch reader.read(dataBytes, offset: data.lowerBound, into: &values) {
        case .complete: break
        case .tooMany: throw tensor.tooManyValues
        case .notANumber(let index): throw tensor.notANumber(index)
        case .malformed(let offset, let reason): throw .malformed("invalid JSON at byte \(offset): \(reason)")
        }
        return try request(document, tensor, values)
    }

    /// Decodes the body from a whole `JSONValue` tree: the reference the single pass
    /// matches, and the path for bodies it does not recognize.
    func decodeTree(_ bytes: UnsafeBufferPointer<UInt8>) throws(RequestError) -> InferenceRequest {
        let document: JSONValue
        do throws(JSONParseError) {
            document = try JSONValue(parsing: bytes, options: .fraudServing)
        } catch {
            throw .malformed(error.description)
        }
        let tensor = try self.tensor(document, bodySize: bytes.count)
        guard let data = document["inputs"]?[0]?["data"] else {
            throw .unprocessable("input '\(tensor.name)' has no 'data'")
        }
        var values: [Double] = []
        values.reserveCapacity(tensor.valueCount)
        try flatten(data, into: &values, tensor)
        return try request(document, tensor, values)
    }

    /// What the request declares about its one input tensor.
    private struct Tensor {
        var id: String?
        var name: String
        var roundToFloat: Bool
        var shape: [Int]
        var rows: Int
        /// `rows × width`, checked to fit in the body.
        var valueCount: Int

        var tooManyValues: RequestError { .unprocessable("input '\(name)' has more values than its shape") }

        func notANumber(_ index: Int) -> RequestError {
            .unprocessable("input '\(name)' data element \(index) is not a number or null")
        }
    }

    /// Checks everything but `data` and `outputs`, including the shape against the limits.
    private func tensor(_ document: JSONValue, bodySize: Int) throws(RequestError) -> Tensor {
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
        // Each value takes at least two bytes ("0,"): a shape the body cannot hold is refused
        // before anything is allocated for it.
        let (valueCount, overflow) = rows.multipliedReportingOverflow(by: width)
        guard !overflow, valueCount <= bodySize / 2 + 1 else {
            throw .unprocessable(
                "input '\(name)' has shape \(shape), which needs \(overflow ? "more than \(Int.max)" : "\(valueCount)") "
                    + "values; a \(bodySize)-byte body holds at most \(bodySize / 2 + 1)")
        }
        return Tensor(
            id: id, name: name, roundToFloat: datatype == "FP32", shape: shape, rows: rows, valueCount: valueCount)
    }

    /// The request, once `data` is read: checks the value count and `outputs`.
    private func request(_ document: JSONValue, _ tensor: Tensor, _ values: [Double]) throws(RequestError)
        -> InferenceRequest
    {
        guard values.count == tensor.valueCount else {
            throw .unprocessable(
                "input '\(tensor.name)' has \(values.count) values; shape \(tensor.shape) needs \(tensor.valueCount)")
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
            id: tensor.id, features: FeatureMatrix(values: values, rowCount: tensor.rows, width: width),
            requestedOutputs: requested)
    }

    private func flatten(_ value: JSONValue, into values: inout [Double], _ tensor: Tensor) throws(RequestError) {
        switch value {
        case .array(let elements):
            for element in elements { try flatten(element, into: &values, tensor) }
        case .null:
            guard values.count < tensor.valueCount else { throw tensor.tooManyValues }
            values.append(.nan)
        default:
            guard let number = value.doubleValue else { throw tensor.notANumber(values.count) }
            guard values.count < tensor.valueCount else { throw tensor.tooManyValues }
            values.append(tensor.roundToFloat ? Double(Float(number)) : number)
        }
    }
}

extension InferenceRequestDecoder {
    /// Where `inputs[0].data` is, in a body shaped like an inference request: the value of
    /// the first `data` member of the first element of the top-level object's first
    /// `inputs` member (JSONCore keeps the first of repeated keys). `nil` for any other
    /// shape, and when a key on the way is written with escapes, which this scan does not
    /// decode. Validates nothing: the caller parses the rest.
    static func locateData(in bytes: UnsafeBufferPointer<UInt8>) -> Range<Int>? {
        var cursor = JSONByteCursor(bytes)
        var data: Range<Int>?
        var sawInputs = false
        let scanned = cursor.forEachMember { key, cursor in
            guard !sawInputs, key.elementsEqual("inputs".utf8) else { return cursor.skipValue() }
            sawInputs = true
            data = locateData(inInputs: &cursor)
            return data != nil
        }
        cursor.skipWhitespace()
        guard scanned, cursor.isAtEnd else { return nil }
        return data
    }

    private static func locateData(inInputs cursor: inout JSONByteCursor) -> Range<Int>? {
        guard cursor.consume(UInt8(ascii: "[")) else { return nil }
        var data: Range<Int>?
        let scanned = cursor.forEachMember { key, cursor in
            guard data == nil, key.elementsEqual("data".utf8) else { return cursor.skipValue() }
            let start = cursor.index
            guard cursor.skipValue() else { return false }
            data = start..<cursor.index
            return true
        }
        guard scanned else { return nil }
        while true {
            cursor.skipWhitespace()
            if cursor.consume(UInt8(ascii: "]")) { return data }
            guard cursor.consume(UInt8(ascii: ",")), cursor.skipValue() else { return nil }
        }
    }
}

extension JSONByteCursor {
    /// Walks the object that starts here (after whitespace), calling `body` with each
    /// member's raw key and the cursor at its value, which `body` must move past.
    /// `false` if the object is cut short, malformed, has a key with an escape, or `body`
    /// returns `false`.
    mutating func forEachMember(_ body: (UnsafeBufferPointer<UInt8>, inout JSONByteCursor) -> Bool) -> Bool {
        skipWhitespace()
        guard consume(UInt8(ascii: "{")) else { return false }
        skipWhitespace()
        if consume(UInt8(ascii: "}")) { return true }
        while true {
            skipWhitespace()
            guard current == UInt8(ascii: "\"") else { return false }
            let keyStart = index + 1
            guard skipString() else { return false }
            let key = UnsafeBufferPointer(rebasing: bytes[keyStart..<index - 1])
            guard !key.contains(UInt8(ascii: "\\")) else { return false }
            skipWhitespace()
            guard consume(UInt8(ascii: ":")) else { return false }
            skipWhitespace()
            guard body(key, &self) else { return false }
            skipWhitespace()
            if consume(UInt8(ascii: ",")) { continue }
            return consume(UInt8(ascii: "}"))
        }
    }
}
