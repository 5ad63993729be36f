import Foundation
import KubeAPI
import Logging

/// The emulator's request responder: authentication, authorization (RBAC), routing to
/// discovery, OpenAPI, resources and the admin endpoint, injected faults, counters and the
/// request log.
struct EmulatorAPI: Sendable {
    let store: ObjectStore
    let settings: EmulatorSettings
    let authenticator: Authenticator
    /// The RBAC policy every authenticated request is authorized against.
    let policies: RBACPolicyCache
    /// The issuer of service-account tokens (TokenRequest).
    let tokens: ServiceAccountTokens
    let counters: RequestCounters
    let faults: FaultInjector
    let admin: AdminEndpoint?
    let maxBodyBytes: Int
    let logger: Logger
    /// The node's kubelet log source and pod-network guard (`pods/log`, the proxy subresources).
    /// Defaults to an empty connection: simulated pods.
    var kubelet = KubeletConnection()

    func respond(_ raw: HTTPServer.RawRequest) async -> EmulatorResponse {
        let started = ContinuousClock.now
        let route = Route.parse(EmulatorRequest.segments(of: raw.head.uri))
        let headers = raw.head.headers.map { ($0.name, $0.value) }
        let outcome = authenticator.authenticate(authorization: raw.head.headers.first(name: "authorization"), peer: raw.peer, remote: raw.remoteAddress)
        var user = UserInfo.anonymous
        if case .user(let authenticated) = outcome { user = authenticated }
        let request = EmulatorRequest(method: raw.head.method.rawValue, uri: raw.head.uri, headers: headers, body: raw.body, user: user)
        var (verb, resource) = (request.method.lowercased(), "")
        let response: EmulatorResponse
        if outcome == .rejected || (outcome == .anonymous && !Authenticator.isPublic(route)) {
            response = .status(.unauthorized())
        } else if case .admin(let segments) = route {
            response = await admin?.respond(segments, request: request, remote: raw.remoteAddress)
                ?? .status(KubeStatus(code: 404, reason: "NotFound", message: "the server could not find the requested resource"))
        } else if raw.bodyTooLarge {
            response = .status(.requestEntityTooLarge(limit: maxBodyBytes))
        } else {
            if case .resource(let path) = route {
                resource = path.subresource.map { "\(path.plural)/\($0)" } ?? path.plural
                verb = Self.verb(for: request, path: path)
            }
            let attributes = AuthorizationAttributes(route: route, request: request, user: user)
            let decision = policies.authorizer.authorize(attributes)
            if !decision.allowed {
                response = .status(Authorizer.forbidden(attributes, reason: decision.reason))
            } else {
                let (delay, failure) = faults.decide(verb: verb, resource: resource)
                if delay > .zero { try? await Task.sleep(for: delay) }
                if let failure {
                    response = .status(failure)
                } else {
                    response = await serve(route, request: request)
                }
            }
        }
        counters.record(verb: verb, resource: resource, userAgent: request.userAgent, code: response.statusCode)
        logger.debug("request", metadata: [
            "method": "\(request.method)", "path": "\(request.path)", "status": "\(response.statusCode)",
            "duration": "\(ContinuousClock.now - started)", "userAgent": "\(request.userAgent)", "user": "\(user.name)",
        ])
        return response
    }

    static func verb(for request: EmulatorRequest, path: Route.ResourcePath) -> String {
        switch request.method {
        case "GET", "HEAD":
            if path.watchPrefix || request.flag("watch") { return "watch" }
            return path.name == nil ? "list" : "get"
        case "POST": return "create"
        case "PUT": return "update"
        case "PATCH": return "patch"
        case "DELETE": return path.name == nil ? "deletecollection" : "delete"
        default: return request.method.lowercased()
        }
    }

    private func serve(_ route: Route, request: EmulatorRequest) async -> EmulatorResponse {
        let registry = store.read { $0.registry }
        switch route {
        case .version:
            return .json([
                "major": "1", "minor": "32", "gitVersion": "v1.32.0", "gitCommit": "tandem-kube-emulator",
                "gitTreeState": "clean", "buildDate": "2026-01-01T00:00:00Z", "goVersion": "go1.23.4",
                "compiler": "gc", "platform": "linux/amd64",
            ])
        case .health(let name):
            return .text(request.flag("verbose") ? "[+]ping ok\n\(name) check passed\n" : "ok")
        case .coreAPIVersions:
            let discovery = DiscoveryDocuments(registry: registry, serverAddress: settings.serverAddress)
            if let version = DiscoveryDocuments.aggregatedVersion(for: request.accept) {
                return .body(status: 200, contentType: DiscoveryDocuments.aggregatedContentType(version), headers: [],
                             bytes: discovery.aggregated(core: true, version: version).serialized())
            }
            return .json(discovery.coreVersions)
        case .groupList:
            let discovery = DiscoveryDocuments(registry: registry, serverAddress: settings.serverAddress)
            if let version = DiscoveryDocuments.aggregatedVersion(for: request.accept) {
                return .body(status: 200, contentType: DiscoveryDocuments.aggregatedContentType(version), headers: [],
                             bytes: discovery.aggregated(core: false, version: version).serialized())
            }
            return .json(discovery.groupList)
        case .group(let name):
            guard let group = DiscoveryDocuments(registry: registry, serverAddress: settings.serverAddress).group(name) else { return notFound() }
            var document = group
            document["kind"] = "APIGroup"
            document["apiVersion"] = "v1"
            return .json(document)
        case .groupVersion(let group, let version):
            guard let list = DiscoveryDocuments(registry: registry, serverAddress: settings.serverAddress).resourceList(group: group, version: version) else { return notFound() }
            return .json(list)
        case .openAPIV3Index:
            let documents = OpenAPIDocuments(registry: registry)
            return .json(documents.index(documents: documents.allDocuments()))
        case .openAPIV3Document(let group, let version):
            guard let document = OpenAPIDocuments(registry: registry).document(group: group, version: version) else { return notFound() }
            return .json(document)
        case .openAPIV2, .notFound, .admin:
            return notFound()
        case .resource(let path):
            guard let definition = registry.definition(group: path.group, version: path.version, plural: path.plural) else { return notFound() }
            if !definition.namespaced, path.namespace != nil { return notFound() }
            if definition.namespaced, path.namespace == nil, path.name != nil { return notFound() }
            if let response = authResource(definition, path: path, request: request) { return response }
            if let response = await nodeSubresource(definition, path: path, request: request) { return response }
            return await ResourceHandler(definition: definition, path: path, request: request, store: store, settings: settings).handle()
        }
    }

    private func notFound() -> EmulatorResponse {
        .status(KubeStatus(code: 404, reason: "NotFound", message: "the server could not find the requested resource"))
    }
}

extension EmulatorRequest {
    static func segments(of uri: String) -> [String] {
        let path = uri.split(separator: "?", maxSplits: 1, omittingEmptySubsequences: false)[0]
        return path.split(separator: "/").map { PercentEncoding.decode(String($0)) }
    }
}
