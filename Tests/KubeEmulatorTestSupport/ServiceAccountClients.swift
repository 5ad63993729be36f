import KubeAPI

extension EmulatorTestClient {
    /// The same connection, authenticating with `token` instead (nil: no credentials).
    public func authenticating(with token: String?) -> EmulatorTestClient {
        EmulatorTestClient(emulator: emulator, http: http, token: token ?? "")
    }

    /// Creates the ServiceAccount `name` in `namespace` (and the namespace) unless they exist.
    public func ensureServiceAccount(_ name: String, namespace: String = "default") async throws {
        for (path, object) in [
            ("/api/v1/namespaces", ["apiVersion": "v1", "kind": "Namespace", "metadata": ["name": .string(namespace)]] as JSONValue),
            ("/api/v1/namespaces/\(namespace)/serviceaccounts", ["apiVersion": "v1", "kind": "ServiceAccount", "metadata": ["name": .string(name)]]),
        ] {
            let response = try await post(path, object)
            guard response.status == 201 || response.status == 409 else {
                throw TestFailure("creating \(path) returned \(response.status): \(response.text)")
            }
        }
    }

    /// A token for the ServiceAccount (TokenRequest), which this client must be allowed to request.
    public func serviceAccountToken(_ name: String, namespace: String = "default", expirationSeconds: Int64 = 3600) async throws -> String {
        let response = try await post("/api/v1/namespaces/\(namespace)/serviceaccounts/\(name)/token", [
            "apiVersion": "authentication.k8s.io/v1", "kind": "TokenRequest", "spec": ["expirationSeconds": .int(expirationSeconds)],
        ])
        guard response.status == 201, let token = response.json[path: ["status", "token"]]?.stringValue else {
            throw TestFailure("TokenRequest for \(namespace)/\(name) returned \(response.status): \(response.text)")
        }
        return token
    }

    /// A client acting as the ServiceAccount `name` in `namespace`, created if needed (this client
    /// must be an admin).
    public func asServiceAccount(_ name: String, namespace: String = "default") async throws -> EmulatorTestClient {
        try await ensureServiceAccount(name, namespace: namespace)
        return authenticating(with: try await serviceAccountToken(name, namespace: namespace))
    }

    /// Creates (as this client) a Role or ClusterRole with `rules` and binds it to the subject:
    /// a RoleBinding in `namespace`, or a ClusterRoleBinding when `namespace` is nil.
    public func grant(_ rules: [JSONValue], named name: String, to subject: JSONValue, namespace: String?) async throws {
        let rbac = "/apis/rbac.authorization.k8s.io/v1"
        let scope = namespace.map { "\(rbac)/namespaces/\($0)" } ?? rbac
        let kind = namespace == nil ? "ClusterRole" : "Role"
        let role: JSONValue = ["apiVersion": "rbac.authorization.k8s.io/v1", "kind": .string(kind), "metadata": ["name": .string(name)], "rules": .array(rules)]
        let binding: JSONValue = [
            "apiVersion": "rbac.authorization.k8s.io/v1", "kind": .string(kind + "Binding"), "metadata": ["name": .string(name)],
            "roleRef": ["apiGroup": "rbac.authorization.k8s.io", "kind": .string(kind), "name": .string(name)], "subjects": [subject],
        ]
        for (path, object) in [("\(scope)/\(kind.lowercased())s", role), ("\(scope)/\(kind.lowercased())bindings", binding)] {
            let response = try await post(path, object)
            guard response.status == 201 else { throw TestFailure("creating \(path) returned \(response.status): \(response.text)") }
        }
    }

    /// A `subjects` entry naming a ServiceAccount.
    public static func serviceAccountSubject(_ name: String, namespace: String = "default") -> JSONValue {
        ["kind": "ServiceAccount", "name": .string(name), "namespace": .string(namespace)]
    }
}
