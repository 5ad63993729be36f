import KubeAPI
import KubeClient

/// Writes an object's status through its status subresource, only when it changed.
///
/// # Guarantees
/// - No request at all when the new status equals the current one (numbers compared
///   semantically): an idle controller makes no writes and triggers no watch events.
/// - The write is conditional on the resourceVersion it was computed from; a conflict re-reads
///   the object and recomputes, up to 5 attempts 10 ms apart (client-go's `retry.DefaultRetry`).
public struct StatusWriter: Sendable {
    /// What `update` did.
    public enum Outcome: Sendable {
        /// Nothing changed; no request was made. Carries the object as given (or as re-read).
        case unchanged(JSONValue)
        /// The status was written; carries the object the server returned.
        case written(JSONValue)

        /// The object after the call.
        public var object: JSONValue {
            switch self {
            case .unchanged(let object), .written(let object): return object
            }
        }

        /// True when a write was made.
        public var wrote: Bool {
            if case .written = self { return true }
            return false
        }
    }

    private let client: KubeClient
    private let resource: ResourceDescriptor
    private let attempts: Int
    private let delay: Duration

    /// A writer of `resource` statuses. `attempts` defaults to 5, `delay` to 10 ms.
    public init(client: KubeClient, resource: ResourceDescriptor, attempts: Int = KubeRuntimeDefaults.conflictRetrySteps,
                delay: Duration = KubeRuntimeDefaults.conflictRetryDelay) {
        self.client = client
        self.resource = resource
        self.attempts = attempts
        self.delay = delay
    }

    /// Computes the status from `object` (typically the cached copy) with `update` and writes it
    /// if it differs. On a conflict the object is read again and `update` runs again on it.
    public func update(_ object: JSONValue, _ update: (inout JSONValue) throws -> Void) async throws -> Outcome {
        let resourceClient = client.resource(resource, namespace: object.namespace)
        var current = object
        var attempt = 0
        while true {
            attempt += 1
            let status = current["status"] ?? .emptyObject
            var desired = status
            try update(&desired)
            if desired.isSemanticallyEqual(to: status) { return .unchanged(current) }
            var next = current
            next["status"] = desired
            do {
                return .written(try await resourceClient.replaceStatus(next))
            } catch let error as KubeError where error.isConflict && attempt < attempts {
                try await Task.sleep(for: delay + delay * Double.random(in: 0..<0.1))
                guard let name = current.name else { throw error }
                current = try await resourceClient.get(name)
            }
        }
    }

    /// Sets the whole status to `status` (no request when it is already that).
    public func set(_ object: JSONValue, status: JSONValue) async throws -> Outcome {
        try await update(object) { $0 = status }
    }
}
