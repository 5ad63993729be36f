import KubeAPI

/// The RBAC objects of one moment, parsed: roles, cluster roles and their bindings, and the rule
/// resolution of kube-apiserver's `DefaultRuleResolver` over them.
struct RBACPolicy: Sendable {
    static let group = "rbac.authorization.k8s.io"

    /// A binding's subject.
    struct Subject: Sendable, Equatable {
        var kind: String
        var name: String
        var namespace: String

        /// How kube-apiserver names the subject in an "allowed by" reason.
        func describe(bindingNamespace: String) -> String {
            guard kind == "ServiceAccount" else { return "\(kind) \(GoQuoted.string(name))" }
            return "\(kind) \(GoQuoted.string(name + "/" + (namespace.isEmpty ? bindingNamespace : namespace)))"
        }
    }

    /// A binding's `roleRef`.
    struct RoleRef: Sendable, Equatable {
        var apiGroup: String
        var kind: String
        var name: String

        init(apiGroup: String, kind: String, name: String) {
            self.apiGroup = apiGroup
            self.kind = kind
            self.name = name
        }

        init(json: JSONValue?) {
            self.init(apiGroup: json?["apiGroup"]?.stringValue ?? "", kind: json?["kind"]?.stringValue ?? "", name: json?["name"]?.stringValue ?? "")
        }
    }

    /// A RoleBinding (namespace set) or ClusterRoleBinding (namespace empty).
    struct Binding: Sendable {
        var name: String
        var namespace: String
        var subjects: [Subject]
        var roleRef: RoleRef

        init(json: JSONValue) {
            name = json[path: ["metadata", "name"]]?.stringValue ?? ""
            namespace = json[path: ["metadata", "namespace"]]?.stringValue ?? ""
            subjects = (json["subjects"]?.arrayValue ?? []).map {
                Subject(kind: $0["kind"]?.stringValue ?? "", name: $0["name"]?.stringValue ?? "", namespace: $0["namespace"]?.stringValue ?? "")
            }
            roleRef = RoleRef(json: json["roleRef"])
        }

        /// The first subject that is `user`, if any (`appliesTo`).
        func subject(matching user: UserInfo) -> Subject? {
            subjects.first { subject in
                switch subject.kind {
                case "User": return subject.name == user.name
                case "Group": return user.groups.contains(subject.name)
                case "ServiceAccount":
                    let accountNamespace = subject.namespace.isEmpty ? namespace : subject.namespace
                    return !accountNamespace.isEmpty && ServiceAccountName.matches(user.name, namespace: accountNamespace, name: subject.name)
                default: return false
                }
            }
        }

        /// "ClusterRoleBinding \"x\" of ClusterRole \"y\" to Group \"z\"", as in RBAC's reasons.
        func describe(_ subject: Subject) -> String {
            let kind = namespace.isEmpty ? "ClusterRoleBinding" : "RoleBinding"
            let bindingName = namespace.isEmpty ? name : "\(name)/\(namespace)"
            return "\(kind) \(GoQuoted.string(bindingName)) of \(roleRef.kind) \(GoQuoted.string(roleRef.name)) to \(subject.describe(bindingNamespace: namespace))"
        }
    }

    private(set) var clusterRoles: [String: [PolicyRule]] = [:]
    /// Roles by namespace, then name.
    private(set) var roles: [String: [String: [PolicyRule]]] = [:]
    /// Sorted by name.
    private(set) var clusterRoleBindings: [Binding] = []
    /// By namespace, each sorted by name.
    private(set) var roleBindings: [String: [Binding]] = [:]

    /// Reads every RBAC object of the store.
    init(state: StoreState) {
        func stored(_ resource: String) -> [JSONValue] {
            state.objects(StorageKey(group: Self.group, resource: resource), namespace: nil).map(\.object)
        }
        for role in stored("clusterroles") {
            clusterRoles[role[path: ["metadata", "name"]]?.stringValue ?? ""] = Self.rules(of: role)
        }
        for role in stored("roles") {
            let namespace = role[path: ["metadata", "namespace"]]?.stringValue ?? ""
            roles[namespace, default: [:]][role[path: ["metadata", "name"]]?.stringValue ?? ""] = Self.rules(of: role)
        }
        clusterRoleBindings = stored("clusterrolebindings").map(Binding.init(json:))
        for binding in stored("rolebindings").map(Binding.init(json:)) { roleBindings[binding.namespace, default: []].append(binding) }
    }

    /// The rules of a Role or ClusterRole object.
    static func rules(of role: JSONValue) -> [PolicyRule] {
        (role["rules"]?.arrayValue ?? []).map(PolicyRule.init(json:))
    }

    /// The rules a role reference grants, or the error kube-apiserver's resolver reports
    /// (`clusterrole.rbac.authorization.k8s.io "x" not found`).
    func rules(of roleRef: RoleRef, bindingNamespace: String) -> Result<[PolicyRule], RuleResolutionError> {
        switch roleRef.kind {
        case "Role":
            guard let rules = roles[bindingNamespace]?[roleRef.name] else { return .failure(.notFound("role", roleRef.name)) }
            return .success(rules)
        case "ClusterRole":
            guard let rules = clusterRoles[roleRef.name] else { return .failure(.notFound("clusterrole", roleRef.name)) }
            return .success(rules)
        default:
            return .failure(RuleResolutionError(message: "unsupported role reference kind: \(GoQuoted.string(roleRef.kind))"))
        }
    }

    /// Calls `visit` with every rule granted to `user` by cluster role bindings, then by the role
    /// bindings of `namespace` (if not empty), with the binding and subject that grant it; or with
    /// an error for a binding whose role cannot be resolved. `visit` returns false to stop.
    func visitRules(for user: UserInfo, namespace: String,
                    _ visit: (_ source: (Binding, Subject)?, _ rule: PolicyRule?, _ error: RuleResolutionError?) -> Bool) {
        let bindings = clusterRoleBindings + (namespace.isEmpty ? [] : roleBindings[namespace] ?? [])
        for binding in bindings {
            guard let subject = binding.subject(matching: user) else { continue }
            switch rules(of: binding.roleRef, bindingNamespace: binding.namespace) {
            case .failure(let error):
                if !visit(nil, nil, error) { return }
            case .success(let rules):
                for rule in rules where !visit((binding, subject), rule, nil) { return }
            }
        }
    }

    /// Every rule granted to `user` in `namespace` (cluster-wide ones included), and the errors met.
    func rules(for user: UserInfo, namespace: String) -> (rules: [PolicyRule], errors: [RuleResolutionError]) {
        var rules: [PolicyRule] = []
        var errors: [RuleResolutionError] = []
        visitRules(for: user, namespace: namespace) { _, rule, error in
            if let rule { rules.append(rule) }
            if let error { errors.append(error) }
            return true
        }
        return (rules, errors)
    }
}

/// A binding whose role could not be resolved; the text is kube-apiserver's.
struct RuleResolutionError: Error, Sendable, Equatable, CustomStringConvertible {
    var message: String
    var description: String { message }

    static func notFound(_ resource: String, _ name: String) -> RuleResolutionError {
        RuleResolutionError(message: "\(resource).\(RBACPolicy.group) \(GoQuoted.string(name)) not found")
    }

    /// Go's `utilerrors.NewAggregate(errors).Error()`: one message, or `[a, b]`.
    static func aggregate(_ errors: [RuleResolutionError]) -> String {
        errors.count == 1 ? errors[0].message : "[" + errors.map(\.message).joined(separator: ", ") + "]"
    }
}
