import Yams

/// A YAML document that could not be read as JSON-compatible data.
public struct YAMLConversionError: Error, Sendable, CustomStringConvertible {
    public let description: String
}

extension JSONValue {
    /// Parses a single YAML document (YAML 1.1 scalars, as Kubernetes' YAML decoder reads them).
    public init(yaml text: String) throws {
        guard let node = try Yams.compose(yaml: text) else {
            self = .null
            return
        }
        self = try JSONValue(node: node)
    }

    /// Every document of a multi-document YAML stream, skipping empty ones.
    public static func documents(yaml text: String) throws -> [JSONValue] {
        var result: [JSONValue] = []
        for node in try Yams.compose_all(yaml: text) {
            let value = try JSONValue(node: node)
            if !value.isNull { result.append(value) }
        }
        return result
    }

    init(node: Node) throws {
        switch node {
        case .scalar(let scalar):
            // `Node.tag` resolves implicit tags (the scalar's own tag does not).
            switch Tag.Name(rawValue: node.tag.description) {
            case .null: self = .null
            case .bool: self = .bool(Bool.construct(from: scalar) ?? false)
            case .int:
                if let value = Int64(scalar.string) { self = .int(value) } else if let value = Int.construct(from: scalar) { self = .int(Int64(value)) } else { self = .string(scalar.string) }
            case .float:
                self = Double.construct(from: scalar).map { .double($0) } ?? .string(scalar.string)
            default: self = .string(scalar.string)
            }
        case .mapping(let mapping):
            var members: [String: JSONValue] = [:]
            for (key, value) in mapping {
                guard case .scalar(let keyScalar) = key else { throw YAMLConversionError(description: "mapping keys must be scalars") }
                members[keyScalar.string] = try JSONValue(node: value)
            }
            self = .object(members)
        case .sequence(let sequence):
            self = .array(try sequence.map { try JSONValue(node: $0) })
        case .alias:
            throw YAMLConversionError(description: "YAML aliases are not supported")
        }
    }

    /// The value as YAML (block style, sorted keys).
    public func yamlString() throws -> String {
        try Yams.serialize(node: yamlNode, sortKeys: true)
    }

    var yamlNode: Node {
        switch self {
        case .null: return Node("null", Tag(.null))
        case .bool(let b): return Node(b ? "true" : "false", Tag(.bool))
        case .int(let i): return Node(String(i), Tag(.int))
        case .double(let d): return Node(d.description, Tag(.float))
        case .string(let s): return Node(s, Tag(.str), .singleQuoted)
        case .array(let elements): return Node(elements.map(\.yamlNode))
        case .object(let members): return Node(members.keys.sorted().map { (Node($0), members[$0]!.yamlNode) })
        }
    }
}
