/// JSON patch (RFC 6902), the `application/json-patch+json` patch type: a list of
/// `add`, `remove`, `replace`, `move`, `copy` and `test` operations.
public enum JSONPatch {
    /// Why a patch could not be applied.
    public struct Failure: Error, Sendable, Equatable, CustomStringConvertible {
        public let message: String
        /// True when a `test` operation failed (the API server answers 422 for it).
        public let testFailed: Bool

        public var description: String { message }
    }

    /// Applies the operations in order; any failure leaves the document unchanged.
    public static func apply(_ operations: JSONValue, to document: JSONValue) throws(Failure) -> JSONValue {
        guard let list = operations.arrayValue else { throw Failure(message: "json patch must be an array of operations", testFailed: false) }
        var result = document
        for (index, operation) in list.enumerated() {
            guard let op = operation["op"]?.stringValue else { throw Failure(message: "operation \(index) has no \"op\"", testFailed: false) }
            guard let path = operation["path"]?.stringValue else { throw Failure(message: "operation \(index) (\(op)) has no \"path\"", testFailed: false) }
            let pointer = try parsePointer(path)
            switch op {
            case "add":
                guard let value = operation["value"] else { throw Failure(message: "add operation does not apply: missing value", testFailed: false) }
                result = try add(value, at: pointer, in: result, path: path)
            case "remove":
                result = try remove(at: pointer, in: result, path: path).document
            case "replace":
                guard let value = operation["value"] else { throw Failure(message: "replace operation does not apply: missing value", testFailed: false) }
                _ = try get(pointer, in: result, path: path)
                result = try set(value, at: pointer, in: result, path: path)
            case "move", "copy":
                guard let from = operation["from"]?.stringValue else { throw Failure(message: "\(op) operation has no \"from\"", testFailed: false) }
                let source = try parsePointer(from)
                let value: JSONValue
                if op == "move" {
                    let removed = try remove(at: source, in: result, path: from)
                    result = removed.document
                    value = removed.value
                } else {
                    value = try get(source, in: result, path: from)
                }
                result = try add(value, at: pointer, in: result, path: path)
            case "test":
                let actual = try? get(pointer, in: result, path: path)
                guard let expected = operation["value"], let actual, actual.isSemanticallyEqual(to: expected) else {
                    throw Failure(message: "testing value \(path) failed", testFailed: true)
                }
            default:
                throw Failure(message: "Unexpected kind: \(op)", testFailed: false)
            }
        }
        return result
    }

    static func parsePointer(_ path: String) throws(Failure) -> [String] {
        if path.isEmpty { return [] }
        guard path.hasPrefix("/") else { throw Failure(message: "invalid JSON pointer \"\(path)\"", testFailed: false) }
        return path.dropFirst().split(separator: "/", omittingEmptySubsequences: false).map {
            $0.replacingOccurrences(of: "~1", with: "/").replacingOccurrences(of: "~0", with: "~")
        }
    }

    static func get(_ pointer: [String], in document: JSONValue, path: String) throws(Failure) -> JSONValue {
        var current = document
        for token in pointer {
            switch current {
            case .object(let members):
                guard let next = members[token] else { throw Failure(message: "doc is missing path: \"\(path)\"", testFailed: false) }
                current = next
            case .array(let elements):
                guard let index = Int(token), elements.indices.contains(index) else { throw Failure(message: "doc is missing path: \"\(path)\"", testFailed: false) }
                current = elements[index]
            default:
                throw Failure(message: "doc is missing path: \"\(path)\"", testFailed: false)
            }
        }
        return current
    }

    static func set(_ value: JSONValue, at pointer: [String], in document: JSONValue, path: String) throws(Failure) -> JSONValue {
        try modify(document, pointer[...], path: path) { container, token throws(Failure) in
            switch container {
            case .object(var members):
                members[token] = value
                return .object(members)
            case .array(var elements):
                guard let index = Int(token), elements.indices.contains(index) else { throw Failure(message: "replace operation does not apply: doc is missing key: \(path)", testFailed: false) }
                elements[index] = value
                return .array(elements)
            default:
                throw Failure(message: "doc is missing path: \"\(path)\"", testFailed: false)
            }
        }
    }

    static func add(_ value: JSONValue, at pointer: [String], in document: JSONValue, path: String) throws(Failure) -> JSONValue {
        if pointer.isEmpty { return value }
        return try modify(document, pointer[...], path: path) { container, token throws(Failure) in
            switch container {
            case .object(var members):
                members[token] = value
                return .object(members)
            case .array(var elements):
                if token == "-" {
                    elements.append(value)
                } else if let index = Int(token), index >= 0, index <= elements.count {
                    elements.insert(value, at: index)
                } else {
                    throw Failure(message: "add operation does not apply: index out of bounds: \(path)", testFailed: false)
                }
                return .array(elements)
            default:
                throw Failure(message: "add operation does not apply: doc is missing path: \"\(path)\"", testFailed: false)
            }
        }
    }

    static func remove(at pointer: [String], in document: JSONValue, path: String) throws(Failure) -> (document: JSONValue, value: JSONValue) {
        let value = try get(pointer, in: document, path: path)
        let updated = try modify(document, pointer[...], path: path) { container, token throws(Failure) in
            switch container {
            case .object(var members):
                members[token] = nil
                return .object(members)
            case .array(var elements):
                guard let index = Int(token), elements.indices.contains(index) else { throw Failure(message: "remove operation does not apply: doc is missing path: \"\(path)\"", testFailed: false) }
                elements.remove(at: index)
                return .array(elements)
            default:
                throw Failure(message: "remove operation does not apply: doc is missing path: \"\(path)\"", testFailed: false)
            }
        }
        return (updated, value)
    }

    /// Rebuilds `document` along `pointer`, letting `change` edit the parent of the last token.
    static func modify(
        _ document: JSONValue, _ pointer: ArraySlice<String>, path: String,
        _ change: (JSONValue, String) throws(Failure) -> JSONValue
    ) throws(Failure) -> JSONValue {
        guard let first = pointer.first else { return document }
        if pointer.count == 1 { return try change(document, first) }
        switch document {
        case .object(var members):
            guard let child = members[first] else { throw Failure(message: "doc is missing path: \"\(path)\"", testFailed: false) }
            members[first] = try modify(child, pointer.dropFirst(), path: path, change)
            return .object(members)
        case .array(var elements):
            guard let index = Int(first), elements.indices.contains(index) else { throw Failure(message: "doc is missing path: \"\(path)\"", testFailed: false) }
            elements[index] = try modify(elements[index], pointer.dropFirst(), path: path, change)
            return .array(elements)
        default:
            throw Failure(message: "doc is missing path: \"\(path)\"", testFailed: false)
        }
    }
}
