import KubeAPI

/// What a handler answers: a complete body, or a stream of watch events.
enum EmulatorResponse: Sendable {
    case body(status: Int, contentType: String, headers: [(String, String)], bytes: [UInt8])
    /// A streamed body: `produce` sends chunks (each flushed at once) until it returns or is
    /// cancelled because the client went away.
    case stream(status: Int, contentType: String, headers: [(String, String)], produce: ChunkProducer)

    typealias ChunkProducer = @Sendable (_ send: @escaping @Sendable ([UInt8]) async throws -> Void) async throws -> Void

    /// A JSON body.
    static func json(_ value: JSONValue, status: Int = 200, headers: [(String, String)] = []) -> EmulatorResponse {
        .body(status: status, contentType: "application/json", headers: headers, bytes: value.serialized())
    }

    /// A Status failure (with `Retry-After` when the status carries one).
    static func status(_ status: KubeStatus) -> EmulatorResponse {
        var headers: [(String, String)] = []
        if let retry = status.retryAfterSeconds { headers.append(("Retry-After", String(retry))) }
        return .json(status.json, status: status.code, headers: headers)
    }

    static func text(_ text: String, status: Int = 200) -> EmulatorResponse {
        .body(status: status, contentType: "text/plain; charset=utf-8", headers: [], bytes: Array(text.utf8))
    }

    var statusCode: Int {
        switch self {
        case .body(let status, _, _, _), .stream(let status, _, _, _): return status
        }
    }

    /// Adds a header.
    func adding(header name: String, _ value: String) -> EmulatorResponse {
        switch self {
        case .body(let status, let contentType, let headers, let bytes):
            return .body(status: status, contentType: contentType, headers: headers + [(name, value)], bytes: bytes)
        case .stream(let status, let contentType, let headers, let produce):
            return .stream(status: status, contentType: contentType, headers: headers + [(name, value)], produce: produce)
        }
    }
}
