/// A `metav1.Status` failure: what the API server returns for every error, and what
/// clients decode into errors.
public struct KubeStatus: Error, Sendable, Equatable, CustomStringConvertible {
    /// One cause of a failure (`details.causes[]`).
    public struct Cause: Sendable, Equatable {
        public var reason: String
        public var message: String
        public var field: String?

        public init(reason: String, message: String, field: String? = nil) {
            self.reason = reason
            self.message = message
            self.field = field
        }
    }

    /// The HTTP status code.
    public var code: Int
    /// The machine-readable reason (`NotFound`, `Conflict`, …).
    public var reason: String
    /// A human-readable message.
    public var message: String
    /// `details.name`.
    public var name: String?
    /// `details.group`.
    public var group: String?
    /// `details.kind`.
    public var kind: String?
    /// `details.uid`.
    public var uid: String?
    /// `details.causes`.
    public var causes: [Cause]
    /// `details.retryAfterSeconds`, also sent as the `Retry-After` header.
    public var retryAfterSeconds: Int?

    public init(
        code: Int, reason: String, message: String, name: String? = nil, group: String? = nil, kind: String? = nil,
        uid: String? = nil, causes: [Cause] = [], retryAfterSeconds: Int? = nil
    ) {
        self.code = code
        self.reason = reason
        self.message = message
        self.name = name
        self.group = group
        self.kind = kind
        self.uid = uid
        self.causes = causes
        self.retryAfterSeconds = retryAfterSeconds
    }

    public var description: String { "\(reason) (\(code)): \(message)" }

    /// The Status object as the API server serializes it.
    public var json: JSONValue {
        var details: [String: JSONValue] = [:]
        if let name { details["name"] = .string(name) }
        if let group { details["group"] = .string(group) }
        if let kind { details["kind"] = .string(kind) }
        if let uid { details["uid"] = .string(uid) }
        if let retryAfterSeconds { details["retryAfterSeconds"] = .int(Int64(retryAfterSeconds)) }
        if !causes.isEmpty {
            details["causes"] = .array(causes.map { cause in
                var member: [String: JSONValue] = ["reason": .string(cause.reason), "message": .string(cause.message)]
                if let field = cause.field { member["field"] = .string(field) }
                return .object(member)
            })
        }
        var status: JSONValue = [
            "kind": "Status", "apiVersion": "v1", "metadata": .emptyObject, "status": "Failure",
            "message": .string(message), "code": .int(Int64(code)),
        ]
        if !reason.isEmpty { status["reason"] = .string(reason) }
        if !details.isEmpty { status["details"] = .object(details) }
        return status
    }

    /// Decodes a Status object; nil when `json` is not one.
    public init?(json: JSONValue) {
        guard json["kind"]?.stringValue == "Status" else { return nil }
        let details = json["details"]
        self.init(
            code: Int(json["code"]?.intValue ?? 0),
            reason: json["reason"]?.stringValue ?? "",
            message: json["message"]?.stringValue ?? "",
            name: details?["name"]?.stringValue,
            group: details?["group"]?.stringValue,
            kind: details?["kind"]?.stringValue,
            uid: details?["uid"]?.stringValue,
            causes: (details?["causes"]?.arrayValue ?? []).map {
                Cause(reason: $0["reason"]?.stringValue ?? "", message: $0["message"]?.stringValue ?? "", field: $0["field"]?.stringValue)
            },
            retryAfterSeconds: details?["retryAfterSeconds"]?.intValue.map { Int($0) }
        )
    }
}

// MARK: - Predicates

extension KubeStatus {
    public var isNotFound: Bool { reason == "NotFound" || (reason.isEmpty && code == 404) }
    public var isAlreadyExists: Bool { reason == "AlreadyExists" }
    public var isConflict: Bool { reason == "Conflict" || (reason.isEmpty && code == 409) }
    /// 410: a resource version too old for the watch cache (`Expired` or `Gone`).
    public var isGone: Bool { reason == "Expired" || reason == "Gone" || code == 410 }
    public var isInvalid: Bool { reason == "Invalid" || code == 422 }
    public var isTooManyRequests: Bool { reason == "TooManyRequests" || code == 429 }
    public var isUnauthorized: Bool { reason == "Unauthorized" || code == 401 }
    public var isForbidden: Bool { reason == "Forbidden" || code == 403 }
    public var isBadRequest: Bool { reason == "BadRequest" || code == 400 }
    public var isServerError: Bool { code >= 500 }
}

// MARK: - The API server's standard errors

extension KubeStatus {
    /// `<resource>.<group> "<name>" not found`.
    public static func notFound(resource: String, group: String, name: String) -> KubeStatus {
        KubeStatus(
            code: 404, reason: "NotFound", message: "\(qualified(resource, group)) \"\(name)\" not found",
            name: name, group: group, kind: resource)
    }

    /// `<resource>.<group> "<name>" already exists`.
    public static func alreadyExists(resource: String, group: String, name: String) -> KubeStatus {
        KubeStatus(
            code: 409, reason: "AlreadyExists", message: "\(qualified(resource, group)) \"\(name)\" already exists",
            name: name, group: group, kind: resource)
    }

    /// The optimistic-concurrency conflict of an update with a stale resourceVersion.
    public static func conflict(resource: String, group: String, name: String, reason detail: String) -> KubeStatus {
        KubeStatus(
            code: 409, reason: "Conflict",
            message: "Operation cannot be fulfilled on \(qualified(resource, group)) \"\(name)\": \(detail)",
            name: name, group: group, kind: resource)
    }

    /// The stale-resourceVersion detail of `conflict`.
    public static let modifiedDetail = "the object has been modified; please apply your changes to the latest version and try again"

    /// `<Kind>.<group> "<name>" is invalid: <causes>`.
    public static func invalid(kind: String, group: String, name: String, causes: [Cause]) -> KubeStatus {
        let rendered = causes.map { cause in cause.field.map { "\($0): \(cause.message)" } ?? cause.message }
        let summary = rendered.count == 1 ? rendered[0] : "[\(rendered.joined(separator: ", "))]"
        return KubeStatus(
            code: 422, reason: "Invalid", message: "\(qualified(kind, group)) \"\(name)\" is invalid: \(summary)",
            name: name, group: group, kind: kind, causes: causes)
    }

    public static func badRequest(_ message: String) -> KubeStatus {
        KubeStatus(code: 400, reason: "BadRequest", message: message)
    }

    public static func expired(_ message: String) -> KubeStatus {
        KubeStatus(code: 410, reason: "Expired", message: message)
    }

    public static func unauthorized() -> KubeStatus {
        KubeStatus(code: 401, reason: "Unauthorized", message: "Unauthorized")
    }

    public static func forbidden(_ message: String) -> KubeStatus {
        KubeStatus(code: 403, reason: "Forbidden", message: message)
    }

    public static func methodNotAllowed(_ message: String = "the server does not allow this method on the requested resource") -> KubeStatus {
        KubeStatus(code: 405, reason: "MethodNotAllowed", message: message)
    }

    public static func unsupportedMediaType(_ contentType: String) -> KubeStatus {
        KubeStatus(code: 415, reason: "UnsupportedMediaType", message: "the body of the request was in an unknown format - accepted media types include: application/json-patch+json, application/merge-patch+json, application/apply-patch+yaml; got \(contentType)")
    }

    public static func requestEntityTooLarge(limit: Int) -> KubeStatus {
        KubeStatus(code: 413, reason: "RequestEntityTooLarge", message: "Request entity too large: limit is \(limit)")
    }

    public static func internalError(_ message: String) -> KubeStatus {
        KubeStatus(code: 500, reason: "InternalError", message: "Internal error occurred: \(message)")
    }

    static func qualified(_ resource: String, _ group: String) -> String {
        group.isEmpty ? resource : "\(resource).\(group)"
    }
}
