import KubeAPI

/// Decodes the k8s.io/apimachinery messages whose JSON form is not an object: `metav1.Time`,
/// `metav1.MicroTime`, `intstr.IntOrString`, `resource.Quantity`, `metav1.FieldsV1` /
/// `runtime.RawExtension` and `ExtraValue`. Unknown fields inside them are skipped.
struct ApimachineryValueDecoder {
    let bytes: [UInt8]

    /// The JSON for the message at `range`; nil where Go writes `null` (zero time, empty raw JSON).
    func decode(_ kind: ProtobufFieldKind, in range: Range<Int>, path: String) throws(ProtobufDecodingError) -> JSONValue? {
        switch kind {
        case .time, .microTime: return try timestamp(in: range, micro: kind == .microTime, path: path)
        case .intOrString: return try intOrString(in: range, path: path)
        case .quantity: return try quantity(in: range, path: path)
        case .rawJSON: return try rawJSON(in: range, path: path)
        case .stringList: return try stringList(in: range, path: path)
        default: throw .invalidValue(path: path, offset: range.lowerBound, detail: "\(kind) is not an apimachinery value type")
        }
    }

    /// `Timestamp {1: int64 seconds, 2: int32 nanos}`; an empty message is Go's zero time.
    private func timestamp(in range: Range<Int>, micro: Bool, path: String) throws(ProtobufDecodingError) -> JSONValue? {
        guard !range.isEmpty else { return nil }
        var seconds: Int64 = 0
        var nanos: Int64 = 0
        var reader = ProtobufWireReader(bytes, range: range)
        while !reader.isAtEnd {
            let tag = try reader.readTag()
            switch (tag.number, tag.wireType) {
            case (1, .varint): seconds = Int64(bitPattern: try reader.readVarint())
            case (2, .varint): nanos = Int64(Int32(truncatingIfNeeded: try reader.readVarint()))
            case (1, _), (2, _): throw wrongWireType(tag, expected: .varint, path: path)
            default: try reader.skip(tag)
            }
        }
        guard let time = ProtobufTimestamp.normalize(seconds: seconds, nanos: nanos) else {
            throw .invalidValue(path: path, offset: range.lowerBound, detail: "timestamp \(seconds)s \(nanos)ns is out of range")
        }
        return ProtobufTimestamp.format(seconds: time.seconds, nanos: time.nanos, micro: micro).map(JSONValue.string)
    }

    /// `IntOrString {1: int64 type, 2: int32 intVal, 3: string strVal}`: type 0 is the number, 1 the string.
    private func intOrString(in range: Range<Int>, path: String) throws(ProtobufDecodingError) -> JSONValue {
        var type: Int64 = 0
        var intValue: Int64 = 0
        var stringValue = ""
        var reader = ProtobufWireReader(bytes, range: range)
        while !reader.isAtEnd {
            let tag = try reader.readTag()
            switch (tag.number, tag.wireType) {
            case (1, .varint): type = Int64(bitPattern: try reader.readVarint())
            case (2, .varint): intValue = Int64(Int32(truncatingIfNeeded: try reader.readVarint()))
            case (3, .lengthDelimited): stringValue = String(decoding: bytes[try reader.readLengthDelimited()], as: UTF8.self)
            case (1, _), (2, _): throw wrongWireType(tag, expected: .varint, path: path)
            case (3, _): throw wrongWireType(tag, expected: .lengthDelimited, path: path)
            default: try reader.skip(tag)
            }
        }
        switch type {
        case 0: return .int(intValue)
        case 1: return .string(stringValue)
        default:
            throw .invalidValue(path: path, offset: range.lowerBound, detail: "IntOrString type \(type) is neither 0 (int) nor 1 (string)")
        }
    }

    /// `Quantity {1: string}`; the zero quantity marshals as `"0"`.
    private func quantity(in range: Range<Int>, path: String) throws(ProtobufDecodingError) -> JSONValue {
        let text = try stringField(1, in: range, path: path).last ?? ""
        return .string(text.isEmpty ? "0" : text)
    }

    /// `{1: bytes raw}` holding JSON; nil (Go's `null`) when empty.
    private func rawJSON(in range: Range<Int>, path: String) throws(ProtobufDecodingError) -> JSONValue? {
        var raw: Range<Int>?
        var reader = ProtobufWireReader(bytes, range: range)
        while !reader.isAtEnd {
            let tag = try reader.readTag()
            switch (tag.number, tag.wireType) {
            case (1, .lengthDelimited): raw = try reader.readLengthDelimited()
            case (1, _): throw wrongWireType(tag, expected: .lengthDelimited, path: path)
            default: try reader.skip(tag)
            }
        }
        guard let raw, !raw.isEmpty else { return nil }
        do {
            return try JSONValue(parsing: bytes[raw])
        } catch {
            throw .invalidValue(path: path, offset: raw.lowerBound, detail: "the embedded bytes are not JSON: \(error)")
        }
    }

    /// `ExtraValue {repeated string items = 1}`; Go's nil slice marshals as `null`.
    private func stringList(in range: Range<Int>, path: String) throws(ProtobufDecodingError) -> JSONValue? {
        let items = try stringField(1, in: range, path: path)
        return items.isEmpty ? nil : .array(items.map(JSONValue.string))
    }

    /// Every occurrence of string field `number` in the message at `range`.
    private func stringField(_ number: Int, in range: Range<Int>, path: String) throws(ProtobufDecodingError) -> [String] {
        var values: [String] = []
        var reader = ProtobufWireReader(bytes, range: range)
        while !reader.isAtEnd {
            let tag = try reader.readTag()
            guard tag.number == number else {
                try reader.skip(tag)
                continue
            }
            guard tag.wireType == .lengthDelimited else { throw wrongWireType(tag, expected: .lengthDelimited, path: path) }
            values.append(String(decoding: bytes[try reader.readLengthDelimited()], as: UTF8.self))
        }
        return values
    }

    private func wrongWireType(_ tag: ProtobufTag, expected: ProtobufWireType, path: String) -> ProtobufDecodingError {
        .wrongWireType(path: "\(path) (field \(tag.number))", offset: tag.offset, expected: expected.description, found: tag.wireType.description)
    }
}
