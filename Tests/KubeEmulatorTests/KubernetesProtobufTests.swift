import Foundation
import KubeAPI
import Testing

@testable import KubeEmulator
import TandemTestSupport

/// Pins down `KubernetesProtobuf.decode` against bodies captured from kubectl 1.32 and against
/// hand-built messages. Fixtures: `Fixtures/protobuf/README.md`.
@Suite struct KubernetesProtobufTests {
    static let fixtureNames = [
        "namespace", "secret", "secret-docker-registry", "configmap", "service-nodeport", "service-headless",
        "service-loadbalancer", "service-externalname", "serviceaccount", "deployment", "deployment-zero-replicas",
        "role", "clusterrole", "clusterrole-aggregation", "rolebinding", "clusterrolebinding", "pdb",
        "pdb-max-unavailable-percent", "priorityclass", "priorityclass-zero", "quota", "job", "cronjob", "ingress",
        "job-from-cronjob", "tokenrequest", "selfsubjectaccessreview",
    ]

    // MARK: Captured kubectl bodies

    @Test(arguments: fixtureNames)
    func decodesKubectlBodyAsItsDryRunJSON(_ name: String) throws {
        let decoded = try KubernetesProtobuf.decode(try ProtobufFixture.body(name))
        let expected = ProtobufFixture.droppingNulls(try ProtobufFixture.json(name))
        let difference = ProtobufFixture.firstDifference(decoded, expected)
        #expect(difference == nil, "\(name): \(difference ?? "")")
    }

    @Test func pointerFieldsKeepTheirZeroValues() throws {
        let idle = try KubernetesProtobuf.decode(try ProtobufFixture.body("deployment-zero-replicas"))
        #expect(idle[path: ["spec", "replicas"]] == .int(0))
        let job = try KubernetesProtobuf.decode(try ProtobufFixture.body("job-from-cronjob"))
        let pod = try #require(job[path: ["spec", "template", "spec"]])
        #expect(pod["automountServiceAccountToken"] == .bool(false))
        #expect(pod["terminationGracePeriodSeconds"] == .int(0))
        #expect(pod[path: ["securityContext", "runAsGroup"]] == .int(0))
        #expect(job[path: ["spec", "backoffLimit"]] == .int(0))
    }

    @Test func fieldsWithoutOmitemptyKeepZeroAndOmitemptyFieldsDropIt() throws {
        let priority = try KubernetesProtobuf.decode(try ProtobufFixture.body("priorityclass-zero"))
        #expect(priority["value"] == .int(0))
        #expect(priority["globalDefault"] == nil)
        let budget = try KubernetesProtobuf.decode(try ProtobufFixture.body("pdb"))
        #expect(budget["status"] == .object([
            "disruptionsAllowed": .int(0), "currentHealthy": .int(0), "desiredHealthy": .int(0), "expectedPods": .int(0),
        ]))
    }

    @Test func bytesBecomeBase64AndNonPointerStructsStayAsEmptyObjects() throws {
        let config = try KubernetesProtobuf.decode(try ProtobufFixture.body("configmap"))
        #expect(config[path: ["binaryData", "blob"]] == .string("AAH+/w=="))
        #expect(config[path: ["data", "empty"]] == .string(""))
        let job = try KubernetesProtobuf.decode(try ProtobufFixture.body("job-from-cronjob"))
        let volumes = try #require(job[path: ["spec", "template", "spec", "volumes"]]?.arrayValue)
        #expect(volumes.first == .object(["name": .string("cache"), "emptyDir": .emptyObject]))
        #expect(job[path: ["spec", "template", "spec", "containers"]]?[0]?["resources"]?["limits"]?["cpu"] == .string("500m"))
    }

    @Test func intOrStringKeepsItsType() throws {
        let service = try KubernetesProtobuf.decode(try ProtobufFixture.body("service-nodeport"))
        let ports = try #require(service[path: ["spec", "ports"]]?.arrayValue)
        #expect(ports.map { $0["targetPort"] } == [.int(8080), .string("https")])
        let budget = try KubernetesProtobuf.decode(try ProtobufFixture.body("pdb-max-unavailable-percent"))
        #expect(budget[path: ["spec", "maxUnavailable"]] == .string("50%"))
    }

    // MARK: Hand-built messages

    @Test func timesBecomeRFC3339AndZeroTimesAreLeftOut() throws {
        var raw = ProtobufTestMessage()
        raw.message(1) { meta in
            meta.string(1, "leader")
            meta.string(3, "kube-system")
            meta.message(8) { $0.int(1, 1_767_323_045) }
        }
        raw.message(2) { spec in
            spec.string(1, "node-a")
            spec.int(2, 15)
            spec.message(3) { time in
                time.int(1, 1_767_323_045)
                time.int(2, 123_456_789)
            }
            spec.message(4) { _ in }
            spec.int(5, 0)
        }
        let lease = try KubernetesProtobuf.decode(ProtobufTestMessage.body(apiVersion: "coordination.k8s.io/v1", kind: "Lease", raw: raw))
        #expect(lease == .object([
            "apiVersion": .string("coordination.k8s.io/v1"), "kind": .string("Lease"),
            "metadata": .object([
                "name": .string("leader"), "namespace": .string("kube-system"), "creationTimestamp": .string("2026-01-02T03:04:05Z"),
            ]),
            "spec": .object([
                "holderIdentity": .string("node-a"), "leaseDurationSeconds": .int(15),
                "acquireTime": .string("2026-01-02T03:04:05.123456Z"), "leaseTransitions": .int(0),
            ]),
        ]))
    }

    @Test func scaleKeepsRequiredStatusReplicasAndDropsOmitemptySpecReplicas() throws {
        var raw = ProtobufTestMessage()
        raw.message(1) { $0.string(1, "web") }
        raw.message(2) { $0.int(1, 0) }
        raw.message(3) { status in
            status.int(1, 0)
            status.string(2, "app=web")
        }
        let scale = try KubernetesProtobuf.decode(ProtobufTestMessage.body(apiVersion: "autoscaling/v1", kind: "Scale", raw: raw))
        #expect(scale["spec"] == .emptyObject)
        #expect(scale["status"] == .object(["replicas": .int(0), "selector": .string("app=web")]))
    }

    @Test func skipsUnknownFieldsAndReadsPackedAndNegativeIntegers() throws {
        var raw = ProtobufTestMessage()
        raw.message(1) { meta in
            meta.string(1, "p")
            meta.int(999, 7)
            meta.message(11) { entry in
                entry.string(1, "a")
                entry.string(2, "b")
            }
        }
        raw.message(2) { spec in
            spec.message(2) { container in
                container.string(1, "c")
                container.string(2, "busybox")
                container.message(6) { port in
                    port.string(1, "")
                    port.int(2, 0)
                    port.int(3, 80)
                }
            }
            spec.message(14) { $0.lengthDelimited(4, ProtobufTestMessage.varints([1, 2, 300])) }
            spec.int(25, -5)
            spec.lengthDelimited(9999, Array("junk".utf8))
            spec.fixed32(9998, 0xDEAD_BEEF)
            spec.fixed64(9997, 42)
        }
        let pod = try KubernetesProtobuf.decode(ProtobufTestMessage.body(apiVersion: "v1", kind: "Pod", raw: raw))
        #expect(pod == .object([
            "apiVersion": .string("v1"), "kind": .string("Pod"),
            "metadata": .object(["name": .string("p"), "labels": .object(["a": .string("b")])]),
            "spec": .object([
                "containers": .array([.object([
                    "name": .string("c"), "image": .string("busybox"),
                    "ports": .array([.object(["containerPort": .int(80)])]), "resources": .emptyObject,
                ])]),
                "securityContext": .object(["supplementalGroups": .array([.int(1), .int(2), .int(300)])]),
                "priority": .int(-5),
            ]),
            "status": .emptyObject,
        ]))
    }

    @Test func repeatedSingularMessagesMergeAndMapsOfTimesKeepNull() throws {
        var raw = ProtobufTestMessage()
        raw.message(1) { $0.string(1, "web-pdb") }
        raw.message(1) { meta in meta.message(11) { entry in entry.string(1, "app"); entry.string(2, "web") } }
        raw.message(3) { status in
            status.message(2) { entry in
                entry.string(1, "pod-a")
                entry.message(2) { $0.int(1, 0) }
            }
            status.message(2) { entry in
                entry.string(1, "pod-b")
                entry.message(2) { _ in }
            }
        }
        let budget = try KubernetesProtobuf.decode(
            ProtobufTestMessage.body(apiVersion: "policy/v1", kind: "PodDisruptionBudget", raw: raw))
        #expect(budget["metadata"] == .object(["name": .string("web-pdb"), "labels": .object(["app": .string("web")])]))
        #expect(budget[path: ["status", "disruptedPods"]] == .object(["pod-a": .string("1970-01-01T00:00:00Z"), "pod-b": .null]))
    }

    @Test func timestampsFormatLikeGo() {
        #expect(ProtobufTimestamp.format(seconds: 0, nanos: 0, micro: false) == "1970-01-01T00:00:00Z")
        #expect(ProtobufTimestamp.format(seconds: -1, nanos: 0, micro: false) == "1969-12-31T23:59:59Z")
        #expect(ProtobufTimestamp.format(seconds: 951_825_600, nanos: 0, micro: false) == "2000-02-29T12:00:00Z")
        #expect(ProtobufTimestamp.format(seconds: 253_402_300_799, nanos: 999_999_999, micro: true) == "9999-12-31T23:59:59.999999Z")
        #expect(ProtobufTimestamp.format(seconds: ProtobufTimestamp.goZeroSeconds, nanos: 0, micro: false) == nil)
        #expect(ProtobufTimestamp.format(seconds: .min, nanos: 0, micro: true)?.hasPrefix("-") == true)
        #expect(ProtobufTimestamp.format(seconds: .max, nanos: 999_999_999, micro: true)?.hasSuffix(":07.999999Z") == true)
        let carried = ProtobufTimestamp.normalize(seconds: 10, nanos: -1)
        #expect(carried?.seconds == 9 && carried?.nanos == 999_999_999)
        #expect(ProtobufTimestamp.normalize(seconds: .max, nanos: 1_000_000_000) == nil)
    }

    // MARK: Errors

    @Test func rejectsBodiesWithoutTheMagicNamingWhatTheyStartWith() {
        let error = #expect(throws: ProtobufDecodingError.self) { try KubernetesProtobuf.decode(Array(#"{"kind":"Namespace"}"#.utf8)) }
        #expect(error == .badMagic(prefix: [0x7B, 0x22, 0x6B, 0x69]))
        #expect(error?.description.contains("starts with [7b 22 6b 69]") == true)
    }

    @Test func reportsATruncatedVarintWithItsOffset() {
        let error = #expect(throws: ProtobufDecodingError.self) { try KubernetesProtobuf.decode(KubernetesProtobuf.magic + [0x0A, 0xFF]) }
        #expect(error == .truncated(offset: 5, expected: "a varint"))
        #expect(error?.description == "truncated protobuf body: it ends inside a varint that starts at offset 5")
    }

    @Test func namesAnUnknownKindAndTheSupportedOnes() {
        let body = ProtobufTestMessage.body(apiVersion: "example.com/v1", kind: "Widget", raw: ProtobufTestMessage())
        let error = #expect(throws: ProtobufDecodingError.self) { try KubernetesProtobuf.decode(body) }
        let message = error?.description ?? ""
        #expect(message.hasPrefix("unknown kind \"Widget\" in apiVersion \"example.com/v1\""))
        #expect(message.contains("apps/v1/Deployment") && message.contains("v1/Namespace"))
    }

    @Test func reportsAWrongWireTypeWithTheFieldPath() {
        var raw = ProtobufTestMessage()
        raw.message(2) { spec in spec.message(3) { template in template.int(1, 5) } }
        let body = ProtobufTestMessage.body(apiVersion: "apps/v1", kind: "Deployment", raw: raw)
        let error = #expect(throws: ProtobufDecodingError.self) { try KubernetesProtobuf.decode(body) }
        guard case .wrongWireType(let path, _, let expected, let found) = error else {
            Issue.record("expected wrongWireType, got \(String(describing: error))")
            return
        }
        #expect(path == "spec.template.metadata" && expected == "length-delimited" && found == "varint")
    }

    @Test func rejectsAnIntOrStringOfUnknownType() {
        var raw = ProtobufTestMessage()
        raw.message(2) { spec in spec.message(1) { $0.int(1, 2) } }
        let body = ProtobufTestMessage.body(apiVersion: "policy/v1", kind: "PodDisruptionBudget", raw: raw)
        let error = #expect(throws: ProtobufDecodingError.self) { try KubernetesProtobuf.decode(body) }
        #expect(error?.description.contains("spec.minAvailable") == true)
        #expect(error?.description.contains("IntOrString type 2") == true)
    }

    @Test func rejectsEncodedOrUntypedEnvelopes() {
        let gzipped = ProtobufTestMessage.body(apiVersion: "v1", kind: "Namespace", raw: ProtobufTestMessage(), contentEncoding: "gzip")
        #expect(throws: ProtobufDecodingError.unsupportedContentEncoding("gzip")) { try KubernetesProtobuf.decode(gzipped) }
        #expect(throws: ProtobufDecodingError.missingTypeMeta(apiVersion: "", kind: "")) {
            try KubernetesProtobuf.decode(KubernetesProtobuf.magic)
        }
    }

    // MARK: Robustness

    @Test func randomBytesNeverCrashAndAlwaysThrow() {
        var random = SplitMix(seed: 0x6B38_7300)
        for round in 0..<3000 {
            let count = Int(random.next() % 64)
            var bytes = (0..<count).map { _ in UInt8(truncatingIfNeeded: random.next()) }
            if round % 2 == 0 { bytes = KubernetesProtobuf.magic + bytes }
            #expect(throws: ProtobufDecodingError.self, "round \(round): \(bytes)") { try KubernetesProtobuf.decode(bytes) }
        }
    }

    @Test(arguments: fixtureNames)
    func everyTruncationThrowsUnlessItEndsOnAnEnvelopeField(_ name: String) throws {
        let body = try ProtobufFixture.body(name)
        let boundaries = ProtobufFixture.envelopeFieldBoundaries(body)
        for length in 0..<body.count where !boundaries.contains(length) {
            #expect(throws: ProtobufDecodingError.self, "\(name) cut at \(length)") {
                try KubernetesProtobuf.decode(Array(body.prefix(length)))
            }
        }
    }

    @Test func randomMessagesInsideAKnownKindNeverCrash() throws {
        var random = SplitMix(seed: 42)
        let fixtures = try Self.fixtureNames.map { try ProtobufFixture.body($0) }
        for round in 0..<4000 {
            var bytes = fixtures[round % fixtures.count]
            for _ in 0...(random.next() % 3) {
                let index = 4 + Int(random.next() % UInt64(bytes.count - 4))
                bytes[index] = UInt8(truncatingIfNeeded: random.next())
            }
            _ = try? KubernetesProtobuf.decode(bytes)
            var raw = ProtobufTestMessage()
            raw.randomFields(&random, depth: 0)
            _ = try? KubernetesProtobuf.decode(ProtobufTestMessage.body(apiVersion: "apps/v1", kind: "Deployment", raw: raw))
        }
    }

    // MARK: Tables

    @Test func everyTableReferenceResolves() {
        let tables = KubernetesProtobufSchemas.messages
        for name in KubernetesProtobufSchemas.kinds.values { #expect(tables[name] != nil, "kind table \(name)") }
        for table in tables.values {
            for field in table.fields {
                var kind = field.kind
                while case .list(let element) = kind { kind = element }
                while case .map(let value) = kind { kind = value }
                switch kind {
                case .message(let name), .inline(let name): #expect(tables[name] != nil, "\(table.name).\(field.jsonName) → \(name)")
                default: break
                }
            }
        }
        #expect(tables.count == 247)
    }

    @Test func tablesHaveUniqueFieldNumbersAndJSONNames() {
        for table in KubernetesProtobufSchemas.messages.values {
            #expect(Set(table.fields.map(\.number)).count == table.fields.count, "\(table.name) numbers")
            #expect(Set(table.fields.map(\.jsonName)).count == table.fields.count, "\(table.name) names")
        }
    }
}

// MARK: - Helpers

/// Reads `Fixtures/protobuf` and compares decoded objects with Go's JSON.
private enum ProtobufFixture {
    static let directory: String = {
        var path = #filePath
        while let last = path.last, last != "/" { path.removeLast() }
        return path + "Fixtures/protobuf/"
    }()

    static func body(_ name: String) throws -> [UInt8] {
        Array(try Data(contentsOf: URL(fileURLWithPath: directory + name + ".pb")))
    }

    static func json(_ name: String) throws -> JSONValue {
        try JSONValue(parsing: Array(try Data(contentsOf: URL(fileURLWithPath: directory + name + ".json"))))
    }

    /// The normalization between Go's JSON and the decoder's: Go writes `null` for nil pointers,
    /// nil slices without `omitempty` and zero `metav1.Time` (`creationTimestamp: null`); the decoder
    /// leaves those members out. Empty objects (`status: {}`) are NOT normalized: both sides write them.
    static func droppingNulls(_ value: JSONValue) -> JSONValue {
        switch value {
        case .object(let members): .object(members.filter { !$0.value.isNull }.mapValues(droppingNulls))
        case .array(let elements): .array(elements.map(droppingNulls))
        default: value
        }
    }

    /// The path and values of the first difference, or nil when equal.
    static func firstDifference(_ actual: JSONValue, _ expected: JSONValue, path: String = "") -> String? {
        switch (actual, expected) {
        case (.object(let a), .object(let e)):
            for key in Set(a.keys).union(e.keys).sorted() {
                guard let left = a[key] else { return "\(path).\(key): missing, expected \(e[key]!.jsonString)" }
                guard let right = e[key] else { return "\(path).\(key): unexpected \(left.jsonString)" }
                if let difference = firstDifference(left, right, path: "\(path).\(key)") { return difference }
            }
            return nil
        case (.array(let a), .array(let e)) where a.count == e.count:
            for (index, pair) in zip(a, e).enumerated() {
                if let difference = firstDifference(pair.0, pair.1, path: "\(path)[\(index)]") { return difference }
            }
            return nil
        default:
            return actual == expected ? nil : "\(path): got \(actual.jsonString), expected \(expected.jsonString)"
        }
    }

    /// The offsets where a field of the top-level `runtime.Unknown` ends: cutting a body there
    /// leaves valid protobuf (kubectl writes only length-delimited envelope fields).
    static func envelopeFieldBoundaries(_ body: [UInt8]) -> Set<Int> {
        var boundaries: Set<Int> = [4]
        var position = 4
        func varint() -> Int {
            var result = 0
            var shift = 0
            while position < body.count {
                let byte = body[position]
                position += 1
                result |= Int(byte & 0x7F) << shift
                if byte < 0x80 { break }
                shift += 7
            }
            return result
        }
        while position < body.count {
            _ = varint()
            position += varint()
            boundaries.insert(position)
        }
        return boundaries
    }
}

/// Writes protobuf messages field by field, for hand-built test bodies.
private struct ProtobufTestMessage {
    var bytes: [UInt8] = []

    mutating func int(_ field: Int, _ value: Int64) {
        key(field, 0)
        bytes += Self.varint(UInt64(bitPattern: value))
    }

    mutating func string(_ field: Int, _ text: String) { lengthDelimited(field, Array(text.utf8)) }

    mutating func message(_ field: Int, _ build: (inout ProtobufTestMessage) -> Void) {
        var inner = ProtobufTestMessage()
        build(&inner)
        lengthDelimited(field, inner.bytes)
    }

    mutating func lengthDelimited(_ field: Int, _ payload: [UInt8]) {
        key(field, 2)
        bytes += Self.varint(UInt64(payload.count)) + payload
    }

    mutating func fixed32(_ field: Int, _ value: UInt32) {
        key(field, 5)
        bytes += (0..<4).map { UInt8(truncatingIfNeeded: value >> (8 * $0)) }
    }

    mutating func fixed64(_ field: Int, _ value: UInt64) {
        key(field, 1)
        bytes += (0..<8).map { UInt8(truncatingIfNeeded: value >> (8 * $0)) }
    }

    /// Random fields with small numbers (so they often hit known ones) and every wire type.
    mutating func randomFields(_ random: inout SplitMix, depth: Int) {
        for _ in 0..<(random.next() % 6) {
            let field = Int(1 + random.next() % 12)
            switch random.next() % 5 {
            case 0: int(field, Int64(bitPattern: random.next()))
            case 1: fixed64(field, random.next())
            case 2: fixed32(field, UInt32(truncatingIfNeeded: random.next()))
            case 3 where depth < 4: message(field) { $0.randomFields(&random, depth: depth + 1) }
            default: string(field, String(random.next() % 1000))
            }
        }
    }

    private mutating func key(_ field: Int, _ wireType: UInt64) { bytes += Self.varint(UInt64(field) << 3 | wireType) }

    static func varint(_ value: UInt64) -> [UInt8] {
        var value = value
        var out: [UInt8] = []
        while value >= 0x80 {
            out.append(UInt8(value & 0x7F) | 0x80)
            value >>= 7
        }
        return out + [UInt8(value)]
    }

    /// A packed run of varints.
    static func varints(_ values: [UInt64]) -> [UInt8] { values.flatMap(varint) }

    /// A whole request body: magic plus `runtime.Unknown` around `raw`.
    static func body(apiVersion: String, kind: String, raw: ProtobufTestMessage, contentEncoding: String = "") -> [UInt8] {
        var envelope = ProtobufTestMessage()
        envelope.message(1) { typeMeta in
            typeMeta.string(1, apiVersion)
            typeMeta.string(2, kind)
        }
        envelope.lengthDelimited(2, raw.bytes)
        envelope.string(3, contentEncoding)
        envelope.string(4, "")
        return KubernetesProtobuf.magic + envelope.bytes
    }
}
