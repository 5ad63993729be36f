import Foundation
import KubeAPI
import Testing
@testable import KubeEmulator

/// The RBAC authorizer on its own: rule matching, binding resolution, reasons and the 403 text,
/// request attributes, as kube-apiserver's RBAC authorizer and RequestInfoFactory decide them.
@Suite("RBAC authorizer")
struct RBACAuthorizerTests {
    static let alice = UserInfo.authenticated("alice", groups: [])
    static let account = UserInfo.serviceAccount(namespace: "ns1", name: "sa")

    @Test("a rule matches verb, API group, resource or */subresource, and resource name; non-resource rules match paths and prefix*")
    func ruleMatching() {
        let user = Self.alice
        let deployments = PolicyRule(verbs: ["get", "list"], apiGroups: ["apps"], resources: ["deployments"])
        #expect(deployments.allows(.resource(user, verb: "get", group: "apps", resource: "deployments", namespace: "n", name: "d")))
        #expect(!deployments.allows(.resource(user, verb: "delete", group: "apps", resource: "deployments", namespace: "n", name: "d")))
        #expect(!deployments.allows(.resource(user, verb: "get", group: "", resource: "deployments", namespace: "n")))
        #expect(!deployments.allows(.resource(user, verb: "get", group: "apps", resource: "deployments", subresource: "scale", name: "d")))
        let scale = PolicyRule(verbs: ["update"], apiGroups: ["*"], resources: ["*/scale"])
        #expect(scale.allows(.resource(user, verb: "update", group: "apps", resource: "deployments", subresource: "scale", name: "d")))
        #expect(!scale.allows(.resource(user, verb: "update", group: "apps", resource: "deployments", name: "d")))
        let named = PolicyRule(verbs: ["get", "list"], apiGroups: [""], resources: ["secrets"], resourceNames: ["a"])
        #expect(named.allows(.resource(user, verb: "get", group: "", resource: "secrets", namespace: "n", name: "a")))
        #expect(!named.allows(.resource(user, verb: "get", group: "", resource: "secrets", namespace: "n", name: "b")))
        #expect(!named.allows(.resource(user, verb: "list", group: "", resource: "secrets", namespace: "n")))
        let urls = PolicyRule(verbs: ["get"], nonResourceURLs: ["/healthz", "/apis/*"])
        #expect(urls.allows(.nonResource(user, verb: "get", path: "/healthz")))
        #expect(urls.allows(.nonResource(user, verb: "get", path: "/apis/apps/v1")))
        #expect(!urls.allows(.nonResource(user, verb: "get", path: "/healthz/ping")))
        #expect(!urls.allows(.nonResource(user, verb: "post", path: "/healthz")))
        #expect(!urls.allows(.resource(user, verb: "get", group: "", resource: "pods")))
        #expect(!deployments.allows(.nonResource(user, verb: "get", path: "/apis")))
        #expect(PolicyRule(verbs: ["*"], apiGroups: ["*"], resources: ["*"]).allows(.resource(user, verb: "escalate", group: "x", resource: "y", subresource: "z")))
    }

    @Test("a RoleBinding grants in its own namespace only, a ClusterRoleBinding everywhere; users, groups and service-account subjects")
    func bindings() {
        let state = RBACFixtures.state([
            ("clusterroles", RBACFixtures.role("pod-reader", rules: [["verbs": ["get", "list"], "apiGroups": [""], "resources": ["pods"]]])),
            ("clusterroles", RBACFixtures.role("ns-lister", rules: [["verbs": ["list"], "apiGroups": [""], "resources": ["namespaces"]]])),
            ("roles", RBACFixtures.role("cm-writer", namespace: "ns1", rules: [["verbs": ["create"], "apiGroups": [""], "resources": ["configmaps"]]])),
            ("rolebindings", RBACFixtures.binding("read-pods", namespace: "ns1", role: ("ClusterRole", "pod-reader"),
                                                  subjects: [["kind": "ServiceAccount", "name": "sa"]])),
            ("rolebindings", RBACFixtures.binding("write-cm", namespace: "ns1", role: ("Role", "cm-writer"),
                                                  subjects: [["kind": "Group", "name": "system:serviceaccounts:ns1"]])),
            ("clusterrolebindings", RBACFixtures.binding("sa-list-ns", role: ("ClusterRole", "ns-lister"),
                                                         subjects: [["kind": "Group", "name": "system:serviceaccounts"]])),
            ("clusterrolebindings", RBACFixtures.binding("alice-pods", role: ("ClusterRole", "pod-reader"), subjects: [["kind": "User", "name": "alice"]])),
        ])
        let authorizer = Authorizer(policy: RBACPolicy(state: state))
        let other = UserInfo.serviceAccount(namespace: "ns2", name: "sa")
        func can(_ user: UserInfo, _ verb: String, _ resource: String, in namespace: String) -> Bool {
            authorizer.allows(.resource(user, verb: verb, group: "", resource: resource, namespace: namespace))
        }
        #expect(can(Self.account, "list", "pods", in: "ns1"))
        #expect(!can(Self.account, "list", "pods", in: "ns2"))
        #expect(!can(Self.account, "list", "pods", in: ""))
        #expect(can(Self.account, "create", "configmaps", in: "ns1"))
        #expect(can(Self.account, "list", "namespaces", in: ""))
        #expect(!can(other, "list", "pods", in: "ns1"))
        #expect(!can(other, "create", "configmaps", in: "ns1"))
        #expect(can(other, "list", "namespaces", in: ""))
        #expect(can(Self.alice, "list", "pods", in: "ns2") && can(Self.alice, "list", "pods", in: ""))
        #expect(!can(UserInfo.authenticated("bob", groups: []), "list", "pods", in: "ns1"))
        let reason = authorizer.authorize(.resource(Self.account, verb: "get", group: "", resource: "pods", namespace: "ns1", name: "p")).reason
        #expect(reason == #"RBAC: allowed by RoleBinding "read-pods/ns1" of ClusterRole "pod-reader" to ServiceAccount "sa/ns1""#)
        let masters = authorizer.authorize(.resource(.authenticated("root", groups: ["system:masters"]), verb: "delete", group: "x", resource: "y"))
        #expect(masters == .init(allowed: true, reason: ""))
    }

    @Test("a binding to a missing role denies, with kube-apiserver's resolution error as the reason")
    func missingRole() {
        let state = RBACFixtures.state([
            ("rolebindings", RBACFixtures.binding("b", namespace: "ns1", role: ("Role", "nope"), subjects: [["kind": "ServiceAccount", "name": "sa"]])),
        ])
        let decision = Authorizer(policy: RBACPolicy(state: state)).authorize(.resource(Self.account, verb: "get", group: "", resource: "pods", namespace: "ns1"))
        #expect(decision == .init(allowed: false, reason: #"RBAC: role.rbac.authorization.k8s.io "nope" not found"#))
    }

    @Test("the 403 is kube-apiserver's: message per scope, the reason after a colon, details naming group, resource and name")
    func forbiddenMessage() {
        let list = Authorizer.forbidden(.resource(Self.account, verb: "list", group: "apps", resource: "deployments", namespace: "ns1"), reason: "")
        #expect(list.message == #"deployments.apps is forbidden: User "system:serviceaccount:ns1:sa" cannot list resource "deployments" in API group "apps" in the namespace "ns1""#)
        #expect(list.code == 403 && list.reason == "Forbidden" && list.group == "apps" && list.kind == "deployments" && list.name == nil)
        let log = Authorizer.forbidden(.resource(Self.alice, verb: "get", group: "", resource: "pods", subresource: "log", namespace: "n", name: "p"), reason: "")
        #expect(log.message == #"pods "p" is forbidden: User "alice" cannot get resource "pods/log" in API group "" in the namespace "n""#)
        #expect(log.group == nil && log.kind == "pods" && log.name == "p")
        let cluster = Authorizer.forbidden(.resource(Self.alice, verb: "list", group: "", resource: "namespaces"), reason: "RBAC: x")
        #expect(cluster.message == #"namespaces is forbidden: User "alice" cannot list resource "namespaces" in API group "" at the cluster scope: RBAC: x"#)
        let path = Authorizer.forbidden(.nonResource(Self.alice, verb: "get", path: "/metrics"), reason: "")
        #expect(path.message == #"forbidden: User "alice" cannot get path "/metrics""#)
        #expect(path.kind == nil && path.group == nil)
    }

    @Test("request attributes as RequestInfoFactory derives them: list, watch, named list, deletecollection, namespaces, subresources, discovery")
    func requestAttributes() {
        func attributes(_ method: String, _ uri: String) -> AuthorizationAttributes {
            let request = EmulatorRequest(method: method, uri: uri, headers: [], body: [], user: Self.alice)
            return AuthorizationAttributes(route: Route.parse(EmulatorRequest.segments(of: uri)), request: request, user: Self.alice)
        }
        let deployments = "/apis/apps/v1/namespaces/n/deployments"
        #expect(attributes("GET", deployments) == .resource(Self.alice, verb: "list", group: "apps", version: "v1", resource: "deployments", namespace: "n"))
        #expect(attributes("GET", deployments + "?watch=1").verb == "watch")
        #expect(attributes("GET", deployments + "?watch=false").verb == "list")
        #expect(attributes("GET", "/apis/apps/v1/watch/namespaces/n/deployments").verb == "watch")
        let named = attributes("GET", deployments + "?watch=true&fieldSelector=metadata.name%3Dd")
        #expect(named.verb == "watch" && named.name == "d")
        #expect(attributes("GET", deployments + "/d").verb == "get")
        #expect(attributes("DELETE", deployments).verb == "deletecollection")
        #expect(attributes("DELETE", deployments + "/d").verb == "delete")
        let scale = attributes("PATCH", deployments + "/d/scale")
        #expect(scale.verb == "patch" && scale.subresource == "scale" && scale.combinedResource == "deployments/scale")
        #expect(attributes("GET", "/api/v1/namespaces/n") == .resource(Self.alice, verb: "get", group: "", version: "v1", resource: "namespaces", namespace: "n", name: "n"))
        #expect(attributes("GET", "/apis") == .nonResource(Self.alice, verb: "get", path: "/apis"))
        #expect(attributes("GET", "/apis/apps/v1") == .nonResource(Self.alice, verb: "get", path: "/apis/apps/v1"))
        #expect(attributes("HEAD", "/healthz") == .nonResource(Self.alice, verb: "head", path: "/healthz"))
        let token = attributes("POST", "/api/v1/namespaces/n/serviceaccounts/s/token")
        #expect(token.verb == "create" && token.combinedResource == "serviceaccounts/token" && token.name == "s")
    }
}
