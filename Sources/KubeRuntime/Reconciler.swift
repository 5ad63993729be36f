/// What a reconcile asks for next.
public enum Requeue: Sendable, Hashable {
    /// Nothing: the object is reconciled again when something changes (or at resync).
    case done
    /// Again after the key's rate-limited backoff, which grows like a failure's (controller-runtime's
    /// `Requeue: true`; counted as `requeue`). Not immediate: a key that keeps asking backs off.
    case rateLimited
    /// Again after `Duration` (the failure count is reset).
    case after(Duration)
}

/// The logic of a controller: drives the world towards the object named by `key`.
///
/// Reconciles are level-based: read the current state (from the informers' caches or the API)
/// rather than relying on which event triggered the call. A thrown error requeues the key with
/// per-key exponential backoff (5 ms·2ⁿ up to 1000 s). The same key is never reconciled twice
/// at once; different keys may be, up to `ControllerOptions.maxConcurrentReconciles` per cluster.
public protocol Reconciler: Sendable {
    /// Reconciles the object `key` names (it may no longer exist).
    func reconcile(_ key: ObjectKey) async throws -> Requeue
}

/// A `Reconciler` made of a closure.
public struct ReconcileFunction: Reconciler {
    private let body: @Sendable (ObjectKey) async throws -> Requeue

    /// A reconciler calling `body`.
    public init(_ body: @escaping @Sendable (ObjectKey) async throws -> Requeue) { self.body = body }

    public func reconcile(_ key: ObjectKey) async throws -> Requeue { try await body(key) }
}
