import KubeAPI

/// A watch that reconnects by itself from the last resourceVersion it saw (of an event or a
/// bookmark), as client-go's reflector and kube-rs's watcher do between relists.
///
/// # Guarantees
/// - Every connection is opened with the credentials valid when it is opened (exec and
///   token-file credentials are refreshed across reconnects).
/// - A normal end of a connection that delivered events (its `timeoutSeconds`, or the server
///   closing it) reconnects at once; a failed connection, or one that ended without delivering
///   anything, reconnects after a backoff of 800 ms doubling to 30 s with jitter (client-go's
///   reflector), reset by the first event of a new connection.
/// - BOOKMARK events are delivered (they carry no object) and move the resume point.
///
/// # Caveats
/// - A 410 (the resume point was compacted away) is thrown as a `KubeError` with `isGone`: the
///   caller must list again and start a new watch from the list's resourceVersion.
/// - 401, 403 and 404 are thrown too: reconnecting would not fix them.
public struct ResumingWatch<Object: KubeObjectConvertible>: AsyncSequence, Sendable {
    public typealias Element = WatchEvent<Object>

    let transport: KubeTransport
    let builder: RequestBuilder
    let parameters: WatchParameters
    let idleTimeout: Duration

    /// The reconnect backoff: 800 ms doubling to 30 s, ±50% jitter.
    static var backoff: Backoff { Backoff(initial: .milliseconds(800), maximum: .seconds(30), factor: 2, jitter: .symmetric(0.5)) }

    public func makeAsyncIterator() -> AsyncIterator { AsyncIterator(watch: self) }

    /// Reads events across connections.
    public struct AsyncIterator: AsyncIteratorProtocol {
        let watch: ResumingWatch
        /// The resourceVersion the next connection resumes from.
        public private(set) var resourceVersion: String?
        var connection: WatchConnection?
        var failures = 0
        /// Whether the current connection delivered anything (an empty one that ends is backed off,
        /// so a server closing watches at once is not hammered).
        var delivered = false

        init(watch: ResumingWatch) {
            self.watch = watch
            self.resourceVersion = watch.parameters.resourceVersion
        }

        public mutating func next() async throws -> WatchEvent<Object>? {
            while true {
                try Task.checkCancellation()
                if connection == nil {
                    var parameters = watch.parameters
                    parameters.resourceVersion = resourceVersion
                    let request = watch.builder.watch(parameters)
                    let drops = watch.transport.watchDrops
                    let generation = drops.generation
                    do {
                        let response = try await watch.transport.openStream(request)
                        connection = WatchConnection(response: response, idleTimeout: watch.idleTimeout, path: request.path,
                                                     drops: drops, generation: generation)
                        delivered = false
                    } catch {
                        try await backOff(after: error)
                        continue
                    }
                }
                let line: [UInt8]?
                do { line = try await connection!.nextLine() } catch {
                    connection = nil
                    try await backOff(after: error)
                    continue
                }
                guard let line else {
                    connection = nil
                    if !delivered {
                        failures += 1
                        try await Task.sleep(for: ResumingWatch.backoff.delay(afterFailures: failures))
                    }
                    continue
                }
                delivered = true
                let json: JSONValue
                let event: WatchEvent<Object>
                do {
                    json = try JSONValue(parsing: line)
                    event = try WatchEvent<Object>(json: json)
                } catch {
                    connection = nil
                    throw KubeClientError.decoding(verb: "watch", path: watch.builder.resource.collectionPath(namespace: watch.builder.namespace), reason: "\(error)")
                }
                failures = 0
                switch event {
                case .error(let status):
                    connection = nil
                    try await backOff(after: status)
                    continue
                case .bookmark(let rv):
                    if !rv.isEmpty { resourceVersion = rv }
                default:
                    if let rv = json["object"]?.resourceVersion, !rv.isEmpty { resourceVersion = rv }
                }
                return event
            }
        }

        /// Throws what reconnecting cannot fix; otherwise waits before the next attempt.
        private mutating func backOff(after error: any Error) async throws {
            if error is CancellationError || Task.isCancelled { throw CancellationError() }
            if let status = error as? KubeStatus, status.isGone || status.isUnauthorized || status.isForbidden || status.isNotFound || status.isBadRequest {
                throw status
            }
            if case .decoding = error as? KubeClientError { throw error }
            if case .configuration = error as? KubeClientError { throw error }
            failures += 1
            try await Task.sleep(for: ResumingWatch.backoff.delay(afterFailures: failures))
        }
    }
}
