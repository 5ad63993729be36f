import Foundation
import KubeAPI

/// Turns protobuf messages into JSON objects by following `ProtobufMessageSchema` tables.
///
/// # Guarantees
/// - Any byte sequence either decodes or throws `ProtobufDecodingError`; nothing traps.
/// - Fields the table does not know are skipped; their content is lost, since without a schema
///   neither their JSON name nor their type can be recovered.
/// - Output follows Go's `encoding/json` on the decoded struct, see `ProtobufFieldPresence`.
///   Repeated occurrences of a singular message merge, as protobuf specifies; of a scalar, the last wins.
///
/// # Caveats
/// - Empty lists and maps are left out even where Go would write `null` (no `omitempty`), and a
///   zero `metav1.Time` is left out where Go writes `null`: JSON consumers treat both the same.
/// - `resource.Quantity` strings are kept as sent, not re-canonicalized (Go clients send them canonical).
struct ProtobufObjectDecoder {
    /// Deeper than any Kubernetes object; guards the stack against tables that would recurse.
    static let maximumDepth = 64

    let bytes: [UInt8]
    let schemas: [String: ProtobufMessageSchema]

    /// Decodes the message at `range` with `schema`. `existing` is the object an earlier occurrence
    /// of the same field produced, which this one merges into.
    func decodeMessage(
        _ schema: ProtobufMessageSchema, in range: Range<Int>, path: String, depth: Int, existing: [String: JSONValue] = [:]
    ) throws(ProtobufDecodingError) -> [String: JSONValue] {
        guard depth <= Self.maximumDepth else { throw .nestingTooDeep(path: path, limit: Self.maximumDepth) }
        var object = JSONObjectBuilder(members: existing)
        try read(schema, in: range, into: &object, path: path, depth: depth)
        try addAlwaysWrittenFields(of: schema, to: &object, path: path, depth: depth)
        return object.build()
    }

    private func read(
        _ schema: ProtobufMessageSchema, in range: Range<Int>, into object: inout JSONObjectBuilder, path: String, depth: Int
    ) throws(ProtobufDecodingError) {
        var reader = ProtobufWireReader(bytes, range: range)
        while !reader.isAtEnd {
            let tag = try reader.readTag()
            guard let field = schema.field(tag.number) else {
                try reader.skip(tag)
                continue
            }
            let fieldPath = path.isEmpty ? field.jsonName : "\(path).\(field.jsonName)"
            switch field.kind {
            case .inline(let name):
                let inner = try lengthDelimited(tag, &reader, path: fieldPath)
                try read(try table(name, path: fieldPath, offset: tag.offset), in: inner, into: &object, path: path, depth: depth + 1)
            case .list(let element):
                try readListElements(element, tag: tag, reader: &reader, into: &object, field: field, path: fieldPath, depth: depth)
            case .map(let valueKind):
                let entry = try lengthDelimited(tag, &reader, path: fieldPath)
                let (key, value) = try readMapEntry(valueKind, in: entry, path: fieldPath, depth: depth)
                object.maps[field.jsonName, default: [:]][key] = value
            default:
                let value = try readValue(
                    field.kind, tag: tag, reader: &reader, path: fieldPath, depth: depth, existing: object.members[field.jsonName])
                if let value, !(field.presence == .omitEmpty && value.isGoZeroScalar) {
                    object.members[field.jsonName] = value
                } else {
                    object.members[field.jsonName] = nil
                }
            }
        }
    }

    private func readListElements(
        _ element: ProtobufFieldKind, tag: ProtobufTag, reader: inout ProtobufWireReader, into object: inout JSONObjectBuilder,
        field: ProtobufField, path: String, depth: Int
    ) throws(ProtobufDecodingError) {
        if tag.wireType == .lengthDelimited, let packedType = element.packedWireType {
            let packed = try reader.readLengthDelimited()
            var inner = ProtobufWireReader(bytes, range: packed)
            while !inner.isAtEnd {
                let elementTag = ProtobufTag(number: tag.number, wireType: packedType, offset: inner.position)
                let value = try readValue(element, tag: elementTag, reader: &inner, path: path, depth: depth, existing: nil)
                object.lists[field.jsonName, default: []].append(value ?? .null)
            }
            return
        }
        let index = object.lists[field.jsonName]?.count ?? 0
        let value = try readValue(element, tag: tag, reader: &reader, path: "\(path)[\(index)]", depth: depth, existing: nil)
        object.lists[field.jsonName, default: []].append(value ?? .null)
    }

    /// A map entry {1: key, 2: value}; a missing value decodes as the kind's zero value.
    private func readMapEntry(
        _ valueKind: ProtobufFieldKind, in range: Range<Int>, path: String, depth: Int
    ) throws(ProtobufDecodingError) -> (String, JSONValue) {
        var reader = ProtobufWireReader(bytes, range: range)
        var key = ""
        var value: JSONValue?
        while !reader.isAtEnd {
            let tag = try reader.readTag()
            switch tag.number {
            case 1: key = try string(tag, &reader, path: "\(path).key")
            case 2: value = try readValue(valueKind, tag: tag, reader: &reader, path: "\(path)[\(key)]", depth: depth, existing: nil) ?? .null
            default: try reader.skip(tag)
            }
        }
        if value == nil { value = try zeroValue(valueKind, path: "\(path)[\(key)]", offset: range.lowerBound, depth: depth) ?? .null }
        return (key, value ?? .null)
    }

    /// One value of a singular kind; nil when Go would marshal it as `null` (the zero time).
    private func readValue(
        _ kind: ProtobufFieldKind, tag: ProtobufTag, reader: inout ProtobufWireReader, path: String, depth: Int, existing: JSONValue?
    ) throws(ProtobufDecodingError) -> JSONValue? {
        switch kind {
        case .string:
            return .string(try string(tag, &reader, path: path))
        case .bytes:
            let range = try lengthDelimited(tag, &reader, path: path)
            return .string(Data(bytes[range]).base64EncodedString())
        case .int32:
            return .int(Int64(Int32(truncatingIfNeeded: try varint(tag, &reader, path: path))))
        case .int64:
            return .int(Int64(bitPattern: try varint(tag, &reader, path: path)))
        case .bool:
            return .bool(try varint(tag, &reader, path: path) != 0)
        case .double:
            try expect(.fixed64, tag, path: path)
            return .double(Double(bitPattern: try reader.readFixed64()))
        case .message(let name):
            let range = try lengthDelimited(tag, &reader, path: path)
            let schema = try table(name, path: path, offset: tag.offset)
            return .object(try decodeMessage(schema, in: range, path: path, depth: depth + 1, existing: existing?.objectValue ?? [:]))
        case .time, .microTime, .intOrString, .quantity, .rawJSON, .stringList:
            let range = try lengthDelimited(tag, &reader, path: path)
            return try ApimachineryValueDecoder(bytes: bytes).decode(kind, in: range, path: path)
        case .inline, .list, .map:
            throw .invalidValue(path: path, offset: tag.offset, detail: "the schema nests \(kind) where a single value belongs")
        }
    }

    /// Writes the Go zero value of every `.always` field the wire did not carry.
    private func addAlwaysWrittenFields(
        of schema: ProtobufMessageSchema, to object: inout JSONObjectBuilder, path: String, depth: Int
    ) throws(ProtobufDecodingError) {
        for field in schema.fields {
            let fieldPath = path.isEmpty ? field.jsonName : "\(path).\(field.jsonName)"
            switch field.kind {
            case .inline(let name):
                guard depth < Self.maximumDepth else { throw .nestingTooDeep(path: fieldPath, limit: Self.maximumDepth) }
                let inner = try table(name, path: fieldPath, offset: 0)
                try addAlwaysWrittenFields(of: inner, to: &object, path: path, depth: depth + 1)
            case .list, .map:
                continue
            default:
                guard field.presence == .always, object.members[field.jsonName] == nil else { continue }
                object.members[field.jsonName] = try zeroValue(field.kind, path: fieldPath, offset: 0, depth: depth)
            }
        }
    }

    /// What Go marshals for a field holding its type's zero value; nil for `null`.
    private func zeroValue(_ kind: ProtobufFieldKind, path: String, offset: Int, depth: Int) throws(ProtobufDecodingError) -> JSONValue? {
        switch kind {
        case .string, .bytes: return .string("")
        case .int32, .int64: return .int(0)
        case .bool: return .bool(false)
        case .double: return .double(0)
        case .message(let name):
            return .object(try decodeMessage(try table(name, path: path, offset: offset), in: 0..<0, path: path, depth: depth + 1))
        case .intOrString: return .int(0)
        case .quantity: return .string("0")
        case .time, .microTime, .rawJSON, .stringList, .inline, .list, .map: return nil
        }
    }

    // MARK: Wire helpers

    private func table(_ name: String, path: String, offset: Int) throws(ProtobufDecodingError) -> ProtobufMessageSchema {
        guard let schema = schemas[name] else {
            throw .invalidValue(path: path, offset: offset, detail: "no protobuf table named \(name) (a gap in KubernetesProtobufSchemas)")
        }
        return schema
    }

    private func expect(_ wireType: ProtobufWireType, _ tag: ProtobufTag, path: String) throws(ProtobufDecodingError) {
        guard tag.wireType == wireType else {
            throw .wrongWireType(path: path, offset: tag.offset, expected: wireType.description, found: tag.wireType.description)
        }
    }

    private func lengthDelimited(_ tag: ProtobufTag, _ reader: inout ProtobufWireReader, path: String) throws(ProtobufDecodingError) -> Range<Int> {
        try expect(.lengthDelimited, tag, path: path)
        return try reader.readLengthDelimited()
    }

    private func varint(_ tag: ProtobufTag, _ reader: inout ProtobufWireReader, path: String) throws(ProtobufDecodingError) -> UInt64 {
        try expect(.varint, tag, path: path)
        return try reader.readVarint()
    }

    private func string(_ tag: ProtobufTag, _ reader: inout ProtobufWireReader, path: String) throws(ProtobufDecodingError) -> String {
        let range = try lengthDelimited(tag, &reader, path: path)
        return String(decoding: bytes[range], as: UTF8.self)
    }
}

/// One JSON object being assembled; repeated and map fields collect separately so that appending
/// an element does not copy the whole array.
struct JSONObjectBuilder {
    var members: [String: JSONValue]
    var lists: [String: [JSONValue]] = [:]
    var maps: [String: [String: JSONValue]] = [:]

    init(members: [String: JSONValue] = [:]) { self.members = members }

    /// The object; lists and maps extend any an earlier occurrence of the message produced.
    func build() -> [String: JSONValue] {
        var result = members
        for (name, elements) in lists {
            result[name] = .array((result[name]?.arrayValue ?? []) + elements)
        }
        for (name, entries) in maps {
            result[name] = .object((result[name]?.objectValue ?? [:]).merging(entries) { _, new in new })
        }
        return result
    }
}

extension ProtobufFieldKind {
    /// The wire type of one element when a repeated field of this kind is packed; nil when it cannot be.
    var packedWireType: ProtobufWireType? {
        switch self {
        case .int32, .int64, .bool: .varint
        case .double: .fixed64
        default: nil
        }
    }
}

extension JSONValue {
    /// True for the values `omitempty` drops: `""`, `0`, `false`.
    var isGoZeroScalar: Bool {
        switch self {
        case .string(let text): text.isEmpty
        case .int(let number): number == 0
        case .double(let number): number == 0
        case .bool(let flag): !flag
        default: false
        }
    }
}
