/// What a protobuf field holds and how it becomes JSON.
indirect enum ProtobufFieldKind: Sendable, Equatable {
    /// `string` → JSON string.
    case string
    /// `bytes` → base64 JSON string (standard alphabet, padded), as Go encodes `[]byte`.
    case bytes
    /// `int32` (varint, sign-extended) → JSON number.
    case int32
    /// `int64` → JSON number.
    case int64
    /// `bool` → JSON boolean.
    case bool
    /// `double` (fixed64) → JSON number.
    case double
    /// A nested message, decoded with the table of that name (`core.v1.PodSpec`).
    case message(String)
    /// A nested message whose fields Go inlines into the parent (`json:",inline"`), such as
    /// `Volume.volumeSource` or `Probe.handler`.
    case inline(String)
    /// `metav1.Time` {1: seconds, 2: nanos} → RFC 3339 in UTC with second precision; the zero time is omitted.
    case time
    /// `metav1.MicroTime` → RFC 3339 in UTC with 6 fractional digits; the zero time is omitted.
    case microTime
    /// `intstr.IntOrString` {1: type, 2: intVal, 3: strVal} → number (type 0) or string (type 1).
    case intOrString
    /// `resource.Quantity` {1: string} → its string; the zero quantity is `"0"`.
    case quantity
    /// A message whose field 1 holds JSON bytes (`metav1.FieldsV1`, `runtime.RawExtension`) → that JSON.
    case rawJSON
    /// A message wrapping `repeated string items = 1` that Go declares as `[]string`
    /// (`authorization/v1.ExtraValue`) → JSON array of strings.
    case stringList
    /// `repeated` of the element kind → JSON array; packed scalars are accepted too.
    case list(ProtobufFieldKind)
    /// `map<string, V>` (entries {1: key, 2: value}) → JSON object.
    case map(ProtobufFieldKind)
}

/// When a decoded field appears in the JSON, mirroring Go's `encoding/json` with the struct's tags.
enum ProtobufFieldPresence: Sendable, Equatable {
    /// A non-pointer field tagged `omitempty`: a zero scalar (`""`, `0`, `false`) is left out.
    case omitEmpty
    /// A non-pointer field without `omitempty`, or a non-pointer struct: always written; the Go
    /// zero value stands in when the wire does not carry it (structs decode as `{}` plus their
    /// own always-written fields).
    case always
    /// A pointer field (`*int32`, `*bool`, `*PodSecurityContext`): written exactly when the wire
    /// carries it, zero values included (`replicas: 0`, `automountServiceAccountToken: false`).
    case pointer
}

/// One field of a protobuf message table.
struct ProtobufField: Sendable, Equatable {
    /// The protobuf field number, from k8s.io/api's generated.proto.
    let number: Int
    /// The JSON member name, from the Go struct's `json` tag (for inline fields, the proto name).
    let jsonName: String
    let kind: ProtobufFieldKind
    /// Ignored for lists, maps and inline fields: empty lists and maps are always left out.
    let presence: ProtobufFieldPresence

    init(_ number: Int, _ jsonName: String, _ kind: ProtobufFieldKind, _ presence: ProtobufFieldPresence = .omitEmpty) {
        self.number = number
        self.jsonName = jsonName
        self.kind = kind
        self.presence = presence
    }
}

/// The table for one protobuf message type: field number → JSON name, kind and presence.
struct ProtobufMessageSchema: Sendable {
    /// The table's name: the proto package without `k8s.io.api.` / `k8s.io.apimachinery.pkg.apis.`,
    /// then the message (`core.v1.PodSpec`, `meta.v1.ObjectMeta`).
    let name: String
    /// The fields in Go struct order.
    let fields: [ProtobufField]
    private let fieldsByNumber: [Int: ProtobufField]

    init(_ name: String, _ fields: [ProtobufField]) {
        self.name = name
        self.fields = fields
        self.fieldsByNumber = Dictionary(fields.map { ($0.number, $0) }, uniquingKeysWith: { first, _ in first })
    }

    /// The field with this number, or nil for a field this table does not know (skipped when decoding).
    func field(_ number: Int) -> ProtobufField? { fieldsByNumber[number] }
}
