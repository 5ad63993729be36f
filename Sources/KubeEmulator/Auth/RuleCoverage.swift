/// Whether some rules cover others, as kube-apiserver's escalation check decides it: each rule to
/// grant is broken down into single (group, resource, verb[, name]) or (URL, verb) rules, and each
/// of those must be covered by one held rule.
enum RuleCoverage {
    /// The broken-down rules of `rules` that no rule of `owned` covers; empty when all are covered.
    static func uncovered(_ rules: [PolicyRule], by owned: [PolicyRule]) -> [PolicyRule] {
        rules.flatMap(breakdown).filter { subrule in !owned.contains { covers($0, subrule) } }
    }

    /// One rule per API group × resource × verb (× resource name), then per non-resource URL × verb.
    static func breakdown(_ rule: PolicyRule) -> [PolicyRule] {
        var subrules: [PolicyRule] = []
        for group in rule.apiGroups {
            for resource in rule.resources {
                for verb in rule.verbs {
                    if rule.resourceNames.isEmpty {
                        subrules.append(PolicyRule(verbs: [verb], apiGroups: [group], resources: [resource]))
                    } else {
                        for name in rule.resourceNames {
                            subrules.append(PolicyRule(verbs: [verb], apiGroups: [group], resources: [resource], resourceNames: [name]))
                        }
                    }
                }
            }
        }
        for url in rule.nonResourceURLs {
            for verb in rule.verbs { subrules.append(PolicyRule(verbs: [verb], nonResourceURLs: [url])) }
        }
        return subrules
    }

    /// Whether `owner` covers `subrule` (a broken-down rule).
    static func covers(_ owner: PolicyRule, _ subrule: PolicyRule) -> Bool {
        let verbs = owner.verbs.contains(PolicyRule.all) || Set(owner.verbs).isSuperset(of: subrule.verbs)
        let groups = owner.apiGroups.contains(PolicyRule.all) || Set(owner.apiGroups).isSuperset(of: subrule.apiGroups)
        let resources = resourcesCover(owner.resources, subrule.resources)
        let urls = subrule.nonResourceURLs.allSatisfy { url in owner.nonResourceURLs.contains { PolicyRule.url($0, covers: url) } }
        let names = owner.resourceNames.isEmpty || (!subrule.resourceNames.isEmpty && Set(owner.resourceNames).isSuperset(of: subrule.resourceNames))
        return verbs && groups && resources && urls && names
    }

    private static func resourcesCover(_ owned: [String], _ wanted: [String]) -> Bool {
        if owned.contains(PolicyRule.all) || Set(owned).isSuperset(of: wanted) { return true }
        return wanted.allSatisfy { resource in
            if owned.contains(resource) { return true }
            guard let slash = resource.firstIndex(of: "/") else { return false }
            return owned.contains("*" + resource[slash...])
        }
    }

    /// Merges broken-down rules that differ only by verb (one group, one resource, at most one
    /// name, nothing else) into one rule each, as kube-apiserver's `CompactRules`.
    static func compact(_ rules: [PolicyRule]) -> [PolicyRule] {
        var compacted: [PolicyRule] = []
        var simple: [PolicyRule] = []
        for rule in rules {
            let isSimple = rule.apiGroups.count == 1 && rule.resources.count == 1 && rule.resourceNames.count <= 1 && rule.nonResourceURLs.isEmpty
            guard isSimple else {
                compacted.append(rule)
                continue
            }
            if let index = simple.firstIndex(where: { $0.apiGroups == rule.apiGroups && $0.resources == rule.resources && $0.resourceNames == rule.resourceNames }) {
                simple[index].verbs += rule.verbs
            } else {
                simple.append(rule)
            }
        }
        return compacted + simple
    }
}
