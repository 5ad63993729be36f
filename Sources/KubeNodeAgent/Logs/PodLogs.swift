import Foundation
import KubeAPI
import Synchronization

/// Every running pod's container logs (current and previous instance), by pod uid: what the
/// kubelet's `/containerLogs` endpoint reads.
final class PodLogs: PodLogSource {
    private struct Container {
        var current: LogBuffer?
        var previous: LogBuffer?
    }

    private let containers = Mutex<[String: [String: Container]]>([:])
    let capacity: Int

    init(capacity: Int) {
        self.capacity = capacity
    }

    /// A fresh buffer for a new instance of a container; the old one becomes `previous`.
    func startInstance(podUID: String, container: String) -> LogBuffer {
        let buffer = LogBuffer(capacity: capacity)
        containers.withLock { all in
            var entry = all[podUID, default: [:]][container] ?? Container()
            if let current = entry.current { entry.previous = current }
            entry.current = buffer
            all[podUID, default: [:]][container] = entry
        }
        return buffer
    }

    /// Forgets a pod's logs (the pod is gone).
    func remove(podUID: String) {
        _ = containers.withLock { $0.removeValue(forKey: podUID) }
    }

    func logs(namespace: String, pod: String, uid: String, options: PodLogOptions) throws(KubeStatus) -> AsyncThrowingStream<[UInt8], any Error> {
        let entry = containers.withLock { $0[uid]?[options.container] }
        let chosen = options.previous ? entry?.previous : entry?.current
        guard let buffer = chosen else {
            if options.previous {
                throw KubeStatus.badRequest("previous terminated container \"\(options.container)\" in pod \"\(pod)\" not found")
            }
            throw KubeStatus.badRequest("container \"\(options.container)\" in pod \"\(pod)\" is waiting to start: ContainerCreating")
        }
        let (lines, more) = buffer.snapshot(follow: options.follow && !options.previous)
        let filter = LogFilter(options: options)
        return AsyncThrowingStream { continuation in
            let task = Task {
                var budget = filter.limitBytes
                func send(_ line: LogBuffer.Line) -> Bool {
                    var bytes = filter.render(line)
                    if let remaining = budget {
                        if bytes.count > remaining { bytes = Array(bytes.prefix(remaining)) }
                        budget = remaining - bytes.count
                    }
                    if !bytes.isEmpty { continuation.yield(bytes) }
                    return budget.map { $0 > 0 } ?? true
                }
                var keepGoing = true
                for line in filter.select(lines) where keepGoing { keepGoing = send(line) }
                if keepGoing, let more {
                    for await line in more where filter.isRecent(line) {
                        if !send(line) { break }
                    }
                }
                continuation.finish()
            }
            continuation.onTermination = { _ in task.cancel() }
        }
    }
}

/// The part of the log options that picks and renders lines.
struct LogFilter: Sendable {
    var since: Date?
    var tailLines: Int?
    var timestamps: Bool
    var limitBytes: Int?

    init(options: PodLogOptions, now: Date = Date()) {
        if let seconds = options.sinceSeconds { since = now.addingTimeInterval(-Double(seconds)) } else { since = options.sinceTime }
        tailLines = options.tailLines
        timestamps = options.timestamps
        limitBytes = options.limitBytes
    }

    func isRecent(_ line: LogBuffer.Line) -> Bool { since.map { line.time >= $0 } ?? true }

    func select(_ lines: [LogBuffer.Line]) -> [LogBuffer.Line] {
        let recent = lines.filter(isRecent)
        guard let tailLines else { return recent }
        return Array(recent.suffix(max(0, tailLines)))
    }

    func render(_ line: LogBuffer.Line) -> [UInt8] {
        guard timestamps else { return line.bytes }
        return Array((Timestamp.rfc3339Nano(line.time) + " ").utf8) + line.bytes
    }
}
