import AsyncHTTPClient
import KubeAPI
import NIOCore

/// Reads newline-delimited watch events from a streamed response.
public final class WatchReader: @unchecked Sendable {
    // Unchecked: a reader is consumed by one test task at a time; the iterator is not shared.
    public let status: Int
    private var iterator: HTTPClientResponse.Body.AsyncIterator
    private var buffer: [UInt8] = []

    init(status: Int, body: HTTPClientResponse.Body) {
        self.status = status
        self.iterator = body.makeAsyncIterator()
    }

    /// The next event, or nil when the server closed the stream.
    public func next() async throws -> JSONValue? {
        while true {
            if let newline = buffer.firstIndex(of: UInt8(ascii: "\n")) {
                let line = Array(buffer[..<newline])
                buffer.removeSubrange(...newline)
                if line.isEmpty { continue }
                return try JSONValue(parsing: line)
            }
            guard let chunk = try await iterator.next() else { return nil }
            buffer.append(contentsOf: chunk.readableBytesView)
        }
    }

    /// The next event within `timeout`; throws `WatchTimeout` otherwise.
    public func next(within timeout: Duration) async throws -> JSONValue? {
        try await withThrowingTaskGroup(of: JSONValue?.self) { group in
            group.addTask { try await self.next() }
            group.addTask {
                try await Task.sleep(for: timeout)
                throw WatchTimeout()
            }
            let first = try await group.next()!
            group.cancelAll()
            return first
        }
    }

    /// Events until one satisfies `predicate` (returned), within `timeout` overall.
    public func waitFor(within timeout: Duration = .seconds(30), _ predicate: (JSONValue) -> Bool) async throws -> JSONValue {
        let deadline = ContinuousClock.now + timeout
        while true {
            let remaining = deadline - ContinuousClock.now
            guard remaining > .zero, let event = try await next(within: remaining) else { throw WatchTimeout() }
            if predicate(event) { return event }
        }
    }
}

/// No watch event arrived in time.
public struct WatchTimeout: Error {}
