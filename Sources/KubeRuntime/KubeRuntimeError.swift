/// Why the runtime stopped abnormally.
public enum KubeRuntimeError: Error, Sendable, CustomStringConvertible {
    /// This process lost its Lease; it must exit (another replica now leads).
    case leadershipLost(lease: String)

    public var description: String {
        switch self {
        case .leadershipLost(let lease): return "leader election lost: lease \(lease) is no longer held by this process; exiting so another replica leads alone"
        }
    }
}
