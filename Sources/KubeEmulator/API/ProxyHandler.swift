import Foundation
import KubeAPI
import NIOHTTP1

/// Serves the proxy subresources `pods/[SCHEME:]NAME[:PORT]/proxy[/PATH]` and
/// `services/[SCHEME:]NAME[:PORT]/proxy[/PATH]` (`kubectl get --raw`, the Python client's
/// `connect_get_namespaced_pod_proxy_with_path`): resolves the pod address, forwards the method,
/// path, query, headers and body, and returns the pod's status, headers and body.
///
/// # Guarantees
/// - Connects only to addresses the node agent's `PodAddressGuard` calls local pod addresses;
///   without one (simulated pods) nothing is reached: pods answer 503 `no route to host`,
///   services 503 `no endpoints available`.
/// - The credentials of the request (`Authorization`) and hop-by-hop headers are not forwarded;
///   hop-by-hop headers of the response are dropped.
struct ProxyHandler: Sendable {
    /// Pods or services.
    let definition: ResourceDefinition
    let path: Route.ResourcePath
    let request: EmulatorRequest
    let store: ObjectStore
    let kubelet: KubeletConnection
    /// How long one proxied exchange may take. Defaults to 30 s.
    var timeout: Duration = .seconds(30)

    /// The methods kube-apiserver's proxy subresources accept; others get 405.
    static let methods: Set<String> = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"]

    /// Headers that belong to one connection (RFC 9110 §7.6.1), plus those this handler sets itself.
    private static let requestHeadersNotForwarded: Set<String> = [
        "connection", "proxy-connection", "keep-alive", "proxy-authenticate", "proxy-authorization", "te", "trailer",
        "transfer-encoding", "upgrade", "host", "content-length", "authorization",
    ]
    private static let responseHeadersNotReturned: Set<String> = [
        "connection", "proxy-connection", "keep-alive", "proxy-authenticate", "proxy-authorization", "te", "trailer",
        "transfer-encoding", "upgrade", "content-length", "content-type", "date",
    ]

    func respond() async -> EmulatorResponse {
        do {
            return try await forward()
        } catch {
            return .status(error)
        }
    }

    private func forward() async throws(KubeStatus) -> EmulatorResponse {
        guard Self.methods.contains(request.method) else { throw KubeStatus.methodNotAllowed() }
        let segment = path.name ?? ""
        let kind = definition.kind == "Pod" ? "pod" : "service"
        guard let target = ProxyName(segment) else { throw KubeStatus.badRequest("invalid \(kind) request \"\(segment)\"") }
        if path.subpath.isEmpty, !request.path.hasSuffix("/"), request.method == "GET" || request.method == "HEAD" {
            // As kube-apiserver: the root of a proxy is `…/proxy/`, so relative links in its page resolve.
            let query = request.rawQuery.isEmpty ? "" : "?\(request.rawQuery)"
            return .body(status: 301, contentType: "text/plain; charset=utf-8", headers: [("Location", request.path + "/" + query)], bytes: [])
        }
        let destination = try resolve(target, segment: segment)
        var head = HTTPRequestHead(version: .http1_1, method: HTTPMethod(rawValue: request.method), uri: upstreamURI())
        for (name, value) in request.headers where !Self.requestHeadersNotForwarded.contains(name) {
            head.headers.add(name: name, value: value)
        }
        let exchange = UpstreamHTTPExchange(destination: destination, timeout: timeout)
        let response = try await exchange.send(head, body: request.body)
        let connectionScoped = Set(response.headers.filter { $0.0.lowercased() == "connection" }
            .flatMap { $0.1.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces).lowercased() } })
        let headers = response.headers.filter { name, _ in
            let lowered = name.lowercased()
            return !Self.responseHeadersNotReturned.contains(lowered) && !connectionScoped.contains(lowered)
        }
        let contentType = response.headers.first { $0.0.lowercased() == "content-type" }?.1
            ?? (String(validating: response.body, as: UTF8.self) != nil ? "text/plain; charset=utf-8" : "application/octet-stream")
        return .body(status: response.status, contentType: contentType, headers: headers, bytes: response.body)
    }

    /// The destination, checked against the address guard.
    private func resolve(_ target: ProxyName, segment: String) throws(KubeStatus) -> ProxyDestination {
        let namespace = path.namespace ?? ""
        let storage = definition.storageKey
        let found = store.read { $0.object(storage, ObjectKey(namespace: namespace, name: target.name)) }
        guard let object = found else {
            throw KubeStatus.notFound(resource: definition.plural, group: definition.group, name: target.name)
        }
        if definition.kind == "Pod" {
            let destination = try PodProxyTarget.destination(of: object, target)
            guard kubelet.mayConnect(to: destination.ip) else { throw destination.unreachable("connect: no route to host") }
            return destination
        }
        let (slices, pods) = store.read { state -> ([JSONValue]?, [JSONValue]) in
            let podObjects = state.objects(StorageKey(group: "", resource: "pods"), namespace: namespace).map(\.object)
            guard let sliceDefinition = state.registry.definition(group: "discovery.k8s.io", version: "v1", plural: "endpointslices") else {
                return (nil, podObjects)
            }
            let slices = state.objects(sliceDefinition.storageKey, namespace: namespace).map(\.object).filter {
                $0[path: ["metadata", "labels", "kubernetes.io/service-name"]]?.stringValue == target.name
            }
            // No slice at all: no endpoint-slice controller runs (simulated pods); the selector decides.
            return (slices.isEmpty ? nil : slices, podObjects)
        }
        let kubelet = self.kubelet
        return try ServiceProxyTarget(service: object, segment: segment, target: target, endpointSlices: slices, pods: pods,
                                      mayConnect: { kubelet.mayConnect(to: $0) }).destination()
    }

    /// The path after `proxy` (still percent-encoded as sent, trailing slash kept) and the query as sent.
    private func upstreamURI() -> String {
        let raw = request.path.split(separator: "/").suffix(path.subpath.count).joined(separator: "/")
        var uri = "/" + raw
        if !raw.isEmpty, request.path.hasSuffix("/") { uri += "/" }
        if !request.rawQuery.isEmpty { uri += "?" + request.rawQuery }
        return uri
    }
}
