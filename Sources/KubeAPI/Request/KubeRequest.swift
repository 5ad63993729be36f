/// One API request, built without I/O: method, path, query, body and the Kubernetes verb.
///
/// Transports add the host, authentication and the common headers (`Accept`, `User-Agent`).
public struct KubeRequest: Sendable, Hashable {
    /// One query parameter (order is kept: equal requests produce equal URLs).
    public struct QueryItem: Sendable, Hashable {
        /// The name.
        public var name: String
        /// The value (unescaped).
        public var value: String
        /// A parameter.
        public init(_ name: String, _ value: String) {
            self.name = name
            self.value = value
        }
    }

    /// The HTTP method (`GET`, `POST`, `PUT`, `PATCH`, `DELETE`).
    public var method: String
    /// The URL path (`/api/v1/namespaces/default/configmaps/x`).
    public var path: String
    /// The query parameters.
    public var query: [QueryItem]
    /// The body, if any.
    public var body: [UInt8]?
    /// The body's media type.
    public var contentType: String?
    /// The Kubernetes verb (`get`, `list`, `watch`, `create`, `update`, `patch`, `delete`,
    /// `deletecollection`), for metrics, logs and retry decisions.
    public var verb: String

    /// A request; see the properties.
    public init(method: String, path: String, query: [QueryItem] = [], body: [UInt8]? = nil, contentType: String? = nil, verb: String) {
        self.method = method
        self.path = path
        self.query = query
        self.body = body
        self.contentType = contentType
        self.verb = verb
    }

    /// The path and the percent-encoded query (`/api/v1/pods?limit=500`).
    public var pathAndQuery: String {
        guard !query.isEmpty else { return path }
        return path + "?" + query.map { "\(Self.escapeQuery($0.name))=\(Self.escapeQuery($0.value))" }.joined(separator: "&")
    }

    /// The value of a query parameter.
    public func queryValue(_ name: String) -> String? { query.first { $0.name == name }?.value }

    /// True for verbs safe to send twice (client-go retries 5xx only for these): get, list, watch,
    /// and update/delete, which carry their own preconditions. create and patch are not retried on 5xx.
    public var isIdempotent: Bool {
        switch verb {
        case "get", "list", "watch", "update", "delete", "deletecollection": return true
        default: return false
        }
    }

    static let unreserved: Set<UInt8> = Set(Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~".utf8))
    static let hex = Array("0123456789ABCDEF".utf8)

    static func percentEncode(_ text: String, keeping extra: Set<UInt8>) -> String {
        var bytes: [UInt8] = []
        for byte in text.utf8 {
            if unreserved.contains(byte) || extra.contains(byte) {
                bytes.append(byte)
            } else {
                bytes.append(UInt8(ascii: "%"))
                bytes.append(hex[Int(byte >> 4)])
                bytes.append(hex[Int(byte & 0x0F)])
            }
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// Percent-encodes a query name or value (everything but RFC 3986 unreserved characters).
    public static func escapeQuery(_ text: String) -> String { percentEncode(text, keeping: []) }

    /// Percent-encodes one path segment (keeps `:` and `@`, which Kubernetes names may contain).
    public static func escapePathSegment(_ text: String) -> String {
        percentEncode(text, keeping: Set(Array(":@!$&'()*+,;=".utf8)))
    }
}

/// Builds the requests of every verb for one resource in one namespace (or cluster-wide),
/// as kube-rs's `Request`. Pure: no I/O, so every URL is unit-testable.
public struct RequestBuilder: Sendable, Hashable {
    /// The resource.
    public let resource: ResourceDescriptor
    /// The namespace; nil for cluster-scoped resources and all-namespace list/watch.
    public let namespace: String?

    /// A builder; `namespace` is ignored for cluster-scoped resources.
    public init(_ resource: ResourceDescriptor, namespace: String? = nil) {
        self.resource = resource
        self.namespace = resource.namespaced ? namespace : nil
    }

    /// A request misses something the API needs.
    public struct Failure: Error, Sendable, Hashable, CustomStringConvertible {
        /// What is missing.
        public let description: String
    }

    private var collection: String { resource.collectionPath(namespace: namespace) }

    private func objectPath(_ name: String, _ subresource: String? = nil) throws(Failure) -> String {
        guard !name.isEmpty else { throw Failure(description: "\(resource): a name is required for this request") }
        if resource.namespaced, namespace == nil { throw Failure(description: "\(resource) \"\(name)\": a namespace is required (the resource is namespaced)") }
        return resource.objectPath(name: name, namespace: namespace, subresource: subresource)
    }

    /// `GET …/name`.
    public func get(_ name: String, subresource: String? = nil) throws(Failure) -> KubeRequest {
        KubeRequest(method: "GET", path: try objectPath(name, subresource), verb: "get")
    }

    /// `GET …/collection` with selectors and paging.
    public func list(_ parameters: ListParameters = ListParameters()) -> KubeRequest {
        KubeRequest(method: "GET", path: collection, query: parameters.queryItems, verb: "list")
    }

    /// `GET …/collection?watch=true` with resourceVersion, bookmarks and timeout.
    public func watch(_ parameters: WatchParameters = WatchParameters()) -> KubeRequest {
        KubeRequest(method: "GET", path: collection, query: parameters.queryItems, verb: "watch")
    }

    /// `POST …/collection`.
    public func create(_ object: JSONValue, _ parameters: WriteParameters = WriteParameters()) -> KubeRequest {
        KubeRequest(method: "POST", path: collection, query: parameters.queryItems(forApply: false), body: object.serialized(),
                    contentType: "application/json", verb: "create")
    }

    /// `PUT …/name[/subresource]`: a full replacement; the object's `metadata.resourceVersion`
    /// makes it conditional (409 Conflict when stale).
    public func replace(_ name: String, _ object: JSONValue, subresource: String? = nil, _ parameters: WriteParameters = WriteParameters()) throws(Failure) -> KubeRequest {
        KubeRequest(method: "PUT", path: try objectPath(name, subresource), query: parameters.queryItems(forApply: false),
                    body: object.serialized(), contentType: "application/json", verb: "update")
    }

    /// `PATCH …/name[/subresource]` of any patch type. Apply patches need `fieldManager`.
    public func patch(_ name: String, _ patch: Patch, subresource: String? = nil, _ parameters: WriteParameters = WriteParameters()) throws(Failure) -> KubeRequest {
        if patch.isApply, parameters.fieldManager == nil {
            throw Failure(description: "\(resource) \"\(name)\": server-side apply requires a fieldManager")
        }
        if parameters.force, !patch.isApply {
            throw Failure(description: "\(resource) \"\(name)\": force is only allowed for server-side apply patches")
        }
        return KubeRequest(method: "PATCH", path: try objectPath(name, subresource), query: parameters.queryItems(forApply: patch.isApply),
                           body: patch.body, contentType: patch.contentType, verb: "patch")
    }

    /// `DELETE …/name` with a `DeleteOptions` body (propagation, preconditions).
    public func delete(_ name: String, _ parameters: DeleteParameters = DeleteParameters()) throws(Failure) -> KubeRequest {
        KubeRequest(method: "DELETE", path: try objectPath(name), body: parameters.body.serialized(), contentType: "application/json", verb: "delete")
    }

    /// `DELETE …/collection` of the objects matching `list`'s selectors.
    public func deleteCollection(_ list: ListParameters = ListParameters(), _ parameters: DeleteParameters = DeleteParameters()) -> KubeRequest {
        KubeRequest(method: "DELETE", path: collection, query: list.queryItems, body: parameters.body.serialized(),
                    contentType: "application/json", verb: "deletecollection")
    }
}
