/// The loop both Service controllers run: a pass at start, a pass after every (coalesced) change,
/// and, after a pass that failed somewhere (a 409, a port that could not be bound), another one
/// after a back-off even if nothing changed.
///
/// # Guarantees
/// - Passes never overlap; changes that arrive during a pass cause one more pass.
/// - Returns when the task is cancelled or the change stream ends.
struct ChangeDrivenLoop {
    /// The first retry delay after a failed pass; it doubles up to `maxRetryDelay`. Defaults to 200 ms.
    var initialRetryDelay: Duration = .milliseconds(200)
    /// The longest retry delay. Defaults to 10 s.
    var maxRetryDelay: Duration = .seconds(10)

    /// Runs `pass` (which returns whether everything it tried succeeded) until cancelled.
    func run(changes: AsyncStream<Void>, pass: () async -> Bool) async {
        var iterator = changes.makeAsyncIterator()
        var retryDelay = initialRetryDelay
        while !Task.isCancelled {
            if await pass() {
                retryDelay = initialRetryDelay
                guard await iterator.next() != nil else { return }
            } else {
                do {
                    try await Task.sleep(for: retryDelay)
                } catch {
                    return
                }
                retryDelay = min(retryDelay * 2, maxRetryDelay)
            }
        }
    }
}
