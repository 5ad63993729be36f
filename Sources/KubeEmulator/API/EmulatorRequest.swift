import Foundation
import KubeAPI

/// An HTTP request as the API layer sees it: already read whole and authenticated.
struct EmulatorRequest: Sendable {
    var method: String
    /// The path without the query, percent-decoded per segment.
    var pathSegments: [String]
    var path: String
    /// Query parameters (the first value of each name).
    var query: [String: String]
    /// The query as sent (still percent-encoded, without the `?`); empty without one.
    var rawQuery: String
    /// Header names lowercased.
    var headers: [String: String]
    var body: [UInt8]
    /// The authenticated user (`system:anonymous` without credentials).
    var user: UserInfo

    init(method: String, uri: String, headers: [(String, String)], body: [UInt8], user: UserInfo) {
        self.method = method
        let parts = uri.split(separator: "?", maxSplits: 1, omittingEmptySubsequences: false)
        path = String(parts[0])
        pathSegments = path.split(separator: "/").map { PercentEncoding.decode(String($0)) }
        var query: [String: String] = [:]
        rawQuery = parts.count > 1 ? String(parts[1]) : ""
        if parts.count > 1 {
            for pair in parts[1].split(separator: "&") {
                let kv = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
                let name = PercentEncoding.decode(String(kv[0]), plusAsSpace: true)
                if query[name] == nil {
                    query[name] = kv.count > 1 ? PercentEncoding.decode(String(kv[1]), plusAsSpace: true) : ""
                }
            }
        }
        self.query = query
        var lowered: [String: String] = [:]
        for (name, value) in headers {
            let key = name.lowercased()
            lowered[key] = lowered[key].map { "\($0),\(value)" } ?? value
        }
        self.headers = lowered
        self.body = body
        self.user = user
    }

    var userAgent: String { headers["user-agent"] ?? "" }
    var accept: String { headers["accept"] ?? "" }

    /// The media type of the body without parameters, lowercased; nil when absent.
    var contentType: String? {
        guard let value = headers["content-type"], !value.isEmpty else { return nil }
        return value.split(separator: ";").first.map { $0.trimmingCharacters(in: .whitespaces).lowercased() }
    }

    /// The body as an object: JSON, YAML (`application/yaml`, and apply patches that are not JSON)
    /// or Kubernetes protobuf.
    func decodedObject() throws(KubeStatus) -> JSONValue {
        let type = contentType ?? "application/json"
        let value: JSONValue
        switch type {
        case _ where type == "application/json" || (type == "application/apply-patch+yaml" && Self.looksLikeJSON(body)):
            do { value = try JSONValue(parsing: body, rejectDuplicateKeys: false) } catch {
                throw KubeStatus.badRequest("error decoding JSON: \(error)")
            }
        case "application/vnd.kubernetes.protobuf":
            do { value = try KubernetesProtobuf.decode(body) } catch {
                throw KubeStatus.badRequest("error decoding protobuf: \(error)")
            }
        case "application/yaml", "application/apply-patch+yaml":
            do { value = try JSONValue(yaml: String(decoding: body, as: UTF8.self)) } catch {
                throw KubeStatus.badRequest("error decoding YAML: \(error)")
            }
        default:
            throw KubeStatus(code: 415, reason: "UnsupportedMediaType", message: "the body of the request was in an unknown format - accepted media types include: application/json, application/yaml, application/vnd.kubernetes.protobuf")
        }
        guard value.objectValue != nil else { throw KubeStatus.badRequest("the body of the request must be a JSON object") }
        return value
    }

    static func looksLikeJSON(_ body: [UInt8]) -> Bool {
        body.first { ![0x20, 0x09, 0x0A, 0x0D].contains($0) } == UInt8(ascii: "{")
    }

    /// A boolean query parameter, read as Go's `strconv.ParseBool` does (`1`, `t`, `T`, `TRUE`, `true`, `True`).
    func flag(_ name: String) -> Bool {
        guard let value = query[name] else { return false }
        return ["1", "t", "T", "TRUE", "true", "True"].contains(value)
    }
}

/// Percent-decoding of URL components.
enum PercentEncoding {
    static func decode(_ text: String, plusAsSpace: Bool = false) -> String {
        guard text.contains("%") || (plusAsSpace && text.contains("+")) else { return text }
        var bytes: [UInt8] = []
        var iterator = Array(text.utf8).makeIterator()
        while let byte = iterator.next() {
            if byte == UInt8(ascii: "%"), let high = iterator.next(), let low = iterator.next(),
                let value = UInt8(String(decoding: [high, low], as: UTF8.self), radix: 16)
            {
                bytes.append(value)
            } else if plusAsSpace, byte == UInt8(ascii: "+") {
                bytes.append(UInt8(ascii: " "))
            } else {
                bytes.append(byte)
            }
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}
