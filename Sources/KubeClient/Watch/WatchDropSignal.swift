import Synchronization

/// Ends the watch connections open at the moment `drop()` is called (`KubeClient.dropWatches()`):
/// a connection to a peer that went silent delivers nothing and fails nothing until its idle
/// timeout, minutes later; whoever noticed the silence (a liveness probe) ends them now.
///
/// Connections remember the `generation` current when they were opened and wait for a later one.
final class WatchDropSignal: Sendable {
    private struct State {
        var generation = 0
        var nextWaiter = 0
        var waiters: [Int: CheckedContinuation<Void, Never>] = [:]
    }

    private let state = Mutex(State())

    /// The number of drops so far.
    var generation: Int { state.withLock { $0.generation } }

    /// Wakes every `wait(after:)`.
    func drop() {
        let waiters = state.withLock { state in
            state.generation += 1
            defer { state.waiters = [:] }
            return state.waiters.values
        }
        for waiter in waiters { waiter.resume() }
    }

    /// Returns once a drop happened after `generation`, or when the task is cancelled.
    func wait(after generation: Int) async {
        let id = state.withLock { state in
            defer { state.nextWaiter += 1 }
            return state.nextWaiter
        }
        await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                let waiting = state.withLock { state in
                    guard state.generation == generation, !Task.isCancelled else { return false }
                    state.waiters[id] = continuation
                    return true
                }
                if !waiting { continuation.resume() }
            }
        } onCancel: {
            state.withLock { $0.waiters.removeValue(forKey: id) }?.resume()
        }
    }
}
