#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// A JSON value could not be converted to or from a typed model.
public struct JSONConversionError: Error, Sendable, CustomStringConvertible {
    /// The Swift type being decoded or encoded.
    public let type: String
    /// What went wrong, from the decoder.
    public let reason: String

    public var description: String { "cannot convert JSON to or from \(type): \(reason)" }
}

extension JSONValue {
    /// Decodes a typed model from this value (fields the model does not know are ignored,
    /// so write back the `JSONValue`, never the model).
    public func decode<T: Decodable>(as type: T.Type = T.self) throws(JSONConversionError) -> T {
        do {
            return try JSONDecoder().decode(T.self, from: Data(serialized()))
        } catch {
            throw JSONConversionError(type: String(describing: T.self), reason: "\(error)")
        }
    }

    /// Encodes a typed model into a JSON value.
    public init<T: Encodable>(encoding value: T) throws(JSONConversionError) {
        do {
            let data = try JSONEncoder().encode(value)
            self = try JSONValue(parsing: Array(data))
        } catch {
            throw JSONConversionError(type: String(describing: T.self), reason: "\(error)")
        }
    }
}

/// A type a Kubernetes client can read from and write to the wire (`JSONValue` itself, or any
/// `Codable` model).
public protocol KubeObjectConvertible: Sendable {
    /// Decodes the object from its JSON form.
    init(kubeJSON: JSONValue) throws(JSONConversionError)
    /// The object's JSON form.
    func kubeJSON() throws(JSONConversionError) -> JSONValue
}

extension KubeObjectConvertible where Self: Codable {
    /// Decodes with `JSONDecoder` (unknown fields are ignored).
    public init(kubeJSON: JSONValue) throws(JSONConversionError) { self = try kubeJSON.decode(as: Self.self) }
    /// Encodes with `JSONEncoder` (nil properties are omitted).
    public func kubeJSON() throws(JSONConversionError) -> JSONValue { try JSONValue(encoding: self) }
}

extension JSONValue: KubeObjectConvertible {
    /// The value itself: nothing is lost.
    public init(kubeJSON: JSONValue) { self = kubeJSON }
    /// The value itself.
    public func kubeJSON() -> JSONValue { self }
}

extension JSONValue {
    /// `metadata` decoded as `ObjectMeta` (empty when absent or malformed).
    public var metadata: ObjectMeta {
        (try? (self["metadata"] ?? .emptyObject).decode(as: ObjectMeta.self)) ?? ObjectMeta()
    }

    /// `metadata.name`.
    public var name: String? { self[path: ["metadata", "name"]]?.stringValue }
    /// `metadata.namespace`.
    public var namespace: String? { self[path: ["metadata", "namespace"]]?.stringValue }
    /// `metadata.resourceVersion`.
    public var resourceVersion: String? { self[path: ["metadata", "resourceVersion"]]?.stringValue }
    /// `metadata.uid`.
    public var uid: String? { self[path: ["metadata", "uid"]]?.stringValue }
}
