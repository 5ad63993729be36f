/// Thrown by ``withDeadline(_:_:)`` when the operation did not finish in time.
struct DeadlineExceeded: Error, CustomStringConvertible {
    let limit: Duration
    var description: String { "the operation did not finish within \(limit)" }
}

/// Runs `operation`, failing with ``DeadlineExceeded`` (and cancelling it) if it takes longer than `limit`,
/// so a broken handshake fails the test instead of hanging it.
func withDeadline<T: Sendable>(
    _ limit: Duration = .seconds(30),
    _ operation: @escaping @Sendable () async throws -> T
) async throws -> T {
    try await withThrowingTaskGroup(of: T.self) { group in
        group.addTask { try await operation() }
        group.addTask {
            try await Task.sleep(for: limit)
            throw DeadlineExceeded(limit: limit)
        }
        defer { group.cancelAll() }
        return try await group.next()!
    }
}
