import Foundation
import KubeAPI

/// What the node agent may do with the API server: the reads, watches and writes a kubelet (and
/// kube-controller-manager's endpoint-slice controller) make, and nothing of the server's internals.
/// kube-emulator implements it over its store; the simulated kubelet and this real one are two
/// implementations of the same job behind it.
///
/// # Guarantees
/// - Writes are checked and stored exactly as if they had come over HTTP: resourceVersion
///   preconditions give 409, watches see every change.
public protocol ClusterAccess: Sendable {
    /// Wakes (coalesced: one element may stand for many changes) whenever an object of one of
    /// `resources` changes. Ends when the API server stops.
    func changes(of resources: Set<ResourceDescriptor>) -> AsyncStream<Void>
    /// Objects of a resource, in one namespace or all (nil).
    func list(_ resource: ResourceDescriptor, namespace: String?) -> [JSONValue]
    /// One object, or nil.
    func get(_ resource: ResourceDescriptor, namespace: String, name: String) -> JSONValue?
    /// Creates an object; the server sets uid, resourceVersion and creationTimestamp.
    func create(_ resource: ResourceDescriptor, _ object: JSONValue) throws(KubeStatus) -> JSONValue
    /// Replaces an object whose `metadata.resourceVersion` is still current (409 otherwise).
    func update(_ resource: ResourceDescriptor, _ object: JSONValue) throws(KubeStatus) -> JSONValue
    /// Replaces only `status` (the status subresource), with the same precondition.
    func updateStatus(_ resource: ResourceDescriptor, _ object: JSONValue) throws(KubeStatus) -> JSONValue
    /// Deletes an object at once (grace period 0), if its uid is still `uid`. A missing object is not an error.
    func delete(_ resource: ResourceDescriptor, namespace: String, name: String, uid: String) throws(KubeStatus)
    /// A token that authenticates as `system:serviceaccount:NAMESPACE:NAME` (the TokenRequest API),
    /// bound to a pod.
    func serviceAccountToken(namespace: String, serviceAccount: String, audiences: [String], expirationSeconds: Int,
                             boundPod: (name: String, uid: String)) throws(KubeStatus) -> (token: String, expiration: Date)
    /// How pods reach the API server: the address and port for KUBERNETES_SERVICE_HOST/PORT and
    /// the CA bundle (PEM) for ca.crt; nil while the server has no address pods can reach.
    var inClusterEndpoint: InClusterEndpoint? { get }
}

/// Where pods reach the API server, and the CA its serving certificate chains to.
public struct InClusterEndpoint: Sendable, Equatable {
    /// An IPv4 address inside the pod network's reach.
    public var host: String
    /// The port.
    public var port: Int
    /// The PEM CA bundle for `ca.crt`; empty without TLS.
    public var certificateAuthorityPEM: String

    /// An endpoint from its parts.
    public init(host: String, port: Int, certificateAuthorityPEM: String) {
        self.host = host
        self.port = port
        self.certificateAuthorityPEM = certificateAuthorityPEM
    }
}

extension ResourceDescriptor {
    /// core/v1 Endpoints.
    public static let endpoints = ResourceDescriptor(group: "", version: "v1", plural: "endpoints", kind: "Endpoints", namespaced: true)
    /// discovery.k8s.io/v1 EndpointSlice.
    public static let endpointSlices = ResourceDescriptor(group: "discovery.k8s.io", version: "v1", plural: "endpointslices",
                                                          kind: "EndpointSlice", namespaced: true)
}
