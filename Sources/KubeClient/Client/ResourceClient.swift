import KubeAPI

/// The verbs of one resource in one namespace (or cluster-wide), with objects decoded as `Object`.
///
/// Writes set `fieldManager` to the client's default when the parameters name none. Every failure
/// the API server reports is thrown as a `KubeError` (`isNotFound`, `isConflict`, `isGone`, …).
public struct ResourceClient<Object: KubeObjectConvertible>: Sendable {
    let client: KubeClient
    /// The request builder (resource and namespace).
    public let builder: RequestBuilder

    /// The resource.
    public var resource: ResourceDescriptor { builder.resource }
    /// The namespace, nil when cluster-wide.
    public var namespace: String? { builder.namespace }

    // MARK: Reads

    /// The object `name`.
    public func get(_ name: String) async throws -> Object {
        try await object(try builder.get(name))
    }

    /// The object `name`, or nil when it does not exist.
    public func getIfExists(_ name: String) async throws -> Object? {
        do { return try await get(name) } catch let error as KubeError where error.isNotFound { return nil }
    }

    /// One list request (one page when `parameters.limit` is set).
    public func list(_ parameters: ListParameters = ListParameters()) async throws -> ObjectList<Object> {
        let request = builder.list(parameters)
        let json = try await client.send(request)
        do { return try ObjectList<Object>(json: json) } catch {
            throw KubeClientError.decoding(verb: "list", path: request.path, reason: "\(error)")
        }
    }

    /// Every object, read in pages of `pageSize` (default 500, as client-go's pager) following
    /// `continue` tokens. The result's resourceVersion is the consistent snapshot the pages were
    /// read at: start a watch from it.
    public func listAll(_ parameters: ListParameters = ListParameters(), pageSize: Int = ListParameters.defaultPageSize) async throws -> ObjectList<Object> {
        var parameters = parameters
        parameters.limit = pageSize
        parameters.continueToken = nil
        var result = try await list(parameters)
        var token = result.continueToken
        var pages = 1
        while let next = token {
            pages += 1
            parameters.continueToken = next
            let page = try await list(parameters)
            result.items.append(contentsOf: page.items)
            token = page.continueToken
            if pages > 1_000_000 { break }
        }
        result.metadata.continue = nil
        result.metadata.remainingItemCount = nil
        return result
    }

    /// One watch connection (see `WatchStream`): events until the server closes it.
    public func watch(_ parameters: WatchParameters = WatchParameters()) -> WatchStream<Object> {
        WatchStream(transport: client.transport, request: builder.watch(parameters), idleTimeout: idleTimeout(parameters))
    }

    /// A watch that reconnects from the last resourceVersion seen (see `ResumingWatch`).
    public func watchResuming(_ parameters: WatchParameters = WatchParameters()) -> ResumingWatch<Object> {
        ResumingWatch(transport: client.transport, builder: builder, parameters: parameters, idleTimeout: idleTimeout(parameters))
    }

    private func idleTimeout(_ parameters: WatchParameters) -> Duration {
        .seconds(parameters.timeoutSeconds) + client.configuration.watchIdleMargin
    }

    // MARK: Writes

    /// Creates `object` (its namespace is this client's).
    public func create(_ object: Object, _ parameters: WriteParameters = WriteParameters()) async throws -> Object {
        try await self.object(builder.create(try object.kubeJSON(), withManager(parameters)))
    }

    /// Replaces the object named in `object.metadata.name` (PUT). Its `metadata.resourceVersion`
    /// makes the write conditional: a stale one fails with `isConflict`.
    public func replace(_ object: Object, _ parameters: WriteParameters = WriteParameters()) async throws -> Object {
        let json = try object.kubeJSON()
        return try await self.object(try builder.replace(try name(of: json), json, withManager(parameters)))
    }

    /// Patches `name` with any patch type.
    public func patch(_ name: String, _ patch: Patch, _ parameters: WriteParameters = WriteParameters()) async throws -> Object {
        try await object(try builder.patch(name, patch, withManager(parameters)))
    }

    /// Server-side applies `fields` to `name` (see `ApplyBody.build`): the client's field manager
    /// (or `fieldManager`) takes ownership of the fields given; `force` takes them from other managers.
    public func apply(_ name: String, fields: JSONValue, force: Bool = false, fieldManager: String? = nil) async throws -> Object {
        let body = ApplyBody.build(resource, name: name, namespace: namespace, fields: fields)
        return try await patch(name, .apply(body), WriteParameters(fieldManager: fieldManager, force: force))
    }

    /// The result of a delete: the object is gone, or still there (finalizers, foreground deletion)
    /// with its `deletionTimestamp` set.
    public enum DeleteResult: Sendable {
        case deleted
        case pending(Object)
    }

    /// Deletes `name`, with propagation and uid/resourceVersion preconditions (a failed precondition is `isConflict`).
    @discardableResult
    public func delete(_ name: String, _ parameters: DeleteParameters = DeleteParameters()) async throws -> DeleteResult {
        let json = try await client.send(try builder.delete(name, parameters))
        // The server answers a Status, or the object: deleted already, or still pending (it has a
        // deletionTimestamp while finalizers or a grace period hold it), as kube-rs's `Either`.
        if json["kind"]?.stringValue == "Status" || json[path: ["metadata", "deletionTimestamp"]] == nil { return .deleted }
        do { return .pending(try Object(kubeJSON: json)) } catch {
            throw KubeClientError.decoding(verb: "delete", path: resource.objectPath(name: name, namespace: namespace), reason: "\(error)")
        }
    }

    /// Deletes every object matching `list`'s selectors; returns how many the server reported.
    @discardableResult
    public func deleteCollection(_ list: ListParameters = ListParameters(), _ parameters: DeleteParameters = DeleteParameters()) async throws -> Int {
        let json = try await client.send(builder.deleteCollection(list, parameters))
        return json["items"]?.arrayValue?.count ?? 0
    }

    // MARK: Status subresource

    /// The object `name` read through its status subresource.
    public func getStatus(_ name: String) async throws -> Object {
        try await object(try builder.get(name, subresource: "status"))
    }

    /// Replaces the status of the object named in `object` (only `status` changes; conditional on its resourceVersion).
    public func replaceStatus(_ object: Object, _ parameters: WriteParameters = WriteParameters()) async throws -> Object {
        let json = try object.kubeJSON()
        return try await self.object(try builder.replace(try name(of: json), json, subresource: "status", withManager(parameters)))
    }

    /// Patches the status of `name`.
    public func patchStatus(_ name: String, _ patch: Patch, _ parameters: WriteParameters = WriteParameters()) async throws -> Object {
        try await object(try builder.patch(name, patch, subresource: "status", withManager(parameters)))
    }

    // MARK: Scale subresource

    /// The scale of `name`.
    public func getScale(_ name: String) async throws -> Scale {
        try await decode(try builder.get(name, subresource: "scale"), as: Scale.self)
    }

    /// Sets the scale of `name` (conditional when `scale.metadata.resourceVersion` is set).
    public func replaceScale(_ name: String, _ scale: Scale, _ parameters: WriteParameters = WriteParameters()) async throws -> Scale {
        try await decode(try builder.replace(name, try scale.kubeJSON(), subresource: "scale", withManager(parameters)), as: Scale.self)
    }

    /// Patches the scale of `name` (e.g. `.merge(["spec": ["replicas": 3]])`).
    public func patchScale(_ name: String, _ patch: Patch, _ parameters: WriteParameters = WriteParameters()) async throws -> Scale {
        try await decode(try builder.patch(name, patch, subresource: "scale", withManager(parameters)), as: Scale.self)
    }

    // MARK: Helpers

    private func withManager(_ parameters: WriteParameters) -> WriteParameters {
        var parameters = parameters
        if parameters.fieldManager == nil { parameters.fieldManager = client.configuration.fieldManager }
        return parameters
    }

    private func name(of json: JSONValue) throws -> String {
        guard let name = json.name, !name.isEmpty else {
            throw KubeClientError.configuration("\(resource): the object to replace has no metadata.name")
        }
        return name
    }

    private func object(_ request: KubeRequest) async throws -> Object {
        try await decode(request, as: Object.self)
    }

    private func decode<T: KubeObjectConvertible>(_ request: KubeRequest, as type: T.Type) async throws -> T {
        let json = try await client.send(request)
        do { return try T(kubeJSON: json) } catch {
            throw KubeClientError.decoding(verb: request.verb, path: request.path, reason: "\(error)")
        }
    }
}
