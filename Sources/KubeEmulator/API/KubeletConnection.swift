import KubeNodeAgent
import Synchronization

/// What the API server reaches on the node, as kube-apiserver's `KubeletConn` does: the kubelet's
/// container logs (`pods/log`) and the pod network (`pods/proxy`, `services/proxy`).
///
/// Both start absent: pods are simulated, `pods/log` answers 400 and the proxies 503. The node
/// agent of `--run-pods` sets them once it runs; they may be replaced or cleared at any time and
/// each request uses what is set when it arrives.
final class KubeletConnection: Sendable {
    private struct Parts: Sendable {
        var logs: (any PodLogSource)?
        var addressGuard: (any PodAddressGuard)?
    }

    private let parts = Mutex(Parts())

    /// An empty connection: simulated pods.
    init() {}

    /// The source of container logs; nil: pods are simulated and have none.
    var logs: (any PodLogSource)? {
        get { parts.withLock { $0.logs } }
        set { parts.withLock { $0.logs = newValue } }
    }

    /// Which addresses the proxies may connect to; nil: none (simulated pods have no network).
    var addressGuard: (any PodAddressGuard)? {
        get { parts.withLock { $0.addressGuard } }
        set { parts.withLock { $0.addressGuard = newValue } }
    }

    /// Whether the proxies may open a connection to `ip`.
    func mayConnect(to ip: String) -> Bool {
        addressGuard?.isLocalPodAddress(ip) ?? false
    }
}
