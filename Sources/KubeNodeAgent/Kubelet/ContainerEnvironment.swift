import Foundation
import KubeAPI

/// Why a container's configuration cannot be built: kubelet's CreateContainerConfigError.
struct ContainerConfigError: Error, Sendable, CustomStringConvertible {
    var description: String
}

/// A container's environment as the kubelet builds it: the image's ENV, then the service
/// variables, `envFrom`, `env` (later entries win), with `$(VAR)` expanded against what is
/// defined before.
struct ContainerEnvironment {
    /// Reads a ConfigMap or Secret (resource, namespace, name).
    typealias Lookup = (ResourceDescriptor, String, String) -> JSONValue?

    let pod: JSONValue
    let lookup: Lookup

    var namespace: String { pod[path: ["metadata", "namespace"]]?.stringValue ?? "default" }

    /// The final variables, in order, without duplicates.
    func build(container: JSONValue, image: ImageCatalog.Image, serviceVariables: [(String, String)]) throws(ContainerConfigError) -> [(String, String)] {
        var ordered = OrderedVariables()
        for (name, value) in image.env { ordered.set(name, value) }
        var defined: [String: String] = [:]
        for (name, value) in serviceVariables {
            ordered.set(name, value)
            defined[name] = value
        }
        for source in container["envFrom"]?.arrayValue ?? [] {
            let prefix = source["prefix"]?.stringValue ?? ""
            for (name, value) in try envFrom(source) {
                ordered.set(prefix + name, value)
                defined[prefix + name] = value
            }
        }
        for variable in container["env"]?.arrayValue ?? [] {
            guard let name = variable["name"]?.stringValue else { continue }
            let value: String
            if let from = variable["valueFrom"] {
                guard let resolved = try valueFrom(from, variable: name) else { continue }
                value = resolved
            } else {
                value = Self.expand(variable["value"]?.stringValue ?? "", with: defined)
            }
            ordered.set(name, value)
            defined[name] = value
        }
        if !ordered.contains("PATH") { ordered.set("PATH", NodeAgentConfiguration.Defaults.path) }
        if !ordered.contains("HOSTNAME") { ordered.set("HOSTNAME", pod[path: ["metadata", "name"]]?.stringValue ?? "") }
        return ordered.pairs
    }

    private func envFrom(_ source: JSONValue) throws(ContainerConfigError) -> [(String, String)] {
        if let ref = source["configMapRef"] {
            let name = ref["name"]?.stringValue ?? ""
            guard let map = lookup(.configMaps, namespace, name) else {
                if ref["optional"]?.boolValue == true { return [] }
                throw ContainerConfigError(description: "configmap \"\(name)\" not found")
            }
            return (map["data"]?.objectValue ?? [:]).sorted { $0.key < $1.key }.map { ($0.key, $0.value.stringValue ?? "") }
        }
        if let ref = source["secretRef"] {
            let name = ref["name"]?.stringValue ?? ""
            guard let secret = lookup(.secrets, namespace, name) else {
                if ref["optional"]?.boolValue == true { return [] }
                throw ContainerConfigError(description: "secret \"\(name)\" not found")
            }
            return Self.secretData(secret).sorted { $0.key < $1.key }.map { ($0.key, String(decoding: $0.value, as: UTF8.self)) }
        }
        return []
    }

    private func valueFrom(_ from: JSONValue, variable: String) throws(ContainerConfigError) -> String? {
        if let field = from[path: ["fieldRef", "fieldPath"]]?.stringValue {
            guard let value = Self.fieldValue(field, of: pod) else {
                throw ContainerConfigError(description: "unsupported fieldPath \(field) for variable \(variable)")
            }
            return value
        }
        if let ref = from["configMapKeyRef"] {
            return try keyRef(ref, in: .configMaps, kind: "ConfigMap") { map, key in map[path: ["data", key]]?.stringValue }
        }
        if let ref = from["secretKeyRef"] {
            return try keyRef(ref, in: .secrets, kind: "Secret") { secret, key in
                Self.secretData(secret)[key].map { String(decoding: $0, as: UTF8.self) }
            }
        }
        if from["resourceFieldRef"] != nil { return nil }
        return nil
    }

    /// One key of a ConfigMap or Secret, with kubelet's messages; nil when optional and missing.
    private func keyRef(_ ref: JSONValue, in resource: ResourceDescriptor, kind: String,
                        read: (JSONValue, String) -> String?) throws(ContainerConfigError) -> String? {
        let name = ref["name"]?.stringValue ?? "", key = ref["key"]?.stringValue ?? ""
        let optional = ref["optional"]?.boolValue == true
        guard let object = lookup(resource, namespace, name) else {
            if optional { return nil }
            throw ContainerConfigError(description: "\(kind.lowercased()) \"\(name)\" not found")
        }
        guard let value = read(object, key) else {
            if optional { return nil }
            throw ContainerConfigError(description: "couldn't find key \(key) in \(kind) \(namespace)/\(name)")
        }
        return value
    }

    /// A Secret's `data` (base64) and `stringData`, decoded.
    static func secretData(_ secret: JSONValue) -> [String: [UInt8]] {
        var result: [String: [UInt8]] = [:]
        for (key, value) in secret["data"]?.objectValue ?? [:] {
            if let text = value.stringValue, let data = Data(base64Encoded: text) { result[key] = Array(data) }
        }
        for (key, value) in secret["stringData"]?.objectValue ?? [:] { result[key] = Array((value.stringValue ?? "").utf8) }
        return result
    }

    /// The downward API's fields.
    static func fieldValue(_ path: String, of pod: JSONValue) -> String? {
        switch path {
        case "metadata.name": return pod[path: ["metadata", "name"]]?.stringValue ?? ""
        case "metadata.namespace": return pod[path: ["metadata", "namespace"]]?.stringValue ?? ""
        case "metadata.uid": return pod[path: ["metadata", "uid"]]?.stringValue ?? ""
        case "spec.nodeName": return pod[path: ["spec", "nodeName"]]?.stringValue ?? ""
        case "spec.serviceAccountName": return pod[path: ["spec", "serviceAccountName"]]?.stringValue ?? "default"
        case "status.podIP": return pod[path: ["status", "podIP"]]?.stringValue ?? ""
        case "status.podIPs": return pod[path: ["status", "podIP"]]?.stringValue ?? ""
        case "status.hostIP", "status.hostIPs": return pod[path: ["status", "hostIP"]]?.stringValue ?? ""
        default:
            for (prefix, field) in [("metadata.labels['", "labels"), ("metadata.annotations['", "annotations")]
            where path.hasPrefix(prefix) && path.hasSuffix("']") {
                let key = String(path.dropFirst(prefix.count).dropLast(2))
                return pod[path: ["metadata", field, key]]?.stringValue ?? ""
            }
            return nil
        }
    }

    /// Kubernetes' `$(VAR)` expansion: defined names are replaced, `$$` is a literal `$`, and
    /// anything else stays as written.
    static func expand(_ input: String, with variables: [String: String]) -> String {
        var output = ""
        var index = input.startIndex
        while index < input.endIndex {
            let character = input[index]
            let next = input.index(after: index)
            guard character == "$", next < input.endIndex else {
                output.append(character)
                index = next
                continue
            }
            if input[next] == "$" {
                output.append("$")
                index = input.index(after: next)
            } else if input[next] == "(", let close = input[next...].firstIndex(of: ")") {
                let name = String(input[input.index(after: next)..<close])
                if let value = variables[name] { output += value } else { output += String(input[index...close]) }
                index = input.index(after: close)
            } else {
                output.append(character)
                index = next
            }
        }
        return output
    }
}

/// Variables in first-definition order; a later definition replaces the value in place.
struct OrderedVariables {
    private(set) var pairs: [(String, String)] = []
    private var positions: [String: Int] = [:]

    mutating func set(_ name: String, _ value: String) {
        if let position = positions[name] {
            pairs[position].1 = value
        } else {
            positions[name] = pairs.count
            pairs.append((name, value))
        }
    }

    func contains(_ name: String) -> Bool { positions[name] != nil }
}
