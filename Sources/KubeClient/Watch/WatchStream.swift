import KubeAPI

/// One watch connection as an `AsyncSequence` of typed events; it ends when the server closes the
/// connection (after `timeoutSeconds`, or earlier). For a watch that reconnects by itself, use
/// `ResumingWatch`.
///
/// # Guarantees
/// - The connection opens when iteration starts, with the credentials valid at that moment.
/// - ERROR events are delivered as `.error(KubeError)` (a 410 Expired is `isGone`), then the
///   sequence ends.
/// - Cancelling the iterating task, or dropping the iterator, closes the connection.
/// - A connection silent for `timeoutSeconds` plus the client's idle margin throws
///   `KubeClientError.watchIdle`; one open when `KubeClient.dropWatches()` is called throws
///   `KubeClientError.watchDropped`.
public struct WatchStream<Object: KubeObjectConvertible>: AsyncSequence, Sendable {
    public typealias Element = WatchEvent<Object>

    let transport: KubeTransport
    let request: KubeRequest
    let idleTimeout: Duration

    public func makeAsyncIterator() -> AsyncIterator {
        AsyncIterator(stream: self)
    }

    /// Reads events from one connection.
    public struct AsyncIterator: AsyncIteratorProtocol {
        let stream: WatchStream
        var connection: WatchConnection?
        var ended = false

        init(stream: WatchStream) { self.stream = stream }

        /// Opens the connection now, if it is not open yet: returns once the server accepted the
        /// watch (a watch that then stays quiet is still a healthy one), throws as `next()` would.
        public mutating func connect() async throws {
            guard !ended, connection == nil else { return }
            let drops = stream.transport.watchDrops
            let generation = drops.generation
            let response = try await stream.transport.openStream(stream.request)
            connection = WatchConnection(response: response, idleTimeout: stream.idleTimeout, path: stream.request.path,
                                         drops: drops, generation: generation)
        }

        public mutating func next() async throws -> WatchEvent<Object>? {
            guard !ended else { return nil }
            try await connect()
            guard let line = try await connection!.nextLine() else {
                ended = true
                connection = nil
                return nil
            }
            let event: WatchEvent<Object>
            do { event = try WatchEvent<Object>(line: line) } catch {
                ended = true
                connection = nil
                throw KubeClientError.decoding(verb: "watch", path: stream.request.path, reason: "\(error)")
            }
            if case .error = event {
                ended = true
                connection = nil
            }
            return event
        }
    }
}
