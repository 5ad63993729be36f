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
        /// The unfinished line of each stream (stdout 1, stderr 2), as CRI keeps them apart.
        var partial: [Int: [UInt8]] = [:]
        var partialTime: [Int: Date] = [:]
        var followers: [Int: AsyncStream<Line>.Continuation] = [:]
        var nextFollower = 0
        var closed = false
    }

    private let state = Mutex(State())
    let capacity: Int

    init(capacity: Int) {
        self.capacity = capacity
    }

    /// The longest line kept whole; longer ones are split, as CRI splits at 16 KiB.
    static let maxLine = 16 * 1024

    /// Appends output of one stream; complete lines become visible at once.
    func append(_ chunk: some Collection<UInt8>, stream: Int = 1, at time: Date = Date()) {
        state.withLock { state in
            var partial = state.partial[stream] ?? []
            var started = state.partialTime[stream] ?? time
            for byte in chunk {
                if partial.isEmpty { started = time }
                partial.append(byte)
                if byte == UInt8(ascii: "\n") || partial.count >= Self.maxLine {
                    Self.commit(&state, Line(time: started, bytes: partial), capacity: capacity)
                    partial = []
                }
            }
            state.partial[stream] = partial
            state.partialTime[stream] = started
        }
    }

    /// Marks the end of output (the process's pipes closed): last partial lines are kept and followers finish.
    func close() {
        let followers = state.withLock { state in
            for stream in state.partial.keys.sorted() where !(state.partial[stream] ?? []).isEmpty {
                Self.commit(&state, Line(time: state.partialTime[stream] ?? Date(), bytes: state.partial[stream] ?? []), capacity: capacity)
            }
            state.partial = [:]
            state.closed = true
            defer { state.followers.removeAll() }
            return Array(state.followers.values)
        }
        // Finishing runs onTermination, which takes the lock again: outside it.
        for follower in followers { follower.finish() }
    }

    private static func commit(_ state: inout State, _ line: Line, capacity: Int) {
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
