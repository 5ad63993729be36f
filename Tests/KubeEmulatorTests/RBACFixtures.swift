import Foundation
import KubeAPI
@testable import KubeEmulator

/// RBAC objects and store states for the authorizer tests.
enum RBACFixtures {
    /// A store state holding the given RBAC objects (resource plural, object).
    static func state(_ objects: [(String, JSONValue)], bootstrap: Bool = false) -> StoreState {
        var state = StoreState(history: EventHistory(capacity: 1000))
        if bootstrap { BootstrapPolicy.seed(&state, now: Date()) }
        for (resource, object) in objects {
            state.insertNew(StorageKey(group: RBACPolicy.group, resource: resource), object, generation: false, now: Date())
        }
        return state
    }

    /// A Role (with `namespace`) or ClusterRole.
    static func role(_ name: String, namespace: String? = nil, labels: [String: String] = [:], rules: [JSONValue]) -> JSONValue {
        var metadata: JSONValue = ["name": .string(name)]
        if let namespace { metadata["namespace"] = .string(namespace) }
        if !labels.isEmpty { metadata["labels"] = .object(labels.mapValues { .string($0) }) }
        return ["apiVersion": "rbac.authorization.k8s.io/v1", "kind": namespace == nil ? "ClusterRole" : "Role", "metadata": metadata, "rules": .array(rules)]
    }

    /// A RoleBinding (with `namespace`) or ClusterRoleBinding of `role` (kind, name).
    static func binding(_ name: String, namespace: String? = nil, role: (String, String), subjects: [JSONValue]) -> JSONValue {
        var metadata: JSONValue = ["name": .string(name)]
        if let namespace { metadata["namespace"] = .string(namespace) }
        return [
            "apiVersion": "rbac.authorization.k8s.io/v1", "kind": namespace == nil ? "ClusterRoleBinding" : "RoleBinding", "metadata": metadata,
            "roleRef": ["apiGroup": "rbac.authorization.k8s.io", "kind": .string(role.0), "name": .string(role.1)], "subjects": .array(subjects),
        ]
    }

    /// The rules of a stored ClusterRole.
    static func clusterRoleRules(_ state: StoreState, _ name: String) -> [PolicyRule] {
        state.object(StorageKey(group: RBACPolicy.group, resource: "clusterroles"), ObjectKey(namespace: "", name: name)).map(RBACPolicy.rules(of:)) ?? []
    }

    static let clusterRoles = StorageKey(group: RBACPolicy.group, resource: "clusterroles")
}
