import KubeAPI

/// Why a client could not be configured or a request could not be completed (API failures are
/// `KubeError`s, thrown as they are).
public enum KubeClientError: Error, Sendable, CustomStringConvertible {
    /// The kubeconfig, in-cluster files or client options are wrong; the message names the file and field.
    case configuration(String)
    /// An exec credential plugin failed; the message names the command and what it returned.
    case credentialPlugin(String)
    /// The credentials of a request were not ready within its timeout (an exec plugin still
    /// running): the request was not sent.
    case credentialTimeout(cluster: String, after: Duration)
    /// The request could not be sent or the response not read (connection refused, TLS, reset).
    case transport(verb: String, path: String, underlying: String)
    /// The request (with its retries) took longer than its timeout.
    case timeout(verb: String, path: String, after: Duration)
    /// A watch received nothing for longer than its idle timeout: the connection is presumed dead.
    case watchIdle(path: String, after: Duration)
    /// A watch was ended by `KubeClient.dropWatches()` (its server stopped answering).
    case watchDropped(path: String)
    /// The response could not be decoded into the expected type.
    case decoding(verb: String, path: String, reason: String)

    public var description: String {
        switch self {
        case .configuration(let message): return "kube client configuration: \(message)"
        case .credentialPlugin(let message): return "exec credential plugin: \(message)"
        case .credentialTimeout(let cluster, let after):
            return "cluster \"\(cluster)\": no credentials within \(after) (is its exec credential plugin hanging?); the request was not sent"
        case .transport(let verb, let path, let underlying): return "\(verb) \(path): transport failure: \(underlying)"
        case .timeout(let verb, let path, let after): return "\(verb) \(path): timed out after \(after)"
        case .watchIdle(let path, let after): return "watch \(path): no data for \(after); the connection is presumed dead"
        case .watchDropped(let path): return "watch \(path): ended because the API server stopped answering"
        case .decoding(let verb, let path, let reason): return "\(verb) \(path): cannot decode the response: \(reason)"
        }
    }
}
