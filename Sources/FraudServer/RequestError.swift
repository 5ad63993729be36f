import HTTPTypes

/// Why a request was refused; always answered as `{"error": "…"}` with ``status``.
///
/// Bad input never yields a 5xx: malformed JSON is 400, a body of the wrong shape or
/// type 422, too many rows or bytes 413, a wrong content type 415.
public struct RequestError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The HTTP status to answer with.
    public var status: HTTPResponse.Status
    /// A message that tells the client what to fix.
    public var message: String

    public init(_ status: HTTPResponse.Status, _ message: String) {
        self.status = status
        self.message = message
    }

    public var description: String { "\(status.code) \(message)" }

    static func malformed(_ detail: String) -> RequestError {
        RequestError(.badRequest, "malformed JSON: \(detail)")
    }

    static func tooLarge(limit: Int) -> RequestError {
        RequestError(.contentTooLarge, "request body exceeds \(limit) bytes (MAX_BODY_BYTES)")
    }

    static func tooManyRows(_ count: Int, limit: Int) -> RequestError {
        RequestError(.contentTooLarge, "batch has more than \(limit) rows (MAX_BATCH_ROWS); got at least \(count)")
    }

    static func unprocessable(_ message: String) -> RequestError {
        RequestError(.unprocessableContent, message)
    }
}
