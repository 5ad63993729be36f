import Synchronization

/// The parsed RBAC policy, re-read from the store only after an RBAC object changed, so
/// authorizing a request costs no parsing in the steady state.
final class RBACPolicyCache: Sendable {
    private let store: ObjectStore
    private let cached = Mutex<(generation: Int, policy: RBACPolicy)?>(nil)

    init(store: ObjectStore) {
        self.store = store
    }

    /// The policy as of now.
    var authorizer: Authorizer {
        let generation = store.read { $0.rbacGeneration }
        if let hit = cached.withLock({ $0 }), hit.generation == generation { return Authorizer(policy: hit.policy) }
        let fresh = store.read { ($0.rbacGeneration, RBACPolicy(state: $0)) }
        cached.withLock { $0 = fresh }
        return Authorizer(policy: fresh.1)
    }
}
