import KubeAPI
import KubeEmulatorTestSupport
import Testing

/// RBAC enforced over HTTP, as kube-apiserver enforces it: the 403 Status, roles and bindings,
/// resource names, subresources, access reviews, aggregation and escalation checks.
@Suite("RBAC enforcement over HTTP")
struct RBACEnforcementTests {
    static let apps = "/apis/apps/v1/namespaces/default/deployments"
    static let rbac = "/apis/rbac.authorization.k8s.io/v1"

    private func binding(_ name: String, clusterRole: String, to account: String) -> JSONValue {
        [
            "apiVersion": "rbac.authorization.k8s.io/v1", "kind": "RoleBinding", "metadata": ["name": .string(name)],
            "roleRef": ["apiGroup": "rbac.authorization.k8s.io", "kind": "ClusterRole", "name": .string(clusterRole)],
            "subjects": [EmulatorTestClient.serviceAccountSubject(account)],
        ]
    }

    @Test("a service account without bindings gets kube-apiserver's 403 Status; discovery, version, health and OpenAPI stay open")
    func forbiddenByDefault() async throws {
        try await withEmulator { admin in
            let robot = try await admin.asServiceAccount("robot")
            let denied = try await robot.get(Self.apps)
            #expect(denied.status == 403)
            #expect(denied.json == [
                "kind": "Status", "apiVersion": "v1", "metadata": .emptyObject, "status": "Failure",
                "message": #"deployments.apps is forbidden: User "system:serviceaccount:default:robot" cannot list resource "deployments" in API group "apps" in the namespace "default""#,
                "reason": "Forbidden", "details": ["group": "apps", "kind": "deployments"], "code": 403,
            ])
            for path in ["/api", "/api/v1", "/apis", "/apis/apps/v1", "/version", "/healthz", "/readyz", "/openapi/v3"] {
                #expect(try await robot.get(path).status == 200, "\(path)")
            }
            let metrics = try await robot.get("/metrics")
            #expect(metrics.status == 403 && metrics.statusObject?.message == #"forbidden: User "system:serviceaccount:default:robot" cannot get path "/metrics""#)
            #expect(try await robot.get("/api/v1/namespaces").statusObject?.message
                == #"namespaces is forbidden: User "system:serviceaccount:default:robot" cannot list resource "namespaces" in API group "" at the cluster scope"#)
        }
    }

    @Test("a Role grants in its namespace only; resourceNames limit get and a field-selected list; a subresource needs its own rule")
    func roleRules() async throws {
        try await withEmulator { admin in
            let robot = try await admin.asServiceAccount("robot")
            try await admin.grant([
                ["verbs": ["get", "list", "watch"], "apiGroups": ["apps"], "resources": ["deployments"], "resourceNames": ["web"]],
                ["verbs": ["get"], "apiGroups": ["apps"], "resources": ["deployments/scale"]],
            ], named: "web-reader", to: EmulatorTestClient.serviceAccountSubject("robot"), namespace: "default")
            for name in ["web", "other"] { #expect(try await admin.post(Self.apps, Fixtures.deployment(name)).status == 201) }
            #expect(try await robot.get(Self.apps + "/web").status == 200)
            #expect(try await robot.get(Self.apps + "/other").status == 403)
            #expect(try await robot.get(Self.apps).status == 403)
            let selected = try await robot.get(Self.apps + "?fieldSelector=metadata.name%3Dweb")
            #expect(selected.status == 200 && selected.json["items"]?.arrayValue?.count == 1)
            #expect(try await robot.get(Self.apps + "/other/scale").status == 200)
            #expect(try await robot.patch(Self.apps + "/web", ["spec": ["replicas": 5]]).status == 403)
            #expect(try await robot.get("/apis/apps/v1/namespaces/kube-system/deployments/web").status == 403)
        }
    }

    @Test("SelfSubjectAccessReview answers allowed or not; SelfSubjectRulesReview lists resource and non-resource rules")
    func reviews() async throws {
        try await withEmulator { admin in
            let robot = try await admin.asServiceAccount("robot")
            try await admin.grant([["verbs": ["get"], "apiGroups": ["apps"], "resources": ["deployments"], "resourceNames": ["web"]]],
                                  named: "web-getter", to: EmulatorTestClient.serviceAccountSubject("robot"), namespace: "default")
            func review(_ attributes: JSONValue) async throws -> EmulatorTestClient.Response {
                try await robot.post("/apis/authorization.k8s.io/v1/selfsubjectaccessreviews", [
                    "apiVersion": "authorization.k8s.io/v1", "kind": "SelfSubjectAccessReview", "spec": ["resourceAttributes": attributes],
                ])
            }
            let no = try await review(["namespace": "default", "verb": "list", "group": "apps", "resource": "deployments"])
            #expect(no.status == 201 && no.json[path: ["status", "allowed"]] == false)
            let yes = try await review(["namespace": "default", "verb": "get", "group": "apps", "resource": "deployments", "name": "web"])
            #expect(yes.json[path: ["status", "allowed"]] == true)
            #expect(yes.json[path: ["status", "reason"]] == #"RBAC: allowed by RoleBinding "web-getter/default" of Role "web-getter" to ServiceAccount "robot/default""#)
            let both = try await robot.post("/apis/authorization.k8s.io/v1/selfsubjectaccessreviews", [
                "apiVersion": "authorization.k8s.io/v1", "kind": "SelfSubjectAccessReview",
                "spec": ["resourceAttributes": ["verb": "get"], "nonResourceAttributes": ["verb": "get", "path": "/api"]],
            ])
            #expect(both.status == 422)
            let rules = try await robot.post("/apis/authorization.k8s.io/v1/selfsubjectrulesreviews", [
                "apiVersion": "authorization.k8s.io/v1", "kind": "SelfSubjectRulesReview", "spec": ["namespace": "default"],
            ])
            #expect(rules.status == 201 && rules.json[path: ["status", "incomplete"]] == false)
            let resourceRules = rules.json[path: ["status", "resourceRules"]]?.arrayValue ?? []
            #expect(resourceRules.contains(["verbs": ["get"], "apiGroups": ["apps"], "resources": ["deployments"], "resourceNames": ["web"]]))
            #expect(resourceRules.contains(["verbs": ["create"], "apiGroups": ["authorization.k8s.io"], "resources": ["selfsubjectaccessreviews", "selfsubjectrulesreviews"]]))
            let nonResource = rules.json[path: ["status", "nonResourceRules"]]?.arrayValue ?? []
            #expect(nonResource.contains { $0["nonResourceURLs"]?.arrayValue?.contains("/apis/*") == true })
            let noNamespace = try await robot.post("/apis/authorization.k8s.io/v1/selfsubjectrulesreviews", [
                "apiVersion": "authorization.k8s.io/v1", "kind": "SelfSubjectRulesReview", "spec": .emptyObject,
            ])
            #expect(noNamespace.status == 400)
        }
    }

    @Test("a ClusterRole labelled aggregate-to-view extends view at once; a view binding grants reads, not writes")
    func aggregationOverHTTP() async throws {
        try await withEmulator { admin in
            let robot = try await admin.asServiceAccount("robot")
            let widgets: JSONValue = ["verbs": ["get", "list"], "apiGroups": ["example.com"], "resources": ["widgets"]]
            #expect(try await admin.post(Self.rbac + "/clusterroles", [
                "apiVersion": "rbac.authorization.k8s.io/v1", "kind": "ClusterRole",
                "metadata": ["name": "widget-reader", "labels": ["rbac.authorization.k8s.io/aggregate-to-view": "true"]], "rules": [widgets],
            ]).status == 201)
            #expect(try await admin.get(Self.rbac + "/clusterroles/view").json["rules"]?.arrayValue?.contains(widgets) == true)
            #expect(try await admin.post(Self.rbac + "/namespaces/default/rolebindings", binding("robot-view", clusterRole: "view", to: "robot")).status == 201)
            #expect(try await robot.get("/api/v1/namespaces/default/pods").status == 200)
            #expect(try await robot.get("/api/v1/namespaces/default/secrets").status == 403)
            #expect(try await robot.delete("/api/v1/namespaces/default/pods/x").status == 403)
        }
    }

    @Test("a namespace admin may bind view but not cluster-admin, may grant what it holds but no more; roleRef cannot change")
    func escalationOverHTTP() async throws {
        try await withEmulator { admin in
            let lead = try await admin.asServiceAccount("lead")
            #expect(try await admin.post(Self.rbac + "/namespaces/default/rolebindings", binding("lead-admin", clusterRole: "admin", to: "lead")).status == 201)
            let escalating = try await lead.post(Self.rbac + "/namespaces/default/rolebindings", binding("sneaky", clusterRole: "cluster-admin", to: "lead"))
            #expect(escalating.status == 403)
            #expect(escalating.statusObject?.message.hasPrefix(#"rolebindings.rbac.authorization.k8s.io "sneaky" is forbidden: user "system:serviceaccount:default:lead""#) == true)
            #expect(escalating.text.contains("is attempting to grant RBAC permissions not currently held"))
            #expect(try await lead.post(Self.rbac + "/namespaces/default/rolebindings", binding("viewers", clusterRole: "view", to: "lead")).status == 201)
            func role(_ name: String, _ rule: JSONValue) -> JSONValue {
                ["apiVersion": "rbac.authorization.k8s.io/v1", "kind": "Role", "metadata": ["name": .string(name)], "rules": [rule]]
            }
            #expect(try await lead.post(Self.rbac + "/namespaces/default/roles", role("secrets", ["verbs": ["get"], "apiGroups": [""], "resources": ["secrets"]])).status == 201)
            #expect(try await lead.post(Self.rbac + "/namespaces/default/roles", role("nodes", ["verbs": ["list"], "apiGroups": [""], "resources": ["nodes"]])).status == 403)
            var changed = try await admin.get(Self.rbac + "/namespaces/default/rolebindings/viewers").json
            changed[path: ["roleRef", "name"]] = "edit"
            let immutable = try await admin.put(Self.rbac + "/namespaces/default/rolebindings/viewers", changed)
            #expect(immutable.status == 422 && immutable.text.contains("cannot change roleRef"))
        }
    }
}
