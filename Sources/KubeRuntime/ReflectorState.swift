/// The reflector's state machine, kube-rs `watcher`-style: every state named, every transition
/// in `handle(_:now:)`. Pure: the informer performs the I/O each state asks for and feeds back
/// what happened.
///
/// ```
/// listing ──listed(rv)──▶ watching(rv) ──event/bookmark(rv')──▶ watching(rv')
///    ▲                        │  └──closed──▶ watching(rv)      (resume at once)
///    │                        ├──failed────▶ backingOff(→ watching(rv))
///    └────────gone (410)──────┘
/// listing ──listFailed──▶ backingOff(→ listing)
/// backingOff(d, s) ──waited──▶ s
/// ```
public enum ReflectorState: Sendable, Hashable {
    /// List everything (at start, and after a 410 expired the resume point).
    case listing
    /// Watch from `resourceVersion` (connect, or reconnect after a close).
    case watching(resourceVersion: String)
    /// Wait `delay`, then continue in `then`.
    indirect case backingOff(delay: Duration, then: ReflectorState)

    /// What happened while in a state.
    public enum Input: Sendable, Hashable {
        /// The list succeeded at `resourceVersion`.
        case listed(resourceVersion: String)
        /// The list failed (transport, 5xx, 429, timeout).
        case listFailed
        /// An event or bookmark moved the resume point.
        case progressed(resourceVersion: String)
        /// The server ended the watch normally (its timeout, or a close).
        case watchClosed
        /// The watch failed to open or broke (transport, 5xx, 429, idle timeout).
        case watchFailed
        /// The resume point is too old (410 Expired / Gone).
        case gone
        /// The backoff wait is over.
        case waited
    }

    /// The state after `input`, using `backoff` (and `now`) for waits after failures.
    public func handle(_ input: Input, backoff: inout ExponentialBackoff, now: Duration) -> ReflectorState {
        switch (self, input) {
        case (.listing, .listed(let version)):
            return .watching(resourceVersion: version)
        case (.listing, .listFailed):
            return .backingOff(delay: backoff.nextDelay(now: now), then: .listing)
        case (.watching, .progressed(let version)):
            return .watching(resourceVersion: version)
        case (.watching, .watchClosed):
            return self
        case (.watching, .watchFailed):
            return .backingOff(delay: backoff.nextDelay(now: now), then: self)
        case (.watching, .gone), (.listing, .gone):
            return .listing
        case (.backingOff(_, let next), .waited):
            return next
        default:
            return self
        }
    }

    /// The resourceVersion the next watch resumes from, if watching.
    public var resourceVersion: String? {
        switch self {
        case .watching(let version): return version
        case .backingOff(_, let next): return next.resourceVersion
        case .listing: return nil
        }
    }
}
