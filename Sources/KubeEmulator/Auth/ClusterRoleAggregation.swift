import KubeAPI

extension StoreState {
    /// What kube-controller-manager's clusterrole-aggregation controller does, synchronously: every
    /// ClusterRole with an `aggregationRule` gets as `rules` the union of the rules of the other
    /// ClusterRoles its selectors match (by selector, then by name, without duplicates), repeated
    /// until nothing changes, so aggregations of aggregations settle too.
    ///
    /// # Guarantees
    /// - Terminates: at most one pass per aggregating ClusterRole plus one (a selector cycle
    ///   settles or stops there).
    /// - Writes only ClusterRoles whose rules change, each with a new resourceVersion and event.
    mutating func aggregateClusterRoles() {
        guard !aggregatingClusterRoles else { return }
        aggregatingClusterRoles = true
        defer { aggregatingClusterRoles = false }
        let storage = StorageKey(group: RBACPolicy.group, resource: "clusterroles")
        let aggregating = objects(storage, namespace: nil).filter { Self.aggregationSelectors(of: $0.object) != nil }.map(\.key)
        guard !aggregating.isEmpty else { return }
        for _ in 0...aggregating.count {
            var changed = false
            for key in aggregating {
                guard let role = object(storage, key), let selectors = Self.aggregationSelectors(of: role) else { continue }
                let all = objects(storage, namespace: nil)
                var rules: [PolicyRule] = []
                for selector in selectors {
                    for (otherKey, other) in all where otherKey != key && selector.matches(Self.labels(of: other)) {
                        for rule in RBACPolicy.rules(of: other) where !rules.contains(rule) { rules.append(rule) }
                    }
                }
                guard rules != RBACPolicy.rules(of: role) else { continue }
                var updated = role
                updated["rules"] = .array(rules.map(\.json))
                put(storage, key, updated)
                changed = true
            }
            if !changed { return }
        }
    }

    /// The selectors of a ClusterRole's `aggregationRule`; nil when it has none. Selectors that
    /// are not objects are skipped (an empty selector matches every ClusterRole, as in Kubernetes).
    static func aggregationSelectors(of role: JSONValue) -> [LabelSelector]? {
        guard let selectors = role[path: ["aggregationRule", "clusterRoleSelectors"]]?.arrayValue else { return nil }
        return selectors.compactMap(SelectorText.selectorValue)
    }

    private static func labels(of object: JSONValue) -> [String: String] {
        (object[path: ["metadata", "labels"]]?.objectValue ?? [:]).compactMapValues(\.stringValue)
    }
}
