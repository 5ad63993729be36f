import Foundation
import KubeAPI

/// One RBAC rule (`rbac.authorization.k8s.io/v1` PolicyRule), matched against a request exactly
/// as kube-apiserver's RBAC authorizer does.
struct PolicyRule: Sendable, Hashable {
    var verbs: [String]
    var apiGroups: [String] = []
    var resources: [String] = []
    var resourceNames: [String] = []
    var nonResourceURLs: [String] = []

    static let all = "*"

    /// Reads a rule from its JSON form; absent lists are empty.
    init(json: JSONValue) {
        func strings(_ key: String) -> [String] { json[key]?.arrayValue?.compactMap(\.stringValue) ?? [] }
        self.init(verbs: strings("verbs"), apiGroups: strings("apiGroups"), resources: strings("resources"),
                  resourceNames: strings("resourceNames"), nonResourceURLs: strings("nonResourceURLs"))
    }

    init(verbs: [String], apiGroups: [String] = [], resources: [String] = [], resourceNames: [String] = [], nonResourceURLs: [String] = []) {
        self.verbs = verbs
        self.apiGroups = apiGroups
        self.resources = resources
        self.resourceNames = resourceNames
        self.nonResourceURLs = nonResourceURLs
    }

    /// The JSON form, without empty lists (as the Go `omitempty` tags serialize it).
    var json: JSONValue {
        var object: [String: JSONValue] = ["verbs": .array(verbs.map { .string($0) })]
        if !apiGroups.isEmpty { object["apiGroups"] = .array(apiGroups.map { .string($0) }) }
        if !resources.isEmpty { object["resources"] = .array(resources.map { .string($0) }) }
        if !resourceNames.isEmpty { object["resourceNames"] = .array(resourceNames.map { .string($0) }) }
        if !nonResourceURLs.isEmpty { object["nonResourceURLs"] = .array(nonResourceURLs.map { .string($0) }) }
        return .object(object)
    }

    /// Whether the rule allows the request: verb, then API group, resource (`*`, exact,
    /// `resource/subresource`, or `*/subresource`) and resource name for resource requests, or
    /// the path (exact, `*`, or a `prefix*`) for non-resource requests.
    func allows(_ request: AuthorizationAttributes) -> Bool {
        guard verbs.contains(where: { $0 == Self.all || $0 == request.verb }) else { return false }
        guard request.isResourceRequest else {
            return nonResourceURLs.contains { Self.url($0, covers: request.path) }
        }
        return apiGroups.contains(where: { $0 == Self.all || $0 == request.apiGroup })
            && matchesResource(request.combinedResource, subresource: request.subresource)
            && (resourceNames.isEmpty || resourceNames.contains(request.name))
    }

    private func matchesResource(_ combined: String, subresource: String) -> Bool {
        resources.contains { resource in
            resource == Self.all || resource == combined || (!subresource.isEmpty && resource == "*/\(subresource)")
        }
    }

    /// Whether a rule's non-resource URL covers `path`: equal, `*`, or a prefix ending in `*`.
    static func url(_ ruleURL: String, covers path: String) -> Bool {
        if ruleURL == all || ruleURL == path { return true }
        guard ruleURL.hasSuffix("*") else { return false }
        var prefix = Substring(ruleURL)
        while prefix.hasSuffix("*") { prefix = prefix.dropLast() }
        return path.hasPrefix(prefix)
    }

    /// The compact form kube-apiserver's escalation errors list:
    /// `{APIGroups:["apps"], Resources:["deployments"], Verbs:["delete"]}`.
    var compactDescription: String {
        var parts: [String] = []
        if !apiGroups.isEmpty { parts.append("APIGroups:\(GoQuoted.list(apiGroups))") }
        if !resources.isEmpty { parts.append("Resources:\(GoQuoted.list(resources))") }
        if !nonResourceURLs.isEmpty { parts.append("NonResourceURLs:\(GoQuoted.list(nonResourceURLs))") }
        if !resourceNames.isEmpty { parts.append("ResourceNames:\(GoQuoted.list(resourceNames))") }
        if !verbs.isEmpty { parts.append("Verbs:\(GoQuoted.list(verbs))") }
        return "{" + parts.joined(separator: ", ") + "}"
    }
}

/// Go's `%q` for strings: double-quoted with backslash escapes.
enum GoQuoted {
    static func string(_ value: String) -> String {
        var out = "\""
        for scalar in value.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\t": out += "\\t"
            case "\r": out += "\\r"
            default:
                if scalar.value < 0x20 || scalar.value == 0x7f {
                    out += String(format: "\\x%02x", scalar.value)
                } else {
                    out.unicodeScalars.append(scalar)
                }
            }
        }
        return out + "\""
    }

    /// `%q` of a string slice: `["a" "b"]`.
    static func list(_ values: [String]) -> String { "[" + values.map(string).joined(separator: " ") + "]" }
}
