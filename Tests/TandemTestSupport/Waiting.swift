/// A condition or an operation a test waited for did not come in time.
public struct TimedOut: Error, CustomStringConvertible {
    /// What was awaited.
    public let what: String
    /// How long the test waited.
    public let limit: Duration

    /// A timeout waiting for `what`.
    public init(_ what: String, limit: Duration) {
        self.what = what
        self.limit = limit
    }

    public var description: String { "timed out after \(limit) waiting for \(what)" }
}

/// Polls `condition` until it holds, throwing `TimedOut` after `timeout`: the way tests await
/// something asynchronous, never a bare sleep. The default ceiling (30 s) only matters when the
/// condition never holds: the parallel suite on two cores can starve a task for seconds.
public func eventually(_ what: @autoclosure () -> String, within timeout: Duration = .seconds(30),
                       _ condition: () async throws -> Bool) async throws {
    let deadline = ContinuousClock.now + timeout
    while ContinuousClock.now < deadline {
        if try await condition() { return }
        try await Task.sleep(for: .milliseconds(10))
    }
    throw TimedOut(what(), limit: timeout)
}

/// Runs `operation`, cancelling it and throwing `TimedOut` if it takes longer than `limit`, so a
/// broken handshake or a stuck stream fails the test instead of hanging it.
public func withDeadline<T: Sendable>(_ limit: Duration = .seconds(30), _ what: String = "the operation",
                                      _ operation: @escaping @Sendable () async throws -> T) async throws -> T {
    try await withThrowingTaskGroup(of: T?.self) { group in
        group.addTask { try await operation() }
        group.addTask {
            try await Task.sleep(for: limit)
            return nil
        }
        defer { group.cancelAll() }
        guard let first = try await group.next(), let value = first else { throw TimedOut(what, limit: limit) }
        return value
    }
}
