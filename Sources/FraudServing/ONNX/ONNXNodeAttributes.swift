import SwiftProtobuf

/// Typed, checked access to one ONNX node's attributes.
///
/// Every getter throws a ``ModelLoadError`` naming the file, node and attribute when the
/// attribute has the wrong type; ``refuseUnread()`` refuses any attribute no getter asked
/// for, so an attribute fraud-server does not implement is never silently ignored.
struct ONNXNodeAttributes {
    let node: Onnx_NodeProto
    let file: String
    private let byName: [String: Onnx_AttributeProto]
    private var read: Set<String> = []

    init(_ node: Onnx_NodeProto, file: String) throws(ModelLoadError) {
        self.node = node
        self.file = file
        var byName: [String: Onnx_AttributeProto] = [:]
        for attribute in node.attribute {
            guard byName.updateValue(attribute, forKey: attribute.name) == nil else {
                throw ModelLoadError(
                    file: file, kind: .malformed, reason: "\(ONNXNodeAttributes.describe(node)): attribute '\(attribute.name)' appears twice")
            }
        }
        self.byName = byName
    }

    /// `node 'name' (domain OpType)`, the prefix of every message about a node.
    static func describe(_ node: Onnx_NodeProto) -> String {
        let domain = node.domain.isEmpty ? "ai.onnx" : node.domain
        return "node '\(node.name)' (\(domain) \(node.opType))"
    }

    func malformed(_ reason: String) -> ModelLoadError {
        ModelLoadError(file: file, kind: .malformed, reason: "\(Self.describe(node)): \(reason)")
    }

    func unsupported(_ reason: String) -> ModelLoadError {
        ModelLoadError(file: file, kind: .unsupported, reason: "\(Self.describe(node)): \(reason)")
    }

    private mutating func attribute(_ name: String, _ type: Onnx_AttributeProto.AttributeType) throws(ModelLoadError)
        -> Onnx_AttributeProto?
    {
        read.insert(name)
        guard let attribute = byName[name] else { return nil }
        // Files from old exporters leave `type` unset; trust the field that is filled then.
        guard attribute.type == type || attribute.type == .undefined else {
            throw malformed("attribute '\(name)' is \(attribute.type), expected \(type)")
        }
        return attribute
    }

    mutating func ints(_ name: String) throws(ModelLoadError) -> [Int64]? { try attribute(name, .ints)?.ints }
    mutating func int(_ name: String) throws(ModelLoadError) -> Int64? { try attribute(name, .int)?.i }
    mutating func string(_ name: String) throws(ModelLoadError) -> String? {
        guard let value = try attribute(name, .string)?.s else { return nil }
        return String(decoding: value, as: UTF8.self)
    }
    mutating func strings(_ name: String) throws(ModelLoadError) -> [String]? {
        try attribute(name, .strings)?.strings.map { String(decoding: $0, as: UTF8.self) }
    }

    /// A list of reals given as `name` (floats) or `name_as_tensor` (a float or double tensor,
    /// ai.onnx.ml opset 3); `isFloat32` says whether the values were stored as `float32`.
    mutating func reals(_ name: String) throws(ModelLoadError) -> (values: [Double], isFloat32: Bool)? {
        let floats = try attribute(name, .floats)
        let tensor = try attribute(name + "_as_tensor", .tensor)
        if floats != nil && tensor != nil { throw malformed("both '\(name)' and '\(name)_as_tensor' are set") }
        if let floats { return (floats.floats.map(Double.init), true) }
        guard let tensor else { return nil }
        do throws(ONNXTensorError) {
            return try ONNXTensorValues.reals(tensor.t)
        } catch {
            throw unsupported("attribute '\(name)_as_tensor': \(error.reason)")
        }
    }

    /// A float or double tensor attribute's values (`TreeEnsemble`'s `nodes_splits`).
    mutating func realTensor(_ name: String) throws(ModelLoadError) -> (values: [Double], isFloat32: Bool)? {
        guard let tensor = try attribute(name, .tensor)?.t else { return nil }
        do throws(ONNXTensorError) {
            return try ONNXTensorValues.reals(tensor)
        } catch {
            throw unsupported("attribute '\(name)': \(error.reason)")
        }
    }

    /// The values of an integer tensor attribute (`TreeEnsemble`'s UINT8 `nodes_modes`).
    mutating func smallInts(_ name: String) throws(ModelLoadError) -> [Int64]? {
        guard let tensor = try attribute(name, .tensor)?.t else { return nil }
        let raw = [UInt8](tensor.rawData)
        switch tensor.dataType {
        case 2:  // UINT8
            return raw.isEmpty ? tensor.int32Data.map { Int64($0) } : raw.map { Int64($0) }
        case 6:  // INT32
            guard raw.isEmpty else { throw unsupported("attribute '\(name)': raw INT32 data") }
            return tensor.int32Data.map { Int64($0) }
        case ONNXTensorValues.int64:
            do throws(ONNXTensorError) {
                return try ONNXTensorValues.int64s(tensor)
            } catch {
                throw unsupported("attribute '\(name)': \(error.reason)")
            }
        default:
            throw unsupported("attribute '\(name)' has element type \(ONNXElementType.name(tensor.dataType)); expected UINT8")
        }
    }

    /// A tensor attribute (`Constant`'s `value`).
    mutating func tensor(_ name: String) throws(ModelLoadError) -> Onnx_TensorProto? { try attribute(name, .tensor)?.t }

    /// A single real given as `name` (a float attribute, e.g. `Binarizer`'s `threshold`).
    mutating func real(_ name: String) throws(ModelLoadError) -> Double? {
        try attribute(name, .float).map { Double($0.f) }
    }

    /// `value`, or an error naming the missing attribute `name`.
    func required<T>(_ value: T?, _ name: String) throws(ModelLoadError) -> T {
        guard let value else { throw malformed("missing attribute '\(name)'") }
        return value
    }

    /// Marks `name` as read without reading it (attributes that do not change predictions).
    mutating func ignore(_ name: String) { read.insert(name) }

    /// Refuses the first attribute no getter asked for.
    func refuseUnread() throws(ModelLoadError) {
        if let name = node.attribute.map(\.name).first(where: { !read.contains($0) }) {
            throw unsupported("attribute '\(name)' is not supported")
        }
    }
}

struct ONNXTensorError: Error {
    var reason: String
}

/// Reads the values of small constant tensors (initializers, `*_as_tensor` attributes).
enum ONNXTensorValues {
    static let float: Int32 = 1
    static let double: Int32 = 11

    /// The values of a float or double tensor, from its typed field or its raw
    /// little-endian bytes; `isFloat32` is true for float tensors.
    static func reals(_ tensor: Onnx_TensorProto) throws(ONNXTensorError) -> (values: [Double], isFloat32: Bool) {
        guard tensor.dataLocation != .external else { throw ONNXTensorError(reason: "external tensor data is not supported") }
        let raw = [UInt8](tensor.rawData)
        switch tensor.dataType {
        case float:
            if raw.isEmpty { return (tensor.floatData.map(Double.init), true) }
            guard raw.count % 4 == 0 else { throw ONNXTensorError(reason: "raw float data of \(raw.count) bytes") }
            return (stride(from: 0, to: raw.count, by: 4).map { offset in
                var bits: UInt32 = 0
                for byte in 0..<4 { bits |= UInt32(raw[offset + byte]) << (8 * byte) }
                return Double(Float(bitPattern: bits))
            }, true)
        case double:
            if raw.isEmpty { return (tensor.doubleData, false) }
            guard raw.count % 8 == 0 else { throw ONNXTensorError(reason: "raw double data of \(raw.count) bytes") }
            return (stride(from: 0, to: raw.count, by: 8).map { offset in
                var bits: UInt64 = 0
                for byte in 0..<8 { bits |= UInt64(raw[offset + byte]) << (8 * byte) }
                return Double(bitPattern: bits)
            }, false)
        default:
            throw ONNXTensorError(reason: "element type \(ONNXElementType.name(tensor.dataType)); expected FLOAT or DOUBLE")
        }
    }
}

extension ONNXTensorValues {
    static let int64: Int32 = 7

    /// The values of an INT64 tensor (`ArrayFeatureExtractor`'s indices), from `int64_data`
    /// or its raw little-endian bytes.
    static func int64s(_ tensor: Onnx_TensorProto) throws(ONNXTensorError) -> [Int64] {
        guard tensor.dataLocation != .external else { throw ONNXTensorError(reason: "external tensor data is not supported") }
        guard tensor.dataType == int64 else {
            throw ONNXTensorError(reason: "element type \(ONNXElementType.name(tensor.dataType)); expected INT64")
        }
        let raw = [UInt8](tensor.rawData)
        if raw.isEmpty { return tensor.int64Data }
        guard raw.count % 8 == 0 else { throw ONNXTensorError(reason: "raw int64 data of \(raw.count) bytes") }
        return stride(from: 0, to: raw.count, by: 8).map { offset in
            var bits: UInt64 = 0
            for byte in 0..<8 { bits |= UInt64(raw[offset + byte]) << (8 * byte) }
            return Int64(bitPattern: bits)
        }
    }
}

/// ONNX `TensorProto.DataType` names for messages.
enum ONNXElementType {
    static let names: [Int32: String] = [
        0: "UNDEFINED", 1: "FLOAT", 2: "UINT8", 3: "INT8", 4: "UINT16", 5: "INT16", 6: "INT32", 7: "INT64",
        8: "STRING", 9: "BOOL", 10: "FLOAT16", 11: "DOUBLE", 12: "UINT32", 13: "UINT64", 14: "COMPLEX64",
        15: "COMPLEX128", 16: "BFLOAT16",
    ]

    static func name(_ type: Int32) -> String { names[type] ?? "type \(type)" }
}
