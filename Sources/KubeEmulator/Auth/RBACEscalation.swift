import KubeAPI

/// kube-apiserver's privilege-escalation prevention on RBAC writes: nobody grants, through a
/// Role, ClusterRole or binding, a permission they do not hold, unless they are in
/// `system:masters` or are explicitly allowed the `escalate` verb (roles) or the `bind` verb
/// (bindings, on the referenced role).
enum RBACEscalation {
    /// What `aggregationRule` needs: everything (`*` on `*.*` and on every non-resource URL).
    static let fullAuthority = [
        PolicyRule(verbs: ["*"], apiGroups: ["*"], resources: ["*"]),
        PolicyRule(verbs: ["*"], nonResourceURLs: ["*"]),
    ]

    /// Checks a create (`old` nil) or update of an RBAC object in `namespace` by `user`;
    /// throws 403 Forbidden with kube-apiserver's message when it would escalate.
    static func check(_ definition: ResourceDefinition, object: JSONValue, old: JSONValue?, user: UserInfo,
                      namespace: String, state: StoreState) throws(KubeStatus) {
        guard definition.group == RBACPolicy.group, !user.isPrivileged else { return }
        if let old, onlyGarbageCollectionFieldsChange(from: old, to: object) { return }
        let name = object[path: ["metadata", "name"]]?.stringValue ?? ""
        let scope = definition.namespaced ? namespace : ""
        let policy = RBACPolicy(state: state)
        let authorizer = Authorizer(policy: policy)
        func forbidden(_ message: String) -> KubeStatus {
            Authorizer.forbidden(group: definition.group, resource: definition.plural, name: name, message: message)
        }
        switch definition.plural {
        case "roles", "clusterroles":
            let escalate = AuthorizationAttributes.resource(user, verb: "escalate", group: definition.group, resource: definition.plural,
                                                            namespace: scope, name: name)
            if authorizer.allows(escalate) { return }
            if let message = missingPermissions(user, RBACPolicy.rules(of: object), namespace: scope, policy: policy) {
                throw forbidden(message)
            }
            let aggregates = StoreState.aggregationSelectors(of: object) != nil || old.flatMap(StoreState.aggregationSelectors(of:)) != nil
            if definition.plural == "clusterroles", aggregates,
               missingPermissions(user, fullAuthority, namespace: scope, policy: policy) != nil {
                throw forbidden("must have cluster-admin privileges to use the aggregationRule")
            }
        case "rolebindings", "clusterrolebindings":
            let roleRef = RBACPolicy.RoleRef(json: object["roleRef"])
            if bindAuthorized(user, roleRef, namespace: scope, authorizer: authorizer) { return }
            switch policy.rules(of: roleRef, bindingNamespace: scope) {
            case .failure(let error):
                throw forbidden(error.message)
            case .success(let rules):
                if let message = missingPermissions(user, rules, namespace: scope, policy: policy) { throw forbidden(message) }
            }
        default:
            return
        }
    }

    /// Whether `user` may bind the referenced role in `namespace` (the `bind` verb on it).
    static func bindAuthorized(_ user: UserInfo, _ roleRef: RBACPolicy.RoleRef, namespace: String, authorizer: Authorizer) -> Bool {
        let resource: String
        switch roleRef.kind {
        case "ClusterRole": resource = "clusterroles"
        case "Role": resource = "roles"
        default: return false
        }
        return authorizer.allows(.resource(user, verb: "bind", group: roleRef.apiGroup, resource: resource, namespace: namespace, name: roleRef.name))
    }

    /// nil when the rules `user` holds in `namespace` cover `rules`; otherwise kube-apiserver's
    /// message listing what is missing.
    static func missingPermissions(_ user: UserInfo, _ rules: [PolicyRule], namespace: String, policy: RBACPolicy) -> String? {
        let (owned, errors) = policy.rules(for: user, namespace: namespace)
        let missing = RuleCoverage.uncovered(rules, by: owned)
        guard !missing.isEmpty else { return nil }
        let lines = Set(RuleCoverage.compact(missing).map(\.compactDescription)).sorted()
        var message = "user \(GoQuoted.string(user.name)) (groups=\(GoQuoted.list(user.groups))) is attempting to grant RBAC permissions not currently held:\n"
            + lines.joined(separator: "\n")
        if !errors.isEmpty { message += "; resolution errors: [\(RuleResolutionError.aggregate(errors))]" }
        return message
    }

    /// Whether an update changes only what the garbage collector may change (owner references,
    /// finalizers, managed fields): such updates are never escalations.
    static func onlyGarbageCollectionFieldsChange(from old: JSONValue, to new: JSONValue) -> Bool {
        var copy = new
        for field in ["ownerReferences", "finalizers", "managedFields", "selfLink"] {
            copy[path: ["metadata", field]] = old[path: ["metadata", field]]
        }
        return copy == old
    }
}
