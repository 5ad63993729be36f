/// One watch event, decoded. ERROR events become `KubeError`s, never objects.
public enum WatchEvent<Object: KubeObjectConvertible>: Sendable {
    /// An object was created (or existed when the watch started without a resourceVersion).
    case added(Object)
    /// An object changed.
    case modified(Object)
    /// An object was deleted (its last state).
    case deleted(Object)
    /// No object changed, but the watch has reached `resourceVersion`: resume from here.
    case bookmark(resourceVersion: String)
    /// The server ended the watch with a Status (410 Expired when the resourceVersion is too old).
    case error(KubeError)

    /// The event's type.
    public var type: WatchEventType {
        switch self {
        case .added: return .added
        case .modified: return .modified
        case .deleted: return .deleted
        case .bookmark: return .bookmark
        case .error: return .error
        }
    }

    /// The object of ADDED, MODIFIED and DELETED events.
    public var object: Object? {
        switch self {
        case .added(let object), .modified(let object), .deleted(let object): return object
        case .bookmark, .error: return nil
        }
    }
}

/// A watch line that is not a valid watch event.
public struct WatchEventDecodingError: Error, Sendable, CustomStringConvertible {
    /// What was wrong.
    public let reason: String
    /// The start of the offending line (at most 200 bytes).
    public let excerpt: String

    public var description: String { "invalid watch event: \(reason) (line starts: \(excerpt))" }
}

extension WatchEvent {
    /// Decodes one newline-delimited watch event.
    ///
    /// The `resourceVersion` of ADDED/MODIFIED/DELETED objects and BOOKMARKs is what a resumed
    /// watch should start from; `WatchEvent.resourceVersion(ofLine:)` reads it without decoding `Object`.
    public init(line: [UInt8]) throws(WatchEventDecodingError) {
        let json: JSONValue
        do { json = try JSONValue(parsing: line) } catch {
            throw WatchEventDecodingError(reason: "\(error)", excerpt: String(decoding: line.prefix(200), as: UTF8.self))
        }
        try self.init(json: json)
    }

    /// Decodes a watch event already parsed as JSON (`{"type": …, "object": …}`).
    public init(json: JSONValue) throws(WatchEventDecodingError) {
        let excerpt = { String(json.jsonString.prefix(200)) }
        guard let typeName = json["type"]?.stringValue, let type = WatchEventType(rawValue: typeName) else {
            throw WatchEventDecodingError(reason: "missing or unknown \"type\"", excerpt: excerpt())
        }
        guard let object = json["object"], object.objectValue != nil else {
            throw WatchEventDecodingError(reason: "missing \"object\"", excerpt: excerpt())
        }
        switch type {
        case .error:
            self = .error(KubeStatus(json: object) ?? KubeStatus(code: 500, reason: "InternalError", message: "watch ERROR event without a Status: \(excerpt())"))
        case .bookmark:
            self = .bookmark(resourceVersion: object.resourceVersion ?? "")
        case .added, .modified, .deleted:
            let decoded: Object
            do { decoded = try Object(kubeJSON: object) } catch {
                throw WatchEventDecodingError(reason: "\(error)", excerpt: excerpt())
            }
            switch type {
            case .added: self = .added(decoded)
            case .modified: self = .modified(decoded)
            default: self = .deleted(decoded)
            }
        }
    }
}
