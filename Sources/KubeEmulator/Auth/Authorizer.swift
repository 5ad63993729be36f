import KubeAPI

/// kube-apiserver's authorization chain, minus the Node authorizer: `system:masters` may do
/// anything; everyone else gets what RBAC grants them, nothing more.
struct Authorizer: Sendable {
    let policy: RBACPolicy

    /// An authorizer's answer and its reason (empty, or RBAC's "allowed by …" / resolution errors).
    struct Decision: Sendable, Equatable {
        var allowed: Bool
        var reason: String
    }

    func authorize(_ request: AuthorizationAttributes) -> Decision {
        if request.user.isPrivileged { return Decision(allowed: true, reason: "") }
        var reason: String?
        var errors: [RuleResolutionError] = []
        policy.visitRules(for: request.user, namespace: request.namespace) { source, rule, error in
            if let rule, let source, rule.allows(request) {
                reason = "RBAC: allowed by \(source.0.describe(source.1))"
                return false
            }
            if let error { errors.append(error) }
            return true
        }
        if let reason { return Decision(allowed: true, reason: reason) }
        return Decision(allowed: false, reason: errors.isEmpty ? "" : "RBAC: \(RuleResolutionError.aggregate(errors))")
    }

    func allows(_ request: AuthorizationAttributes) -> Bool { authorize(request).allowed }

    /// The rules `user` holds in `namespace` (SelfSubjectRulesReview), split as kube-apiserver
    /// returns them: resource rules, non-resource rules, and the resolution errors met.
    func rules(for user: UserInfo, namespace: String) -> (resource: [PolicyRule], nonResource: [PolicyRule], errors: [RuleResolutionError]) {
        let (rules, errors) = policy.rules(for: user, namespace: namespace)
        let resource = rules.filter { !$0.resources.isEmpty }.map {
            PolicyRule(verbs: $0.verbs, apiGroups: $0.apiGroups, resources: $0.resources, resourceNames: $0.resourceNames)
        }
        let nonResource = rules.filter { !$0.nonResourceURLs.isEmpty }.map { PolicyRule(verbs: $0.verbs, nonResourceURLs: $0.nonResourceURLs) }
        return (resource, nonResource, errors)
    }

    /// The 403 kube-apiserver answers a denied request with:
    /// `deployments.apps is forbidden: User "x" cannot list resource "deployments" in API group "apps" in the namespace "y"`,
    /// with the authorizer's reason appended after a colon, and details naming group, resource and name.
    static func forbidden(_ request: AuthorizationAttributes, reason: String) -> KubeStatus {
        let user = GoQuoted.string(request.user.name)
        var message: String
        if !request.isResourceRequest {
            message = "User \(user) cannot \(request.verb) path \(GoQuoted.string(request.path))"
        } else {
            message = "User \(user) cannot \(request.verb) resource \(GoQuoted.string(request.combinedResource)) in API group \(GoQuoted.string(request.apiGroup))"
            message += request.namespace.isEmpty ? " at the cluster scope" : " in the namespace \(GoQuoted.string(request.namespace))"
        }
        if !reason.isEmpty { message += ": \(reason)" }
        guard request.isResourceRequest else { return forbidden(group: "", resource: "", name: "", message: message) }
        return forbidden(group: request.apiGroup, resource: request.resource, name: request.name, message: message)
    }

    /// A Forbidden Status as `apierrors.NewForbidden(groupResource, name, err)` builds it:
    /// `RESOURCE.GROUP "NAME" is forbidden: MESSAGE` (or `forbidden: MESSAGE` without a resource).
    static func forbidden(group: String, resource: String, name: String, message: String) -> KubeStatus {
        let qualified = group.isEmpty ? resource : "\(resource).\(group)"
        let text: String
        if resource.isEmpty {
            text = "forbidden: \(message)"
        } else if name.isEmpty {
            text = "\(qualified) is forbidden: \(message)"
        } else {
            text = "\(qualified) \(GoQuoted.string(name)) is forbidden: \(message)"
        }
        return KubeStatus(code: 403, reason: "Forbidden", message: text, name: name.isEmpty ? nil : name,
                          group: group.isEmpty || resource.isEmpty ? nil : group, kind: resource.isEmpty ? nil : resource)
    }
}
