import Foundation
import KubeAPI
import Testing
@testable import KubeEmulator

/// ClusterRole aggregation and privilege-escalation prevention on RBAC writes, checked on store
/// states directly.
@Suite("RBAC aggregation and escalation checks")
struct RBACEscalationTests {
    static let lead = UserInfo.serviceAccount(namespace: "ns1", name: "lead")
    static let rbac = ["verbs": ["create", "update", "patch"], "apiGroups": ["rbac.authorization.k8s.io"], "resources": ["roles", "rolebindings"]] as JSONValue

    private func definition(_ plural: String) -> ResourceDefinition {
        BuiltinResources.rbac.first { $0.plural == plural }!
    }

    @Test("admin, edit and view aggregate the bootstrap roles and follow labelled ClusterRoles as they come, change and go")
    func aggregation() throws {
        var state = RBACFixtures.state([], bootstrap: true)
        let podsRead = PolicyRule(verbs: ["get", "list", "watch"], apiGroups: [""], resources: ["pods"])
        let secretsWrite = PolicyRule(verbs: ["create"], apiGroups: [""], resources: ["secrets"])
        let rolesWrite = PolicyRule(verbs: ["create"], apiGroups: ["rbac.authorization.k8s.io"], resources: ["rolebindings"])
        func holds(_ role: String, _ rule: PolicyRule) -> Bool { RuleCoverage.uncovered([rule], by: RBACFixtures.clusterRoleRules(state, role)).isEmpty }
        #expect(holds("view", podsRead) && holds("edit", podsRead) && holds("admin", podsRead))
        #expect(!holds("view", secretsWrite) && holds("edit", secretsWrite) && holds("admin", secretsWrite))
        #expect(!holds("edit", rolesWrite) && holds("admin", rolesWrite))
        let widgets = PolicyRule(verbs: ["get"], apiGroups: ["example.com"], resources: ["widgets"])
        let labelled = RBACFixtures.role("widget-viewer", labels: ["rbac.authorization.k8s.io/aggregate-to-view": "true"], rules: [widgets.json])
        state.insertNew(RBACFixtures.clusterRoles, labelled, generation: false, now: Date())
        for name in ["view", "edit", "admin"] { #expect(RBACFixtures.clusterRoleRules(state, name).contains(widgets), "\(name)") }
        var unlabelled = try #require(state.object(RBACFixtures.clusterRoles, ObjectKey(namespace: "", name: "widget-viewer")))
        unlabelled[path: ["metadata", "labels"]] = nil
        state.put(RBACFixtures.clusterRoles, ObjectKey(namespace: "", name: "widget-viewer"), unlabelled)
        #expect(!RBACFixtures.clusterRoleRules(state, "admin").contains(widgets))
        state.put(RBACFixtures.clusterRoles, ObjectKey(namespace: "", name: "widget-viewer"), labelled)
        state.remove(RBACFixtures.clusterRoles, ObjectKey(namespace: "", name: "widget-viewer"))
        #expect(!RBACFixtures.clusterRoleRules(state, "view").contains(widgets))
    }

    @Test("aggregation settles when two ClusterRoles select each other")
    func aggregationCycle() {
        let rule: JSONValue = ["verbs": ["get"], "apiGroups": [""], "resources": ["configmaps"]]
        func aggregating(_ name: String, label: (String, String), selects: (String, String)) -> JSONValue {
            var role = RBACFixtures.role(name, labels: [label.0: label.1], rules: [])
            role["aggregationRule"] = ["clusterRoleSelectors": [["matchLabels": .object([selects.0: .string(selects.1)])]]]
            return role
        }
        let state = RBACFixtures.state([
            ("clusterroles", aggregating("a", label: ("x", "a"), selects: ("y", "b"))),
            ("clusterroles", aggregating("b", label: ("y", "b"), selects: ("x", "a"))),
            ("clusterroles", RBACFixtures.role("c", labels: ["x": "a"], rules: [rule])),
        ])
        #expect(RBACFixtures.clusterRoleRules(state, "a") == [PolicyRule(json: rule)])
        #expect(RBACFixtures.clusterRoleRules(state, "b") == [PolicyRule(json: rule)])
    }

    @Test("coverage: broken-down rules, */subresource, resource names and URL prefixes; missing rules compacted by verb")
    func coverage() {
        let owned = [
            PolicyRule(verbs: ["get", "list"], apiGroups: ["apps"], resources: ["deployments", "*/scale"]),
            PolicyRule(verbs: ["get"], apiGroups: [""], resources: ["secrets"], resourceNames: ["a", "b"]),
            PolicyRule(verbs: ["get"], nonResourceURLs: ["/apis/*"]),
        ]
        #expect(RuleCoverage.uncovered([PolicyRule(verbs: ["list"], apiGroups: ["apps"], resources: ["deployments", "replicasets/scale"])], by: owned).isEmpty)
        #expect(RuleCoverage.uncovered([PolicyRule(verbs: ["get"], apiGroups: [""], resources: ["secrets"], resourceNames: ["a"])], by: owned).isEmpty)
        #expect(RuleCoverage.uncovered([PolicyRule(verbs: ["get"], nonResourceURLs: ["/apis/apps"])], by: owned).isEmpty)
        #expect(RuleCoverage.uncovered([PolicyRule(verbs: ["get"], apiGroups: [""], resources: ["secrets"])], by: owned)
            == [PolicyRule(verbs: ["get"], apiGroups: [""], resources: ["secrets"])])
        let missing = RuleCoverage.uncovered([PolicyRule(verbs: ["get", "delete", "patch"], apiGroups: ["apps"], resources: ["deployments"])], by: owned)
        #expect(RuleCoverage.compact(missing).map(\.compactDescription) == [#"{APIGroups:["apps"], Resources:["deployments"], Verbs:["delete" "patch"]}"#])
    }

    @Test("a Role granting what its author lacks is refused with kube-apiserver's message; the escalate verb or system:masters lifts it")
    func roleEscalation() throws {
        var state = RBACFixtures.state([
            ("roles", RBACFixtures.role("rbac-writer", namespace: "ns1", rules: [Self.rbac])),
            ("rolebindings", RBACFixtures.binding("lead", namespace: "ns1", role: ("Role", "rbac-writer"), subjects: [["kind": "ServiceAccount", "name": "lead"]])),
        ])
        let greedy = RBACFixtures.role("greedy", namespace: "ns1", rules: [["verbs": ["get", "list"], "apiGroups": [""], "resources": ["secrets"]]])
        let error = try #require(throws: KubeStatus.self) {
            try RBACEscalation.check(definition("roles"), object: greedy, old: nil, user: Self.lead, namespace: "ns1", state: state)
        }
        #expect(error.code == 403 && error.kind == "roles" && error.name == "greedy")
        #expect(error.message == """
            roles.rbac.authorization.k8s.io "greedy" is forbidden: user "system:serviceaccount:ns1:lead" (groups=["system:serviceaccounts" "system:serviceaccounts:ns1" "system:authenticated"]) is attempting to grant RBAC permissions not currently held:
            {APIGroups:[""], Resources:["secrets"], Verbs:["get" "list"]}
            """)
        let modest = RBACFixtures.role("modest", namespace: "ns1", rules: [Self.rbac])
        try RBACEscalation.check(definition("roles"), object: modest, old: nil, user: Self.lead, namespace: "ns1", state: state)
        try RBACEscalation.check(definition("roles"), object: greedy, old: nil, user: .authenticated("root", groups: ["system:masters"]), namespace: "ns1", state: state)
        state.insertNew(StorageKey(group: RBACPolicy.group, resource: "roles"),
                        RBACFixtures.role("escalator", namespace: "ns1", rules: [["verbs": ["escalate"], "apiGroups": ["rbac.authorization.k8s.io"], "resources": ["roles"]]]),
                        generation: false, now: Date())
        state.insertNew(StorageKey(group: RBACPolicy.group, resource: "rolebindings"),
                        RBACFixtures.binding("escalator", namespace: "ns1", role: ("Role", "escalator"), subjects: [["kind": "ServiceAccount", "name": "lead"]]),
                        generation: false, now: Date())
        try RBACEscalation.check(definition("roles"), object: greedy, old: nil, user: Self.lead, namespace: "ns1", state: state)
    }

    @Test("a binding to a role its author does not hold is refused unless the bind verb names that role; a missing role is named")
    func bindingEscalation() throws {
        var state = RBACFixtures.state([
            ("roles", RBACFixtures.role("rbac-writer", namespace: "ns1", rules: [Self.rbac])),
            ("rolebindings", RBACFixtures.binding("lead", namespace: "ns1", role: ("Role", "rbac-writer"), subjects: [["kind": "ServiceAccount", "name": "lead"]])),
        ], bootstrap: true)
        let toAdmin = RBACFixtures.binding("x", namespace: "ns1", role: ("ClusterRole", "cluster-admin"), subjects: [["kind": "User", "name": "mallory"]])
        let refused = try #require(throws: KubeStatus.self) {
            try RBACEscalation.check(definition("rolebindings"), object: toAdmin, old: nil, user: Self.lead, namespace: "ns1", state: state)
        }
        #expect(refused.message.hasPrefix(#"rolebindings.rbac.authorization.k8s.io "x" is forbidden: user "system:serviceaccount:ns1:lead""#))
        #expect(refused.message.contains(#"{APIGroups:["*"], Resources:["*"], Verbs:["*"]}"#))
        let toMissing = RBACFixtures.binding("y", namespace: "ns1", role: ("ClusterRole", "nope"), subjects: [])
        let missing = try #require(throws: KubeStatus.self) {
            try RBACEscalation.check(definition("rolebindings"), object: toMissing, old: nil, user: Self.lead, namespace: "ns1", state: state)
        }
        #expect(missing.message == #"rolebindings.rbac.authorization.k8s.io "y" is forbidden: clusterrole.rbac.authorization.k8s.io "nope" not found"#)
        let toOwnRole = RBACFixtures.binding("z", namespace: "ns1", role: ("Role", "rbac-writer"), subjects: [["kind": "User", "name": "bob"]])
        try RBACEscalation.check(definition("rolebindings"), object: toOwnRole, old: nil, user: Self.lead, namespace: "ns1", state: state)
        state.insertNew(StorageKey(group: RBACPolicy.group, resource: "roles"),
                        RBACFixtures.role("binder", namespace: "ns1", rules: [["verbs": ["bind"], "apiGroups": ["rbac.authorization.k8s.io"],
                                                                               "resources": ["clusterroles"], "resourceNames": ["cluster-admin"]]]),
                        generation: false, now: Date())
        state.insertNew(StorageKey(group: RBACPolicy.group, resource: "rolebindings"),
                        RBACFixtures.binding("binder", namespace: "ns1", role: ("Role", "binder"), subjects: [["kind": "ServiceAccount", "name": "lead"]]),
                        generation: false, now: Date())
        try RBACEscalation.check(definition("rolebindings"), object: toAdmin, old: nil, user: Self.lead, namespace: "ns1", state: state)
        let toView = RBACFixtures.binding("v", namespace: "ns1", role: ("ClusterRole", "view"), subjects: [])
        #expect(throws: KubeStatus.self) {
            try RBACEscalation.check(definition("rolebindings"), object: toView, old: nil, user: Self.lead, namespace: "ns1", state: state)
        }
    }

    @Test("aggregationRule needs cluster-admin; an update touching only finalizers is never an escalation")
    func aggregationRuleAndGarbageCollectionFields() throws {
        let state = RBACFixtures.state([
            ("clusterroles", RBACFixtures.role("rbac-writer", rules: [["verbs": ["create", "update", "patch"], "apiGroups": ["rbac.authorization.k8s.io"], "resources": ["clusterroles"]]])),
            ("clusterrolebindings", RBACFixtures.binding("lead", role: ("ClusterRole", "rbac-writer"), subjects: [["kind": "ServiceAccount", "name": "lead", "namespace": "ns1"]])),
        ])
        var aggregated = RBACFixtures.role("aggregated", rules: [])
        aggregated["aggregationRule"] = ["clusterRoleSelectors": [["matchLabels": ["a": "b"]]]]
        let error = try #require(throws: KubeStatus.self) {
            try RBACEscalation.check(definition("clusterroles"), object: aggregated, old: nil, user: Self.lead, namespace: "", state: state)
        }
        #expect(error.message == #"clusterroles.rbac.authorization.k8s.io "aggregated" is forbidden: must have cluster-admin privileges to use the aggregationRule"#)
        let greedy = RBACFixtures.role("greedy", rules: [["verbs": ["*"], "apiGroups": ["*"], "resources": ["*"]]])
        var finalized = greedy
        finalized[path: ["metadata", "finalizers"]] = ["example.com/hold"]
        try RBACEscalation.check(definition("clusterroles"), object: finalized, old: greedy, user: Self.lead, namespace: "", state: state)
        #expect(throws: KubeStatus.self) {
            try RBACEscalation.check(definition("clusterroles"), object: greedy, old: RBACFixtures.role("greedy", rules: []), user: Self.lead, namespace: "", state: state)
        }
    }
}
