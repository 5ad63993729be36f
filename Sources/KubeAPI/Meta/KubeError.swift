/// The error type of failed API requests: a decoded `metav1.Status`.
///
/// `KubeStatus` already carries code, reason, message, details, causes and Retry-After, and its
/// predicates (`isNotFound`, `isConflict`, `isGone`, `isServerError`, …); this name is the one
/// client code reads.
public typealias KubeError = KubeStatus

extension KubeStatus {
    /// The Status for an HTTP failure: the body when it is a Status object (as the API server
    /// sends), otherwise one synthesized from the code, as client-go's `newUnstructuredResponseError`
    /// does. A `Retry-After` header (seconds) fills `retryAfterSeconds` when the body has none.
    public init(httpStatus: Int, body: [UInt8], retryAfterHeader: String? = nil) {
        let headerSeconds = retryAfterHeader.flatMap { Int($0.trimmingSpaces) }
        if let json = try? JSONValue(parsing: body), var status = KubeStatus(json: json) {
            if status.code == 0 { status.code = httpStatus }
            if status.retryAfterSeconds == nil { status.retryAfterSeconds = headerSeconds }
            self = status
            return
        }
        let reason = Self.reason(forHTTPStatus: httpStatus)
        var message = "the server responded with the status code \(httpStatus)"
        let text = String(decoding: body.prefix(512), as: UTF8.self).trimmingSpaces
        if !text.isEmpty { message += ": \(text)" }
        self.init(code: httpStatus, reason: reason, message: message, retryAfterSeconds: headerSeconds)
    }

    /// The `StatusReason` the API server uses for an HTTP status code (client-go's `reasonForError`).
    public static func reason(forHTTPStatus code: Int) -> String {
        switch code {
        case 400: return "BadRequest"
        case 401: return "Unauthorized"
        case 403: return "Forbidden"
        case 404: return "NotFound"
        case 405: return "MethodNotAllowed"
        case 406: return "NotAcceptable"
        case 409: return "Conflict"
        case 410: return "Gone"
        case 413: return "RequestEntityTooLarge"
        case 415: return "UnsupportedMediaType"
        case 422: return "Invalid"
        case 429: return "TooManyRequests"
        case 500: return "InternalError"
        case 503: return "ServiceUnavailable"
        case 504: return "Timeout"
        default: return ""
        }
    }

    /// `isGone` under client-go's name (`IsResourceExpired`/`IsGone`): relist and watch again.
    public var isExpired: Bool { isGone }

    /// 504 or reason `Timeout`/`ServerTimeout`: the server gave up; the request may be retried.
    public var isTimeout: Bool { code == 504 || reason == "Timeout" || reason == "ServerTimeout" }

    /// The delay the server asked for, if any.
    public var retryAfter: Duration? { retryAfterSeconds.map { .seconds($0) } }
}
