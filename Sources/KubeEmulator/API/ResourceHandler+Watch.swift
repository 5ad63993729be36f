import Foundation
import KubeAPI

extension ResourceHandler {
    /// Serves `?watch=true`: replayed or synthetic initial events, then live events, bookmarks
    /// when asked for, and a close only after `timeoutSeconds` (never without it).
    func watch() throws(KubeStatus) -> EmulatorResponse {
        let (labels, fields) = try selectors()
        let rvParameter = request.query["resourceVersion"] ?? ""
        var start: Int64?
        if !rvParameter.isEmpty, rvParameter != "0" {
            guard let value = Int64(rvParameter) else { throw KubeStatus.badRequest("resourceVersion: Invalid value: \"\(rvParameter)\": must be a non-negative integer") }
            start = value
        }
        let sendInitialEvents = request.flag("sendInitialEvents")
        if sendInitialEvents { start = nil }
        let timeout = request.query["timeoutSeconds"].flatMap(Int.init).flatMap { $0 > 0 ? $0 : nil }
        let bookmarks = request.flag("allowWatchBookmarks")
        let scope = definition.namespaced ? path.namespace : nil
        let encoder = WatchEventEncoder(handler: self, table: wantsTable ? tableBuilder : nil)

        struct Registration: Sendable {
            var id: Int
            var stream: AsyncStream<WatchSignal>
            var replay: [StoredEvent]
            var initial: [JSONValue]
            var resourceVersion: Int64
        }
        let registration = store.modify { state -> Registration? in
            guard let added = state.addWatcher(definition.storageKey, namespace: scope, after: start) else { return nil }
            let initial = start == nil ? state.objects(definition.storageKey, namespace: scope).map(\.object).filter { matches($0, labels, fields) } : []
            return Registration(id: added.id, stream: added.stream, replay: added.replay, initial: initial, resourceVersion: state.resourceVersion)
        }
        guard let registration else {
            let compacted = store.read { $0.history.compactedRevision }
            let status = KubeStatus.expired("too old resource version: \(start ?? 0) (\(compacted))")
            return .stream(status: 200, contentType: "application/json", headers: []) { send in
                try await send(WatchEventEncoder.line(type: .error, object: status.json))
            }
        }
        let store = self.store
        let interval = settings.bookmarkInterval
        let filter = { @Sendable (event: StoredEvent) -> (WatchEventType, JSONValue)? in
            let nowMatches = event.type != .deleted && matches(event.object, labels, fields)
            let wasMatching = event.previous.map { matches($0, labels, fields) } ?? false
            switch event.type {
            case .added: return nowMatches ? (.added, event.object) : nil
            case .deleted: return wasMatching ? (.deleted, event.object) : nil
            default:
                if nowMatches { return (wasMatching ? .modified : .added, event.object) }
                if wasMatching {
                    var last = event.previous!
                    last[path: ["metadata", "resourceVersion"]] = .string(String(event.resourceVersion))
                    return (.deleted, last)
                }
                return nil
            }
        }
        return .stream(status: 200, contentType: "application/json", headers: []) { send in
            defer { store.modify { $0.removeWatcher(registration.id) } }
            var encoder = encoder
            for object in registration.initial { try await send(encoder.encode(.added, object)) }
            for event in registration.replay {
                if let (type, object) = filter(event) { try await send(encoder.encode(type, object)) }
            }
            if sendInitialEvents, bookmarks {
                try await send(encoder.bookmark(registration.resourceVersion, initialEventsEnd: true))
            }
            let liveEncoder = encoder
            try await withThrowingTaskGroup(of: Bool.self) { group in
                if bookmarks {
                    group.addTask {
                        while true {
                            try await Task.sleep(for: interval)
                            store.read { $0.sendBookmark(to: registration.id) }
                        }
                    }
                }
                if let timeout {
                    group.addTask {
                        try await Task.sleep(for: .seconds(timeout))
                        store.modify { state in
                            if bookmarks { state.sendBookmark(to: registration.id) }
                            state.removeWatcher(registration.id)
                        }
                        try await Task.sleep(for: .seconds(86_400 * 365))
                        return false
                    }
                }
                group.addTask {
                    var encoder = liveEncoder
                    for await signal in registration.stream {
                        switch signal {
                        case .event(let event):
                            if let (type, object) = filter(event) { try await send(encoder.encode(type, object)) }
                        case .bookmark(let rv):
                            try await send(encoder.bookmark(rv, initialEventsEnd: false))
                        }
                    }
                    return true
                }
                while let consumerFinished = try await group.next() {
                    if consumerFinished { break }
                }
                group.cancelAll()
            }
        }
    }
}

/// Serializes watch events as newline-delimited JSON, as Tables when asked for
/// (column definitions only in the first event, as kube-apiserver does).
struct WatchEventEncoder: Sendable {
    let handler: ResourceHandler
    let table: TableBuilder?
    var sentColumns = false

    init(handler: ResourceHandler, table: TableBuilder?) {
        self.handler = handler
        self.table = table
    }

    mutating func encode(_ type: WatchEventType, _ object: JSONValue) -> [UInt8] {
        let served = handler.present(object)
        guard let table else { return Self.line(type: type, object: served) }
        let rv = served[path: ["metadata", "resourceVersion"]]?.stringValue ?? ""
        let wrapped = table.table(for: [served], resourceVersion: rv, withColumns: !sentColumns, now: handler.now)
        sentColumns = true
        return Self.line(type: type, object: wrapped)
    }

    func bookmark(_ resourceVersion: Int64, initialEventsEnd: Bool) -> [UInt8] {
        var metadata: JSONValue = ["resourceVersion": .string(String(resourceVersion))]
        if initialEventsEnd { metadata["annotations"] = ["k8s.io/initial-events-end": "true"] }
        return Self.line(type: .bookmark, object: [
            "kind": .string(handler.definition.kind), "apiVersion": .string(handler.definition.apiVersion), "metadata": metadata,
        ])
    }

    static func line(type: WatchEventType, object: JSONValue) -> [UInt8] {
        var bytes: [UInt8] = []
        JSONValue.object(["type": .string(type.rawValue), "object": object]).write(to: &bytes)
        bytes.append(UInt8(ascii: "\n"))
        return bytes
    }
}
