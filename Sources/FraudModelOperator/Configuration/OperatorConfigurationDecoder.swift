import FraudModelAPI
import FraudModelPlanning
import KubeAPI

/// Turns the YAML document of `clusters.yaml` into member clusters, collecting every
/// problem on the way (a member with a problem is left out; the caller fails on any).
struct OperatorConfigurationDecoder {
    typealias Problem = OperatorConfigurationError.Problem

    /// The fields of the document.
    static let documentFields = ["clusters"]
    /// The fields of one member, in the order the documentation lists them.
    static let memberFields = ["name", "provider", "region", "kubeconfig", "context", "inCluster", "registry", "mode", "serving"]

    /// The folder relative kubeconfig paths resolve against.
    var directory: String
    /// What `~/` expands to; nil: `~/` paths are a problem.
    var home: String?
    /// Every problem found so far.
    private(set) var problems: [Problem] = []

    init(directory: String, home: String?) {
        self.directory = directory
        self.home = home
    }

    /// The members of `document`, in its order.
    mutating func decode(_ document: JSONValue) -> [MemberCluster] {
        guard case .object(let fields) = document else {
            report("", document.isNull ? "the file is empty; expected a mapping with a clusters list"
                : "expected a mapping with a clusters list, got \(describe(document))")
            return []
        }
        rejectUnknownFields(fields, known: Self.documentFields, at: "")
        guard let list = fields["clusters"], !list.isNull else {
            report("clusters", "required: the list of member clusters")
            return []
        }
        guard case .array(let entries) = list else {
            report("clusters", "expected a list of member clusters, got \(describe(list))")
            return []
        }
        guard !entries.isEmpty else {
            report("clusters", "must list at least one member cluster")
            return []
        }
        var members: [MemberCluster] = []
        var indexOfName: [String: Int] = [:]
        var inClusterIndex: Int?
        for (index, entry) in entries.enumerated() {
            let path = "clusters[\(index)]"
            let member = decodeMember(entry, at: path)
            // Checked on the raw entry so that a member with another problem is still compared.
            if let name = entry["name"]?.stringValue, FraudModelValidation.isDNSLabel(name) {
                if let first = indexOfName[name] {
                    report("\(path).name", "duplicate name \"\(name)\" (also clusters[\(first)])")
                } else {
                    indexOfName[name] = index
                }
            }
            if entry["inCluster"]?.boolValue == true {
                if let first = inClusterIndex {
                    report("\(path).inCluster", "only one member can be inCluster: true (clusters[\(first)] already is; it is the cluster the operator runs in)")
                } else {
                    inClusterIndex = index
                }
            }
            if let member { members.append(member) }
        }
        return members
    }

    private mutating func decodeMember(_ entry: JSONValue, at path: String) -> MemberCluster? {
        guard case .object(let fields) = entry else {
            report(path, "expected a mapping (a member cluster), got \(describe(entry))")
            return nil
        }
        let problemsBefore = problems.count
        rejectUnknownFields(fields, known: Self.memberFields, at: path)

        var name: String?
        if fields["name"]?.isNull ?? true {
            report("\(path).name", "required: the cluster's name, a DNS label such as \"eks\"")
        } else if let text = string("name", in: fields, at: path) {
            if FraudModelValidation.isDNSLabel(text) {
                name = text
            } else {
                report("\(path).name", "\"\(text)\" is not a DNS label (lowercase letters, digits, '-'; at most 63)")
            }
        }
        let provider = choice("provider", in: fields, at: path, default: MemberCluster.defaultProvider)
        let region = string("region", in: fields, at: path).flatMap { $0.isEmpty ? nil : $0 }
        let access = decodeAccess(fields, at: path)
        let registry = nonEmptyString("registry", in: fields, at: path).flatMap { checkedRegistry($0, at: "\(path).registry") }
        let mode = choice("mode", in: fields, at: path, default: MemberCluster.defaultMode)
        let serving = decodeServing(fields["serving"], provider: provider, at: "\(path).serving")

        guard problems.count == problemsBefore, let name, let provider, let mode, let access, let serving else { return nil }
        return MemberCluster(name: name, provider: provider, region: region, access: access, registry: registry, mode: mode, serving: serving)
    }

    /// Exactly one of `kubeconfig` (with an optional `context`) and `inCluster: true`.
    private mutating func decodeAccess(_ fields: [String: JSONValue], at path: String) -> ClusterAccess? {
        let hasKubeconfig = !(fields["kubeconfig"]?.isNull ?? true)
        let hasContext = !(fields["context"]?.isNull ?? true)
        let kubeconfig = nonEmptyString("kubeconfig", in: fields, at: path)
        let context = nonEmptyString("context", in: fields, at: path)
        let inCluster: Bool
        if let value = fields["inCluster"], !value.isNull {
            guard let flag = value.boolValue else {
                report("\(path).inCluster", "expected true or false, got \(describe(value))")
                return nil
            }
            inCluster = flag
        } else {
            inCluster = false
        }

        if inCluster {
            if hasKubeconfig { report("\(path).kubeconfig", "not allowed with inCluster: true; use one or the other") }
            if hasContext { report("\(path).context", "not allowed with inCluster: true; a context belongs to a kubeconfig") }
            return hasKubeconfig || hasContext ? nil : .inCluster
        }
        guard hasKubeconfig else {
            if let context {
                report("\(path).kubeconfig", "required with context \"\(context)\": the kubeconfig file holding that context")
            } else if !hasContext {
                report(path, "needs kubeconfig (with an optional context) or inCluster: true")
            }
            return nil
        }
        guard let kubeconfig else { return nil }
        guard let resolved = ConfigurationPath.resolve(kubeconfig, relativeTo: directory, home: home) else {
            report("\(path).kubeconfig", "cannot expand \"\(kubeconfig)\": HOME is not set")
            return nil
        }
        return .kubeconfig(path: resolved, context: context)
    }

    /// `registry` when it is a bare registry host with an optional path.
    private mutating func checkedRegistry(_ registry: String, at location: String) -> String? {
        if let scheme = registry.range(of: "://") {
            report(location, "\"\(registry)\" must not include a scheme; write \"\(registry[scheme.upperBound...])\"")
        } else if registry.hasSuffix("/") {
            var trimmed = registry
            while trimmed.hasSuffix("/") { trimmed.removeLast() }
            report(location, "\"\(registry)\" must not end with \"/\"; write \"\(trimmed)\"")
        } else if !FraudModelValidation.matches(registry, FraudModelValidation.registryPattern) {
            report(location, "\"\(registry)\" is not a registry such as \"us-central1-docker.pkg.dev/project/repo\"")
        } else {
            return registry
        }
        return nil
    }

    // MARK: - Fields

    mutating func rejectUnknownFields(_ fields: [String: JSONValue], known: [String], at path: String) {
        for key in fields.keys.sorted() where !known.contains(key) {
            let hint = FieldSuggestion.closest(to: key, among: known).map { " (did you mean \"\($0)\"?)" }
                ?? "; expected \(known.joined(separator: ", "))"
            report(path.isEmpty ? key : "\(path).\(key)", "unknown field\(hint)")
        }
    }

    /// The string at `key`; nil when absent, null or (reported) not a string.
    mutating func string(_ key: String, in fields: [String: JSONValue], at path: String) -> String? {
        guard let value = fields[key], !value.isNull else { return nil }
        guard let text = value.stringValue else {
            report("\(path).\(key)", "expected a string, got \(describe(value))")
            return nil
        }
        return text
    }

    /// As `string`, and an empty string is reported.
    mutating func nonEmptyString(_ key: String, in fields: [String: JSONValue], at path: String) -> String? {
        guard let text = string(key, in: fields, at: path) else { return nil }
        guard !text.isEmpty else {
            report("\(path).\(key)", "must not be empty")
            return nil
        }
        return text
    }

    /// The case named at `key`, `fallback` when absent; nil when (reported) unsupported.
    private mutating func choice<Choice: RawRepresentable & CaseIterable>(
        _ key: String, in fields: [String: JSONValue], at path: String, default fallback: Choice
    ) -> Choice? where Choice.RawValue == String {
        guard let value = fields[key], !value.isNull else { return fallback }
        let allowed = Choice.allCases.map(\.rawValue).joined(separator: ", ")
        guard let text = value.stringValue else {
            report("\(path).\(key)", "expected one of \(allowed), got \(describe(value))")
            return nil
        }
        guard let choice = Choice(rawValue: text) else {
            report("\(path).\(key)", "unsupported value \"\(text)\": expected one of \(allowed)")
            return nil
        }
        return choice
    }

    mutating func report(_ location: String, _ message: String) {
        problems.append(Problem(location: location, message: message))
    }

    /// A value's YAML kind for messages, with the value itself when it is a short scalar.
    func describe(_ value: JSONValue) -> String {
        switch value {
        case .null: return "null"
        case .bool(let flag): return "a boolean (\(flag))"
        case .int(let number): return "an integer (\(number))"
        case .double(let number): return "a number (\(number))"
        case .string(let text): return "a string (\"\(text.count > 40 ? String(text.prefix(40)) + "…" : text)\")"
        case .array: return "a list"
        case .object: return "a mapping"
        }
    }
}
