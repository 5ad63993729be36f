import AsyncHTTPClient
import KubeAPI
import NIOCore

/// One open watch response: reads chunks with an idle timeout and frames them into lines.
///
/// There is no overall read timeout (a watch may legitimately last `timeoutSeconds`); instead a
/// connection that delivers nothing for `idleTimeout` is presumed dead (kube-rs#1798/#1945), and
/// one still open when its client's watches are dropped (`KubeClient.dropWatches()`) ends then.
struct WatchConnection {
    private let body: BodyIterator
    private var framer = LineFramer()
    private var ready: [[UInt8]] = []
    private var finished = false
    let idleTimeout: Duration
    let path: String
    private let drops: WatchDropSignal
    private let openedAt: Int

    /// A connection over `response`, ended by the drops of `drops` after `generation` (read before the request was sent).
    init(response: HTTPClientResponse, idleTimeout: Duration, path: String, drops: WatchDropSignal, generation: Int) {
        self.body = BodyIterator(response.body.makeAsyncIterator())
        self.idleTimeout = idleTimeout
        self.path = path
        self.drops = drops
        self.openedAt = generation
    }

    /// The next line, or nil when the server ended the stream.
    mutating func nextLine() async throws -> [UInt8]? {
        while ready.isEmpty {
            if finished { return nil }
            guard let chunk = try await nextChunk() else {
                finished = true
                if let last = framer.finish() { ready.append(last) }
                continue
            }
            ready.append(contentsOf: try framer.append(chunk.readableBytesView))
        }
        return ready.removeFirst()
    }

    private func nextChunk() async throws -> ByteBuffer? {
        let body = self.body
        let idleTimeout = self.idleTimeout
        let path = self.path
        let drops = self.drops
        let openedAt = self.openedAt
        return try await withThrowingTaskGroup(of: ChunkResult.self) { group in
            group.addTask { .chunk(try await body.next()) }
            group.addTask {
                try await Task.sleep(for: idleTimeout)
                return .idle
            }
            group.addTask {
                await drops.wait(after: openedAt)
                return .dropped
            }
            defer { group.cancelAll() }
            switch try await group.next()! {
            case .chunk(let chunk): return chunk
            case .idle: throw KubeClientError.watchIdle(path: path, after: idleTimeout)
            case .dropped:
                try Task.checkCancellation()
                throw KubeClientError.watchDropped(path: path)
            }
        }
    }

    private enum ChunkResult: Sendable {
        case chunk(ByteBuffer?)
        case idle
        case dropped
    }
}

/// Carries the response body's iterator into the child task that awaits the next chunk.
/// Unchecked: the iterator is used by exactly one task at a time — `nextChunk()` awaits the
/// child (the task group) before returning, and `WatchConnection` is not shared between tasks.
private final class BodyIterator: @unchecked Sendable {
    private var iterator: HTTPClientResponse.Body.AsyncIterator

    init(_ iterator: HTTPClientResponse.Body.AsyncIterator) { self.iterator = iterator }

    func next() async throws -> ByteBuffer? { try await iterator.next() }
}
