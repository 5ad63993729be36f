import NIOCore
import Synchronization

/// Waits for a channel to close, and — unlike `closeFuture.get()` — returns as soon as the
/// waiting task is cancelled.
enum ChannelCloseWaiter {
    private enum State {
        case idle
        case waiting(CheckedContinuation<Void, Never>)
        case finished
    }

    static func wait(for channel: any Channel) async {
        let state = Mutex<State>(.idle)
        @Sendable func finish() {
            let continuation: CheckedContinuation<Void, Never>? = state.withLock { current in
                defer { current = .finished }
                if case .waiting(let continuation) = current { return continuation }
                return nil
            }
            continuation?.resume()
        }
        channel.closeFuture.whenComplete { _ in finish() }
        await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                let alreadyFinished = state.withLock { current -> Bool in
                    if case .finished = current { return true }
                    current = .waiting(continuation)
                    return false
                }
                if alreadyFinished { continuation.resume() }
            }
        } onCancel: {
            finish()
        }
    }
}
