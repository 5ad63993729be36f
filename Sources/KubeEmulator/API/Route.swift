/// Where a request path leads, before any resource is looked up.
enum Route: Equatable, Sendable {
    case version
    case health(String)
    case coreAPIVersions
    case groupList
    case group(String)
    case groupVersion(group: String, version: String)
    case openAPIV3Index
    case openAPIV3Document(group: String, version: String)
    case openAPIV2
    case resource(ResourcePath)
    case admin([String])
    case notFound

    /// A path naming a resource collection, object or subresource.
    struct ResourcePath: Equatable, Sendable {
        var group: String
        var version: String
        var plural: String
        var namespace: String?
        var name: String?
        var subresource: String?
        /// The legacy `/watch/` path prefix.
        var watchPrefix: Bool = false
        /// The segments after a `proxy` subresource (`pods/NAME/proxy/a/b` → `["a", "b"]`);
        /// empty for every other path.
        var subpath: [String] = []
    }

    /// Parses the path segments of a request.
    static func parse(_ segments: [String]) -> Route {
        guard let first = segments.first else { return .notFound }
        switch first {
        case "version": return segments.count == 1 ? .version : .notFound
        case "healthz", "readyz", "livez": return .health(first)
        case "openapi":
            if segments == ["openapi", "v2"] { return .openAPIV2 }
            if segments == ["openapi", "v3"] { return .openAPIV3Index }
            if segments.count == 4, segments[1] == "v3", segments[2] == "api" { return .openAPIV3Document(group: "", version: segments[3]) }
            if segments.count == 5, segments[1] == "v3", segments[2] == "apis" { return .openAPIV3Document(group: segments[3], version: segments[4]) }
            return .notFound
        case "_emulator": return .admin(Array(segments.dropFirst()))
        case "api":
            if segments.count == 1 { return .coreAPIVersions }
            if segments.count == 2 { return .groupVersion(group: "", version: segments[1]) }
            return resource(group: "", version: segments[1], rest: Array(segments.dropFirst(2)))
        case "apis":
            if segments.count == 1 { return .groupList }
            if segments.count == 2 { return .group(segments[1]) }
            if segments.count == 3 { return .groupVersion(group: segments[1], version: segments[2]) }
            return resource(group: segments[1], version: segments[2], rest: Array(segments.dropFirst(3)))
        default:
            return .notFound
        }
    }

    private static func resource(group: String, version: String, rest: [String]) -> Route {
        var rest = rest
        var watchPrefix = false
        if rest.first == "watch" {
            watchPrefix = true
            rest.removeFirst()
        }
        func path(_ plural: String, namespace: String?, _ tail: ArraySlice<String>) -> Route {
            let subresource = tail.dropFirst().first
            guard tail.count <= 2 || (subresource == "proxy" && !watchPrefix) else { return .notFound }
            return .resource(ResourcePath(
                group: group, version: version, plural: plural, namespace: namespace,
                name: tail.first, subresource: subresource, watchPrefix: watchPrefix, subpath: Array(tail.dropFirst(2))))
        }
        guard let first = rest.first else { return .notFound }
        if first == "namespaces", rest.count >= 2 {
            let namespace = rest[1]
            // /api/v1/namespaces/{name}[/status|/finalize] is the Namespace object itself.
            if group.isEmpty, rest.count == 2 || (rest.count == 3 && ["status", "finalize"].contains(rest[2])) {
                return path("namespaces", namespace: nil, rest[1...])
            }
            guard rest.count >= 3 else { return .notFound }
            return path(rest[2], namespace: namespace, rest[3...])
        }
        return path(first, namespace: nil, rest[1...])
    }
}
