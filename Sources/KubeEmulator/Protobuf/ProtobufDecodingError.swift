/// Why a `application/vnd.kubernetes.protobuf` body could not be turned into JSON.
///
/// Offsets count bytes from the start of the request body (the `k8s\0` magic is at 0), so a
/// message can be matched against a hex dump of the body. Paths name the JSON field being read
/// (`spec.template.spec.containers[0].ports[1].containerPort`).
public enum ProtobufDecodingError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The body does not start with the 4 bytes `k8s\0`; `prefix` holds what it starts with.
    case badMagic(prefix: [UInt8])
    /// The body ends inside a value: `expected` says what was being read at `offset`.
    case truncated(offset: Int, expected: String)
    /// A varint runs past 10 bytes, or past 64 bits, at `offset`.
    case malformedVarint(offset: Int)
    /// A field key that no protobuf encoder writes: field number 0, a group or an unknown wire type.
    case invalidTag(offset: Int, detail: String)
    /// A known field arrived with a wire type its schema does not allow.
    case wrongWireType(path: String, offset: Int, expected: String, found: String)
    /// The `runtime.Unknown` envelope carries no `apiVersion` or no `kind`.
    case missingTypeMeta(apiVersion: String, kind: String)
    /// The envelope's `contentEncoding` is set (for example `gzip`); only plain bodies are supported.
    case unsupportedContentEncoding(String)
    /// No protobuf schema is known for this kind; `supported` lists `apiVersion/Kind` pairs that are.
    case unknownKind(apiVersion: String, kind: String, supported: [String])
    /// A value that is well-formed protobuf but cannot become JSON (an IntOrString type other
    /// than 0 or 1, a timestamp out of range, `fieldsV1` bytes that are not JSON).
    case invalidValue(path: String, offset: Int, detail: String)
    /// Messages nest deeper than `limit`, which no Kubernetes object does.
    case nestingTooDeep(path: String, limit: Int)

    /// A sentence naming what is wrong and where, suitable for a `Status` message.
    public var description: String {
        switch self {
        case .badMagic(let prefix):
            let found = prefix.map { byte in
                let hex = String(byte, radix: 16)
                return hex.count == 1 ? "0" + hex : hex
            }.joined(separator: " ")
            return "not a Kubernetes protobuf body: it must start with the 4 bytes 6b 38 73 00 (\"k8s\\0\") "
                + "but starts with [\(found)]; send JSON bodies as application/json"
        case .truncated(let offset, let expected):
            return "truncated protobuf body: it ends inside \(expected) that starts at offset \(offset)"
        case .malformedVarint(let offset):
            return "malformed protobuf varint at offset \(offset): longer than 10 bytes or wider than 64 bits"
        case .invalidTag(let offset, let detail):
            return "invalid protobuf field key at offset \(offset): \(detail)"
        case .wrongWireType(let path, let offset, let expected, let found):
            return "field \(Self.name(path)) at offset \(offset) has wire type \(found), expected \(expected)"
        case .missingTypeMeta(let apiVersion, let kind):
            return "the protobuf envelope (runtime.Unknown field 1, TypeMeta) must name the object's apiVersion and kind, "
                + "got apiVersion \"\(apiVersion)\" and kind \"\(kind)\""
        case .unsupportedContentEncoding(let encoding):
            return "the protobuf envelope has contentEncoding \"\(encoding)\"; only unencoded bodies are supported"
        case .unknownKind(let apiVersion, let kind, let supported):
            return "unknown kind \"\(kind)\" in apiVersion \"\(apiVersion)\" for protobuf decoding; send it as "
                + "application/json instead. Supported: \(supported.joined(separator: ", "))"
        case .invalidValue(let path, let offset, let detail):
            return "field \(Self.name(path)) at offset \(offset): \(detail)"
        case .nestingTooDeep(let path, let limit):
            return "field \(Self.name(path)) nests messages deeper than \(limit) levels"
        }
    }

    private static func name(_ path: String) -> String { path.isEmpty ? "<object>" : path }
}
