import Foundation
import KubeAPI

/// The query of `GET …/pods/NAME/log`, as kubectl sends it.
public struct PodLogOptions: Sendable, Equatable {
    /// The container (already resolved by the API server: the pod's only one, or the one asked for).
    public var container: String
    /// Keep the stream open and send new output as it comes.
    public var follow = false
    /// Only the last N lines.
    public var tailLines: Int?
    /// Only output written in the last N seconds (wins over `sinceTime` when both are given).
    public var sinceSeconds: Int?
    /// Only output written at or after this time.
    public var sinceTime: Date?
    /// Prefix each line with its RFC 3339 (nanoseconds) time.
    public var timestamps = false
    /// The previous instance of the container (after a restart).
    public var previous = false
    /// Stop after this many bytes.
    public var limitBytes: Int?

    /// Options for one container.
    public init(container: String) {
        self.container = container
    }
}

/// Serves what the kubelet's `/containerLogs` serves: a container's captured stdout and stderr.
public protocol PodLogSource: Sendable {
    /// The log of one container of the pod with this uid, as chunks of bytes. Throws 400 with
    /// kubelet's message when there is nothing to show (e.g. `previous` without a restart, or a
    /// container still waiting to start).
    func logs(namespace: String, pod: String, uid: String, options: PodLogOptions) throws(KubeStatus) -> AsyncThrowingStream<[UInt8], any Error>
}

/// Which addresses the API server may open connections to for the proxy subresources: only pod
/// addresses on the node agent's own network, never anything reached through the default route.
public protocol PodAddressGuard: Sendable {
    /// Whether `ip` lies on the node agent's pod network and that network is up.
    func isLocalPodAddress(_ ip: String) -> Bool
}
