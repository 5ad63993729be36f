import KubeAPI

/// Reads request bodies sent as `application/vnd.kubernetes.protobuf`, which kubectl's typed
/// clients use for `kubectl create namespace|secret|configmap|deployment|role|...`.
///
/// A body is the magic `k8s\0` followed by a `runtime.Unknown` message:
/// `{1: TypeMeta {1: apiVersion, 2: kind}, 2: raw, 3: contentEncoding, 4: contentType}`, where
/// `raw` is the object's own message (without apiVersion and kind).
///
/// # Guarantees
/// - The result is the object Go's `encoding/json` would write for the same struct, with
///   `apiVersion` and `kind` set from the envelope. Zero scalars of `omitempty` fields are left out;
///   pointer fields keep zero values (`spec.replicas: 0`); non-pointer structs are always present
///   (`status: {}`). See `ProtobufObjectDecoder` for the exceptions (`null`s are left out).
/// - Any input decodes or throws `ProtobufDecodingError`; nothing traps.
/// - Field numbers unknown to the tables (newer Kubernetes versions) are skipped.
public enum KubernetesProtobuf {
    /// The media type of Kubernetes protobuf bodies.
    public static let mediaType = "application/vnd.kubernetes.protobuf"

    /// The 4 bytes every body starts with: `k8s\0`.
    public static let magic: [UInt8] = [0x6B, 0x38, 0x73, 0x00]

    /// The `apiVersion/Kind` pairs `decode` understands, sorted (`apps/v1/Deployment`, `v1/Secret`, ...).
    public static var supportedKinds: [String] { KubernetesProtobufSchemas.kinds.keys.sorted() }

    /// Decodes a whole request body into the JSON object it stands for.
    public static func decode(_ body: [UInt8]) throws(ProtobufDecodingError) -> JSONValue {
        guard body.count >= magic.count, Array(body.prefix(magic.count)) == magic else {
            throw .badMagic(prefix: Array(body.prefix(magic.count)))
        }
        let envelope = try Envelope(body, range: magic.count..<body.count)
        guard !envelope.apiVersion.isEmpty, !envelope.kind.isEmpty else {
            throw .missingTypeMeta(apiVersion: envelope.apiVersion, kind: envelope.kind)
        }
        guard envelope.contentEncoding.isEmpty else { throw .unsupportedContentEncoding(envelope.contentEncoding) }
        guard let schema = KubernetesProtobufSchemas.table(apiVersion: envelope.apiVersion, kind: envelope.kind) else {
            throw .unknownKind(apiVersion: envelope.apiVersion, kind: envelope.kind, supported: supportedKinds)
        }
        let decoder = ProtobufObjectDecoder(bytes: body, schemas: KubernetesProtobufSchemas.messages)
        var object = try decoder.decodeMessage(schema, in: envelope.raw, path: "", depth: 0)
        object["apiVersion"] = .string(envelope.apiVersion)
        object["kind"] = .string(envelope.kind)
        return .object(object)
    }

    /// The fields of `runtime.Unknown` the decoder needs; `contentType` (field 4) is ignored,
    /// as the API server's protobuf serializer ignores it.
    private struct Envelope {
        var apiVersion = ""
        var kind = ""
        var raw: Range<Int>
        var contentEncoding = ""

        init(_ body: [UInt8], range: Range<Int>) throws(ProtobufDecodingError) {
            raw = range.upperBound..<range.upperBound
            var reader = ProtobufWireReader(body, range: range)
            while !reader.isAtEnd {
                let tag = try reader.readTag()
                switch tag.number {
                case 1:
                    var typeMeta = ProtobufWireReader(body, range: try Self.lengthDelimited(tag, &reader, name: "typeMeta"))
                    while !typeMeta.isAtEnd {
                        let inner = try typeMeta.readTag()
                        switch inner.number {
                        case 1: apiVersion = try Self.string(body, inner, &typeMeta, name: "typeMeta.apiVersion")
                        case 2: kind = try Self.string(body, inner, &typeMeta, name: "typeMeta.kind")
                        default: try typeMeta.skip(inner)
                        }
                    }
                case 2: raw = try Self.lengthDelimited(tag, &reader, name: "raw")
                case 3: contentEncoding = try Self.string(body, tag, &reader, name: "contentEncoding")
                default: try reader.skip(tag)
                }
            }
        }

        private static func lengthDelimited(
            _ tag: ProtobufTag, _ reader: inout ProtobufWireReader, name: String
        ) throws(ProtobufDecodingError) -> Range<Int> {
            guard tag.wireType == .lengthDelimited else {
                throw .wrongWireType(
                    path: "runtime.Unknown.\(name)", offset: tag.offset,
                    expected: ProtobufWireType.lengthDelimited.description, found: tag.wireType.description)
            }
            return try reader.readLengthDelimited()
        }

        private static func string(
            _ body: [UInt8], _ tag: ProtobufTag, _ reader: inout ProtobufWireReader, name: String
        ) throws(ProtobufDecodingError) -> String {
            String(decoding: body[try lengthDelimited(tag, &reader, name: name)], as: UTF8.self)
        }
    }
}
