#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import KubeAPI

/// One FraudModel object as read from a cluster: the typed spec and status, and the whole
/// object as JSON.
///
/// # Guarantees
/// - `init(json:)` never traps, whatever the input; it throws `FraudModelDecodingError` naming
///   every problem it finds with its field path (`spec.rollout.bakeSeconds`).
/// - Writes go through `object`: `updatingStatus(_:)` replaces the fields the operator owns
///   and keeps every other field, known or not.
public struct FraudModel: Sendable, Hashable {
    /// The object exactly as read; write back through it, never through the typed fields.
    public var object: JSONValue
    /// `metadata`.
    public var metadata: ObjectMeta
    /// `spec`, with `FraudModelDefaults` applied to absent fields.
    public var spec: FraudModelSpec
    /// `status`, read leniently; nil when absent or not an object.
    public var status: FraudModelStatus?

    /// Reads and validates a FraudModel.
    public init(json: JSONValue) throws(FraudModelDecodingError) {
        let name = Self.displayName(of: json)
        guard json.objectValue != nil else {
            throw FraudModelDecodingError(object: name, problems: [.init(field: "", message: "expected an object, got \(json.typeName)")])
        }
        var problems: [FraudModelDecodingError.Problem] = []
        if let apiVersion = json["apiVersion"], apiVersion.stringValue != FraudModelResource.apiVersion {
            problems.append(.init(field: "apiVersion", message: "expected \"\(FraudModelResource.apiVersion)\", got \(apiVersion.jsonString)"))
        }
        if let kind = json["kind"], kind.stringValue != FraudModelResource.kind {
            problems.append(.init(field: "kind", message: "expected \"\(FraudModelResource.kind)\", got \(kind.jsonString)"))
        }
        let metadata = try? (json["metadata"] ?? .emptyObject).decode(as: ObjectMeta.self)
        if metadata == nil { problems.append(.init(field: "metadata", message: "is not a valid ObjectMeta")) }
        var spec: FraudModelSpec?
        switch json["spec"] {
        case nil, .null?:
            problems.append(.init(field: "spec", message: "Required value"))
        case let specJSON?:
            do {
                spec = try JSONDecoder().decode(FraudModelSpec.self, from: Data(specJSON.serialized()))
            } catch let error as DecodingError {
                problems.append(Self.problem(from: error, under: "spec"))
            } catch {
                problems.append(.init(field: "spec", message: "\(error)"))
            }
        }
        if let spec { problems += FraudModelValidation.problems(in: spec) }
        guard problems.isEmpty, let spec, let metadata else {
            throw FraudModelDecodingError(object: name, problems: problems)
        }
        self.object = json
        self.metadata = metadata
        self.spec = spec
        if let statusJSON = json["status"], statusJSON.objectValue != nil {
            status = try? JSONDecoder().decode(FraudModelStatus.self, from: Data(statusJSON.serialized()))
        } else {
            status = nil
        }
    }

    /// The value of the `tandem.dev/retry` annotation, if set.
    public var retryAnnotation: String? {
        metadata.annotations?[FraudModelResource.retryAnnotation]
    }

    /// `object` with `status` replaced by `newStatus`. Status fields this version of the
    /// operator does not know are kept; the fields it owns are set or removed.
    public func updatingStatus(_ newStatus: FraudModelStatus) throws(JSONConversionError) -> JSONValue {
        var result = object
        result["status"] = try newStatus.merged(into: object["status"])
        return result
    }

    /// `namespace/name` for messages.
    static func displayName(of json: JSONValue) -> String {
        let name = json.name ?? "<unnamed>"
        return json.namespace.map { "\($0)/\(name)" } ?? name
    }

    /// A decoding error as a problem at its field path.
    static func problem(from error: DecodingError, under root: String) -> FraudModelDecodingError.Problem {
        func path(_ codingPath: [any CodingKey]) -> String {
            codingPath.reduce(root) { path, key in
                if let index = key.intValue, key.stringValue == "Index \(index)" || Int(key.stringValue) == index { return "\(path)[\(index)]" }
                return path.isEmpty ? key.stringValue : "\(path).\(key.stringValue)"
            }
        }
        switch error {
        case .keyNotFound(let key, let context):
            return .init(field: path(context.codingPath + [key]), message: "Required value")
        case .typeMismatch(let type, let context):
            return .init(field: path(context.codingPath), message: "expected \(Self.wireName(of: type))")
        case .valueNotFound(let type, let context):
            return .init(field: path(context.codingPath), message: "expected \(Self.wireName(of: type)), got null")
        case .dataCorrupted(let context):
            return .init(field: path(context.codingPath), message: context.debugDescription)
        @unknown default:
            return .init(field: root, message: "\(error)")
        }
    }

    private static func wireName(of type: Any.Type) -> String {
        switch type {
        case is String.Type: return "a string"
        case is Int.Type, is Int64.Type: return "an integer"
        case is Double.Type: return "a number"
        case is Bool.Type: return "a boolean"
        default:
            let name = String(describing: type)
            if name.hasPrefix("Array") { return "an array" }
            if name.hasPrefix("Dictionary") { return "an object" }
            return "\(name) (an object or one of its allowed values)"
        }
    }
}

extension FraudModelStatus {
    /// The `status` keys the operator writes; others are kept as they are.
    static let ownedKeys = [
        "observedGeneration", "phase", "servingVersion", "readyClusters", "lastGoodVersion", "failedVersion",
        "failedRetry", "failedRevision", "revisions", "replicas", "clusters", "traffic", "conditions",
    ]
}

/// A FraudModel that cannot be read: every problem found, each with its field path.
public struct FraudModelDecodingError: Error, Sendable, Hashable, CustomStringConvertible {
    /// One problem.
    public struct Problem: Sendable, Hashable, CustomStringConvertible {
        /// The field path, e.g. `spec.rollout.order[1]` (empty for the object itself).
        public var field: String
        /// What is wrong and what was expected.
        public var message: String

        /// A problem.
        public init(field: String, message: String) {
            self.field = field
            self.message = message
        }

        public var description: String { field.isEmpty ? message : "\(field): \(message)" }
    }

    /// `namespace/name` of the object.
    public var object: String
    /// Every problem found.
    public var problems: [Problem]

    public var description: String {
        "FraudModel \(object) is invalid: " + problems.map(\.description).joined(separator: "; ")
    }
}
