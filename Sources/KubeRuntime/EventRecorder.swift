import Foundation
import KubeAPI
import KubeClient
import Logging
import Synchronization

/// Records `events.k8s.io/v1` Events about objects, aggregating repeats into a series so a hot
/// loop cannot flood the API server (client-go's `events` broadcaster, kube-rs's `Recorder`).
///
/// # Guarantees
/// - The first occurrence of an event (same object, type, reason, action, note and reporter)
///   creates an Event. Repeats within `seriesWindow` (6 minutes) only count, and the count is
///   written to the Event's `series` at most once per `flushInterval` (30 s), or by `flush()`.
///   However hot the loop, one object's repeated event costs at most one request per interval.
/// - `flush(regarding:)` writes an object's pending counts at once: a controller calls it when
///   the object has converged, so that no event write trails the converged state.
/// - Failures to write events are logged, never thrown: events are best effort.
public final class EventRecorder: Sendable {
    /// The `type` of an event.
    public enum EventType: String, Sendable {
        case normal = "Normal"
        case warning = "Warning"
    }

    private struct SeriesKey: Hashable {
        var regarding: String
        var type: String
        var reason: String
        var action: String
        var note: String
    }

    private struct Series {
        var name: String
        var namespace: String
        var count: Int
        var writtenCount: Int
        var lastObserved: Duration
        var lastWrite: Duration
    }

    private enum Write {
        case create(JSONValue, namespace: String)
        case series(name: String, namespace: String, count: Int)
    }

    /// The controller named in events (`tandem.dev/operator`).
    public let reportingController: String
    /// This process's identity (pod name or hostname).
    public let reportingInstance: String
    private let client: KubeClient
    private let clock: any RuntimeClock
    private let seriesWindow: Duration
    private let flushInterval: Duration
    private let series = Mutex<[SeriesKey: Series]>([:])
    private let logger: Logger

    /// A recorder writing through `client`; windows default to 6 minutes and 30 s.
    public init(client: KubeClient, reportingController: String, reportingInstance: String, clock: any RuntimeClock = SystemClock(),
                seriesWindow: Duration = KubeRuntimeDefaults.eventSeriesWindow, flushInterval: Duration = KubeRuntimeDefaults.eventSeriesFlushInterval,
                logger: Logger = Logger(label: "tandem.kube-runtime")) {
        self.client = client
        self.reportingController = reportingController
        self.reportingInstance = reportingInstance
        self.clock = clock
        self.seriesWindow = seriesWindow
        self.flushInterval = flushInterval
        self.logger = logger
    }

    /// Records an event about `object` (which must have kind, name and, if namespaced, namespace).
    public func record(regarding object: JSONValue, type: EventType = .normal, reason: String, action: String, note: String) async {
        let namespace = object.namespace ?? "default"
        let key = SeriesKey(regarding: Self.identity(of: object), type: type.rawValue, reason: reason, action: action, note: note)
        let now = clock.now
        let write: Write? = series.withLock { series in
            if var existing = series[key], now - existing.lastObserved < seriesWindow {
                existing.count += 1
                existing.lastObserved = now
                defer { series[key] = existing }
                guard now - existing.lastWrite >= flushInterval else { return nil }
                existing.lastWrite = now
                existing.writtenCount = existing.count
                return .series(name: existing.name, namespace: existing.namespace, count: existing.count)
            }
            let name = "\(object.name ?? "object").\(String(UInt64(Date().timeIntervalSince1970 * 1e9), radix: 16))"
            series[key] = Series(name: name, namespace: namespace, count: 1, writtenCount: 1, lastObserved: now, lastWrite: now)
            return .create(event(name: name, namespace: namespace, object: object, type: type, reason: reason, action: action, note: note), namespace: namespace)
        }
        if let write { await perform(write) }
    }

    /// Writes every series whose count grew since its last write, and forgets series older than the window.
    public func flush() async {
        await flush { _ in true }
    }

    /// Writes the series about `object` whose count grew since their last write.
    public func flush(regarding object: JSONValue) async {
        let identity = Self.identity(of: object)
        await flush { $0.regarding == identity }
    }

    private func flush(where matches: (SeriesKey) -> Bool) async {
        let now = clock.now
        let writes: [Write] = series.withLock { series in
            var writes: [Write] = []
            for (key, var entry) in series where matches(key) {
                if entry.count > entry.writtenCount {
                    writes.append(.series(name: entry.name, namespace: entry.namespace, count: entry.count))
                    entry.writtenCount = entry.count
                    entry.lastWrite = now
                    series[key] = entry
                } else if now - entry.lastObserved >= seriesWindow {
                    series[key] = nil
                }
            }
            return writes
        }
        for write in writes { await perform(write) }
    }

    /// Flushes every `flushInterval` until the task is cancelled, then once more (outside the
    /// cancelled task, so that the last counts are written rather than failing with it).
    public func run() async {
        while true {
            do { try await clock.sleep(for: flushInterval) } catch { break }
            await flush()
        }
        await Task { await self.flush() }.value
    }

    /// What identifies the object an event is about: apiVersion, kind, namespace, name and uid.
    private static func identity(of object: JSONValue) -> String {
        let namespace = object.namespace ?? "default"
        return "\(object["apiVersion"]?.stringValue ?? "")/\(object["kind"]?.stringValue ?? "")/\(namespace)/\(object.name ?? "")/\(object[path: ["metadata", "uid"]]?.stringValue ?? "")"
    }

    private func event(name: String, namespace: String, object: JSONValue, type: EventType, reason: String, action: String, note: String) -> JSONValue {
        var regarding: JSONValue = [
            "apiVersion": object["apiVersion"] ?? "", "kind": object["kind"] ?? "", "name": .string(object.name ?? ""),
        ]
        if let objectNamespace = object.namespace { regarding["namespace"] = .string(objectNamespace) }
        if let uid = object[path: ["metadata", "uid"]] { regarding["uid"] = uid }
        if let version = object.resourceVersion { regarding["resourceVersion"] = .string(version) }
        return [
            "apiVersion": "events.k8s.io/v1", "kind": "Event",
            "metadata": ["name": .string(name), "namespace": .string(namespace)],
            "eventTime": .string(Timestamps.microTime()),
            "type": .string(type.rawValue), "reason": .string(reason), "action": .string(action),
            "note": .string(String(note.prefix(1024))),
            "regarding": regarding,
            "reportingController": .string(reportingController), "reportingInstance": .string(reportingInstance),
        ]
    }

    private func perform(_ write: Write) async {
        do {
            switch write {
            case .create(let event, let namespace):
                _ = try await client.resource(.events, namespace: namespace).create(event)
            case .series(let name, let namespace, let count):
                let patch: JSONValue = ["series": ["count": .int(Int64(count)), "lastObservedTime": .string(Timestamps.microTime())]]
                _ = try await client.resource(.events, namespace: namespace).patch(name, .merge(patch))
            }
        } catch {
            logger.info("could not write event", metadata: ["error": "\(error)"])
        }
    }
}
