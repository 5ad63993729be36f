import Foundation
import Yams

/// The pure part of ``KubeconfigWriter``: merges an entry into kubeconfig YAML text, with no I/O.
///
/// Works on the YAML node tree rather than a typed model so that every key it does not manage — other
/// entries, `preferences`, `extensions`, fields added by newer kubectl versions — is kept as it was,
/// in its original order. YAML comments are not kept (kubectl drops them too).
enum KubeconfigMerge {
    /// The YAML text of `existing` (empty for a new file) with `entry` merged in. `path` only names the file in errors.
    static func merging(_ entry: KubeconfigEntry, into existing: String, path: String) throws(KubeconfigWriterError) -> String {
        guard !entry.name.isEmpty else { throw .emptyName(path: path) }
        var root = try rootMapping(of: existing, path: path)

        if root["apiVersion"] == nil { root["apiVersion"] = string("v1") }
        if root["kind"] == nil { root["kind"] = string("Config") }
        try upsert(named: entry.name, field: "cluster", value: clusterNode(entry), in: "clusters", of: &root, path: path)
        try upsert(named: entry.name, field: "user", value: userNode(entry), in: "users", of: &root, path: path)
        try upsert(named: entry.name, field: "context", value: contextNode(entry), in: "contexts", of: &root, path: path)
        if isUnset(root["current-context"]) {
            root["current-context"] = string(entry.name)
        }

        do {
            return try Yams.serialize(node: .mapping(root), width: -1)
        } catch {
            throw .notAKubeconfig(path: path, reason: "the merged document cannot be written as YAML (\(error))")
        }
    }

    private static func rootMapping(of text: String, path: String) throws(KubeconfigWriterError) -> Node.Mapping {
        let node: Node?
        do {
            node = try Yams.compose(yaml: text)
        } catch {
            throw .notAKubeconfig(path: path, reason: "it is not valid YAML (\(error))")
        }
        switch node {
        case nil:
            return Node.Mapping([])
        case .mapping(let mapping):
            return mapping
        case .some(let scalar) where scalar.null != nil:
            return Node.Mapping([])
        default:
            throw .notAKubeconfig(path: path, reason: "its top level is not a mapping with 'clusters', 'users' and 'contexts'")
        }
    }

    /// Replaces the item of `list` whose `name` is `name` (keeping its position, dropping later duplicates),
    /// or appends one. A missing or null list is created.
    private static func upsert(
        named name: String,
        field: String,
        value: Node,
        in list: String,
        of root: inout Node.Mapping,
        path: String
    ) throws(KubeconfigWriterError) {
        let newItem = Node([(string("name"), string(name)), (string(field), value)])
        var items: [Node]
        switch root[list] {
        case nil:
            items = []
        case .sequence(let sequence):
            items = Array(sequence)
        case .some(let scalar) where scalar.null != nil:
            items = []
        default:
            throw .notAKubeconfig(path: path, reason: "'\(list)' is not a list")
        }
        let matching = items.indices.filter { items[$0]["name"]?.string == name }
        if let first = matching.first {
            items[first] = newItem
            for index in matching.dropFirst().reversed() {
                items.remove(at: index)
            }
        } else {
            items.append(newItem)
        }
        root[list] = Node(items)
    }

    /// Whether a field is missing, null or the empty string (all of which kubectl reads as unset).
    private static func isUnset(_ node: Node?) -> Bool {
        guard let node else { return true }
        return node.null != nil || node.string == ""
    }

    private static func clusterNode(_ entry: KubeconfigEntry) -> Node {
        var pairs = [(string("server"), string(entry.server))]
        if let ca = entry.certificateAuthorityPEM {
            pairs.append((string("certificate-authority-data"), base64(ca)))
        }
        return Node(pairs)
    }

    private static func userNode(_ entry: KubeconfigEntry) -> Node {
        switch entry.credentials {
        case .token(let token):
            return Node([(string("token"), string(token))])
        case .clientCertificate(let certificatePEM, let privateKeyPEM):
            return Node([
                (string("client-certificate-data"), base64(certificatePEM)),
                (string("client-key-data"), base64(privateKeyPEM)),
            ])
        }
    }

    private static func contextNode(_ entry: KubeconfigEntry) -> Node {
        var pairs = [(string("cluster"), string(entry.name)), (string("user"), string(entry.name))]
        if let namespace = entry.namespace {
            pairs.append((string("namespace"), string(namespace)))
        }
        return Node(pairs)
    }

    private static func base64(_ text: String) -> Node {
        string(Data(text.utf8).base64EncodedString())
    }

    /// A scalar that reads back as the string `text`: quoted when plain YAML would read it as a number,
    /// boolean or null (a token `12345`, a namespace `true`).
    private static func string(_ text: String) -> Node {
        let plain = Node(text)
        if Resolver.default.resolveTag(of: plain) == .str {
            return Node(text, Tag(.str))
        }
        return Node(text, Tag(.str), .doubleQuoted)
    }
}
