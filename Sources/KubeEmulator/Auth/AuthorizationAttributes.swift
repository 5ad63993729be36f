import KubeAPI

/// What a request asks to do, as kube-apiserver's RequestInfo and `authorizer.Attributes` describe
/// it: a resource request (verb, API group, resource, subresource, namespace, name) or a
/// non-resource request (lowercased HTTP method and path).
struct AuthorizationAttributes: Sendable, Equatable {
    var user: UserInfo
    var verb: String
    var isResourceRequest: Bool
    /// The request path (non-resource requests).
    var path: String = ""
    var apiGroup: String = ""
    var apiVersion: String = ""
    var resource: String = ""
    var subresource: String = ""
    var namespace: String = ""
    var name: String = ""

    /// A resource request.
    static func resource(_ user: UserInfo, verb: String, group: String, version: String = "*", resource: String,
                         subresource: String = "", namespace: String = "", name: String = "") -> AuthorizationAttributes {
        AuthorizationAttributes(user: user, verb: verb, isResourceRequest: true, apiGroup: group, apiVersion: version,
                                resource: resource, subresource: subresource, namespace: namespace, name: name)
    }

    /// A non-resource request.
    static func nonResource(_ user: UserInfo, verb: String, path: String) -> AuthorizationAttributes {
        AuthorizationAttributes(user: user, verb: verb, isResourceRequest: false, path: path)
    }

    /// `resource/subresource`, or `resource`.
    var combinedResource: String { subresource.isEmpty ? resource : "\(resource)/\(subresource)" }
}

extension AuthorizationAttributes {
    /// The attributes of an HTTP request, derived as kube-apiserver's RequestInfoFactory does:
    /// discovery, health, version and OpenAPI are non-resource; `GET` without a name is `list` or
    /// (`?watch`, or the `/watch/` prefix) `watch`, and then a `metadata.name=` field selector
    /// names the object; `DELETE` without a name is `deletecollection`; the namespace of
    /// `/api/v1/namespaces/NAME` is NAME itself.
    init(route: Route, request: EmulatorRequest, user: UserInfo) {
        guard case .resource(let target) = route else {
            self = .nonResource(user, verb: request.method.lowercased(), path: request.path)
            return
        }
        var verb: String
        switch request.method {
        case "POST": verb = "create"
        case "GET", "HEAD": verb = "get"
        case "PUT": verb = "update"
        case "PATCH": verb = "patch"
        case "DELETE": verb = "delete"
        default: verb = ""
        }
        if target.watchPrefix { verb = "watch" }
        var name = target.name ?? ""
        if name.isEmpty, verb == "get" {
            let watch = request.query["watch"].map { !["false", "0"].contains($0.lowercased()) } ?? false
            verb = watch ? "watch" : "list"
            if let selector = try? FieldSelector(parsing: request.query["fieldSelector"] ?? ""),
               let exact = selector.requirements.first(where: { $0.field == "metadata.name" && $0.equal }),
               Self.isValidPathSegment(exact.value)
            {
                name = exact.value
            }
        }
        if name.isEmpty, verb == "delete" { verb = "deletecollection" }
        var namespace = target.namespace ?? ""
        if target.group.isEmpty, target.plural == "namespaces", let named = target.name { namespace = named }
        self = .resource(user, verb: verb, group: target.group, version: target.version, resource: target.plural,
                         subresource: target.subresource ?? "", namespace: namespace, name: name)
    }

    /// apimachinery's `IsValidPathSegmentName`, plus non-empty.
    private static func isValidPathSegment(_ name: String) -> Bool {
        !name.isEmpty && name != "." && name != ".." && !name.contains("/") && !name.contains("%")
    }
}
