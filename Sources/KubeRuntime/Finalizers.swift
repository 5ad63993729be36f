import KubeAPI
import KubeClient

/// Adds and removes a finalizer with JSON patches guarded by a `test` of the resourceVersion,
/// and runs cleanup before letting an object go (kube-rs's `finalizer`, controller-runtime's
/// `controllerutil.AddFinalizer`/`RemoveFinalizer`).
///
/// # Guarantees
/// - Every patch applies only to the exact version it was computed from (a `test` operation on
///   `/metadata/resourceVersion`): a concurrent change fails it with 422/409 instead of being lost;
///   the reconcile errors and is retried with a fresh object.
/// - `cleanup` completes before the finalizer is removed; if it throws, the finalizer stays.
///
/// # Caveats
/// - Cleanup must be idempotent: it runs again if the removal fails after it succeeded.
public struct Finalizers: Sendable {
    private let client: KubeClient
    private let resource: ResourceDescriptor
    /// The finalizer name (`tandem.dev/cleanup`).
    public let finalizer: String

    /// Finalizer `finalizer` on objects of `resource`.
    public init(_ finalizer: String, client: KubeClient, resource: ResourceDescriptor) {
        self.finalizer = finalizer
        self.client = client
        self.resource = resource
    }

    /// True when `object` carries the finalizer.
    public func isPresent(on object: JSONValue) -> Bool {
        (object[path: ["metadata", "finalizers"]]?.arrayValue ?? []).contains(.string(finalizer))
    }

    /// Adds the finalizer (no request when present); returns the object after the patch.
    public func add(to object: JSONValue) async throws -> JSONValue {
        guard !isPresent(on: object) else { return object }
        var operations = try guardOperations(object)
        if object[path: ["metadata", "finalizers"]]?.arrayValue == nil {
            operations.append(.add("/metadata/finalizers", [.string(finalizer)]))
        } else {
            operations.append(.add("/metadata/finalizers/-", .string(finalizer)))
        }
        return try await patch(object, operations)
    }

    /// Removes the finalizer (no request when absent); returns the object after the patch (which
    /// may be gone already, then the input is returned).
    public func remove(from object: JSONValue) async throws -> JSONValue {
        let finalizers = object[path: ["metadata", "finalizers"]]?.arrayValue ?? []
        guard let index = finalizers.firstIndex(of: .string(finalizer)) else { return object }
        var operations = try guardOperations(object)
        operations.append(.test("/metadata/finalizers/\(index)", .string(finalizer)))
        operations.append(.remove("/metadata/finalizers/\(index)"))
        do { return try await patch(object, operations) } catch let error as KubeError where error.isNotFound { return object }
    }

    /// The finalizer flow: objects not being deleted get the finalizer and then `apply`; objects
    /// being deleted get `cleanup` and then lose the finalizer.
    public func reconcile(_ object: JSONValue, apply: (JSONValue) async throws -> Requeue,
                          cleanup: (JSONValue) async throws -> Void) async throws -> Requeue {
        let deleting = object[path: ["metadata", "deletionTimestamp"]].map { !$0.isNull } ?? false
        switch (deleting, isPresent(on: object)) {
        case (false, true): return try await apply(object)
        case (false, false): return try await apply(try await add(to: object))
        case (true, true):
            try await cleanup(object)
            _ = try await remove(from: object)
            return .done
        case (true, false): return .done
        }
    }

    private func guardOperations(_ object: JSONValue) throws -> [JSONPatchOperation] {
        guard let version = object.resourceVersion, !version.isEmpty else {
            throw KubeClientError.configuration("\(resource) \(object.namespace ?? "")/\(object.name ?? ""): cannot patch finalizers of an object without metadata.resourceVersion; pass the object as read from the API or cache")
        }
        return [.test("/metadata/resourceVersion", .string(version))]
    }

    private func patch(_ object: JSONValue, _ operations: [JSONPatchOperation]) async throws -> JSONValue {
        guard let name = object.name else {
            throw KubeClientError.configuration("\(resource): cannot patch finalizers of an object without metadata.name")
        }
        return try await client.resource(resource, namespace: object.namespace).patch(name, .json(operations))
    }
}
