import Foundation
import Synchronization

/// One container instance's output: lines with the time they were written, bounded in bytes
/// (the oldest lines go first), with followers that receive new lines as they come.
final class LogBuffer: Sendable {
    /// A line as written (with its newline, if it had one).
    struct Line: Sendable {
        var time: Date
        var bytes: [UInt8]
    }

    private struct State {
        var lines: [Line] = []
        var bytes = 0
        var partial: [UInt8] = []
        var partialTime: Date?
        var followers: [Int: AsyncStream<Line>.Continuation] = [:]
        var nextFollower = 0
        var closed = false
    }

    private let state = Mutex(State())
    let capacity: Int

    init(capacity: Int) {
        self.capacity = capacity
    }

    /// Appends output; complete lines become visible at once.
    func append(_ chunk: some Collection<UInt8>, at time: Date = Date()) {
        state.withLock { state in
            if state.partialTime == nil { state.partialTime = time }
            for byte in chunk {
                state.partial.append(byte)
                if byte == UInt8(ascii: "\n") { Self.commit(&state, capacity: capacity, time: state.partialTime ?? time) }
            }
            if state.partial.isEmpty { state.partialTime = nil }
        }
    }

    /// Marks the end of output (the process's pipes closed): a last partial line is kept and followers finish.
    func close() {
        let followers = state.withLock { state in
            if !state.partial.isEmpty { Self.commit(&state, capacity: capacity, time: state.partialTime ?? Date()) }
            state.closed = true
            defer { state.followers.removeAll() }
            return Array(state.followers.values)
        }
        // Finishing runs onTermination, which takes the lock again: outside it.
        for follower in followers { follower.finish() }
    }

    private static func commit(_ state: inout State, capacity: Int, time: Date) {
        let line = Line(time: time, bytes: state.partial)
        state.partial = []
        state.partialTime = nil
        state.lines.append(line)
        state.bytes += line.bytes.count
        var drop = 0
        while state.bytes > capacity, drop < state.lines.count - 1 {
            state.bytes -= state.lines[drop].bytes.count
            drop += 1
        }
        if drop > 0 { state.lines.removeFirst(drop) }
        for follower in state.followers.values { follower.yield(line) }
    }

    /// The kept lines, and (when `follow`) a stream of the lines written after them.
    func snapshot(follow: Bool) -> (lines: [Line], more: AsyncStream<Line>?) {
        state.withLock { state in
            guard follow, !state.closed else { return (state.lines, nil) }
            let (stream, continuation) = AsyncStream<Line>.makeStream(bufferingPolicy: .bufferingNewest(10_000))
            let id = state.nextFollower
            state.nextFollower += 1
            state.followers[id] = continuation
            continuation.onTermination = { [weak self] _ in self?.removeFollower(id) }
            return (state.lines, stream)
        }
    }

    private func removeFollower(_ id: Int) {
        _ = state.withLock { $0.followers.removeValue(forKey: id) }
    }
}
