/// The protobuf wire types (the low 3 bits of a field key).
enum ProtobufWireType: UInt8, Sendable, CustomStringConvertible {
    case varint = 0
    case fixed64 = 1
    case lengthDelimited = 2
    case startGroup = 3
    case endGroup = 4
    case fixed32 = 5

    var description: String {
        switch self {
        case .varint: "varint"
        case .fixed64: "fixed64"
        case .lengthDelimited: "length-delimited"
        case .startGroup: "start-group"
        case .endGroup: "end-group"
        case .fixed32: "fixed32"
        }
    }
}

/// One field key read from the wire.
struct ProtobufTag: Sendable {
    /// The field number (1 ... 2^29-1).
    let number: Int
    let wireType: ProtobufWireType
    /// Where the key starts in the body.
    let offset: Int
}

/// Reads protobuf wire-format primitives from a range of a byte array.
///
/// # Guarantees
/// - Never reads outside `range`: every read checks the bytes left and throws `truncated`
///   instead. Offsets in errors are indices into the whole array (the request body).
/// - Varints longer than 10 bytes throw `malformedVarint`.
struct ProtobufWireReader {
    let bytes: [UInt8]
    private(set) var position: Int
    let end: Int

    init(_ bytes: [UInt8], range: Range<Int>) {
        self.bytes = bytes
        self.position = range.lowerBound
        self.end = range.upperBound
    }

    var isAtEnd: Bool { position >= end }

    mutating func readVarint() throws(ProtobufDecodingError) -> UInt64 {
        let start = position
        var result: UInt64 = 0
        var shift: UInt64 = 0
        while true {
            guard position < end else { throw .truncated(offset: start, expected: "a varint") }
            let byte = bytes[position]
            position += 1
            if shift == 63 && byte > 1 { throw .malformedVarint(offset: start) }
            result |= UInt64(byte & 0x7F) << shift
            if byte < 0x80 { return result }
            shift += 7
            if shift > 63 { throw .malformedVarint(offset: start) }
        }
    }

    mutating func readTag() throws(ProtobufDecodingError) -> ProtobufTag {
        let offset = position
        let key = try readVarint()
        let number = key >> 3
        guard number >= 1, number <= 0x1FFF_FFFF else {
            throw .invalidTag(offset: offset, detail: "field number \(number) is outside 1...536870911")
        }
        guard let wireType = ProtobufWireType(rawValue: UInt8(key & 7)) else {
            throw .invalidTag(offset: offset, detail: "wire type \(key & 7) does not exist")
        }
        return ProtobufTag(number: Int(number), wireType: wireType, offset: offset)
    }

    /// Reads a length prefix and returns the range of the bytes it announces, moving past them.
    mutating func readLengthDelimited() throws(ProtobufDecodingError) -> Range<Int> {
        let start = position
        let length = try readVarint()
        let available = end - position
        guard length <= UInt64(available) else {
            throw .truncated(offset: start, expected: "a length-delimited value of \(length) bytes (only \(available) remain)")
        }
        let range = position..<(position + Int(length))
        position = range.upperBound
        return range
    }

    mutating func readFixed64() throws(ProtobufDecodingError) -> UInt64 {
        try readLittleEndian(byteCount: 8, name: "a fixed64 value")
    }

    mutating func readFixed32() throws(ProtobufDecodingError) -> UInt32 {
        UInt32(try readLittleEndian(byteCount: 4, name: "a fixed32 value"))
    }

    /// Moves past a value of an unknown field. Groups are refused: Kubernetes never writes them.
    mutating func skip(_ tag: ProtobufTag) throws(ProtobufDecodingError) {
        switch tag.wireType {
        case .varint: _ = try readVarint()
        case .fixed64: _ = try readFixed64()
        case .lengthDelimited: _ = try readLengthDelimited()
        case .fixed32: _ = try readFixed32()
        case .startGroup, .endGroup:
            throw .invalidTag(offset: tag.offset, detail: "field \(tag.number) uses a protobuf group, which Kubernetes never encodes")
        }
    }

    private mutating func readLittleEndian(byteCount: Int, name: String) throws(ProtobufDecodingError) -> UInt64 {
        guard end - position >= byteCount else { throw .truncated(offset: position, expected: name) }
        var value: UInt64 = 0
        for index in 0..<byteCount {
            value |= UInt64(bytes[position + index]) << (8 * UInt64(index))
        }
        position += byteCount
        return value
    }
}
