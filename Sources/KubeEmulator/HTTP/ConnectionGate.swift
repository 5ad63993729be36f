import NIOCore
import Synchronization

/// Decides what happens to a new connection: served normally, or — while an outage is
/// simulated through the admin endpoint — refused or accepted and left hanging.
final class ConnectionGate: Sendable {
    /// The fate of an accepted connection.
    enum Admission: String, Sendable {
        case serve
        /// Closed at once (as a refused connection looks to most clients).
        case refuse
        /// Accepted, never answered, until the outage is lifted.
        case hang
    }

    private struct State {
        var admission: Admission = .serve
        var hanging: [CheckedContinuation<Void, Never>] = []
    }

    private let state = Mutex(State())

    func admission() -> Admission { state.withLock { $0.admission } }

    /// Starts or ends (`.serve`) a simulated outage; ending a hang releases the held connections.
    func set(_ admission: Admission) {
        let released = state.withLock { state in
            state.admission = admission
            guard admission != .hang else { return [CheckedContinuation<Void, Never>]() }
            defer { state.hanging = [] }
            return state.hanging
        }
        for waiter in released { waiter.resume() }
    }

    /// Keeps a hanging connection open until the outage ends, then closes it.
    func holdUntilLifted(_ channel: any Channel) async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let hold = state.withLock { state in
                guard state.admission == .hang else { return false }
                state.hanging.append(continuation)
                return true
            }
            if !hold { continuation.resume() }
        }
        try? await channel.close()
    }
}
