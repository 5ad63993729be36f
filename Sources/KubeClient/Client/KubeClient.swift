import AsyncHTTPClient
import Foundation
import KubeAPI
import Logging
import CoreMetrics
import NIOCore

/// A client of one Kubernetes API server (one cluster context).
///
/// Several clients (one per cluster) may share one `HTTPClient`: pass it to each; each request
/// carries its own cluster's TLS configuration. A client that created its own `HTTPClient` shuts
/// it down in `shutdown()`.
///
/// ```swift
/// let client = try KubeClient(configuration: .fromKubeconfig(context: "eks"))
/// let widgets = client.resource(widgetDescriptor)            // JSONValue objects
/// let maps = client.resource(.configMaps, as: ConfigMap.self) // typed
/// ```
public final class KubeClient: Sendable {
    /// The configuration.
    public let configuration: KubeClientConfiguration
    /// The credential source requests use.
    public let credentialProvider: any CredentialProvider
    let transport: KubeTransport
    private let ownsHTTPClient: Bool

    /// A client for `configuration`.
    ///
    /// - Parameters:
    ///   - httpClient: a shared `HTTPClient`; nil creates one (see `makeHTTPClient(for:)`) owned by this client.
    ///     A shared client must have no read timeout (watches are long) and, for clusters with
    ///     `tls-server-name`, come from `makeHTTPClient(for:)`.
    ///   - logger: where the client logs (label `tandem.kube-client` by default); credentials are never logged.
    ///   - metricsFactory: where `rest_client_*` metrics go. Defaults to the global `MetricsSystem.factory`.
    public init(configuration: KubeClientConfiguration, httpClient: HTTPClient? = nil,
                logger: Logger = Logger(label: "tandem.kube-client"),
                metricsFactory: (any MetricsFactory)? = nil) throws(KubeClientError) {
        self.configuration = configuration
        var logger = logger
        logger[metadataKey: "cluster"] = "\(configuration.name)"
        let http = httpClient ?? Self.makeHTTPClient(for: [configuration])
        ownsHTTPClient = httpClient == nil
        switch Self.authenticationSent(by: configuration, logger: logger) {
        case .none: credentialProvider = StaticCredentialProvider(.none)
        case .token(let token): credentialProvider = StaticCredentialProvider(Credentials(bearerToken: token))
        case .basic(let username, let password): credentialProvider = StaticCredentialProvider(Credentials(basic: (username, password)))
        case .tokenFile(let path, let interval): credentialProvider = TokenFileCredentialProvider(path: path, rereadInterval: interval)
        case .exec(let exec):
            credentialProvider = ExecCredentialPlugin(config: exec, clusterInfo: ExecCredentialPlugin.clusterInfo(for: configuration), logger: logger)
        case .provider(let provider): credentialProvider = provider
        }
        do {
            transport = try KubeTransport(configuration: configuration, http: http, credentials: credentialProvider, logger: logger,
                                          metricsFactory: metricsFactory ?? MetricsSystem.factory)
        } catch {
            if httpClient == nil { try? http.syncShutdown() }
            throw error
        }
    }

    /// The authentication requests carry. Credentials for a plain-`http://` server are sent or
    /// withheld as `credentialsOverPlainHTTP` says, with one warning (never the secret) either way.
    private static func authenticationSent(by configuration: KubeClientConfiguration, logger: Logger) -> KubeClientConfiguration.Authentication {
        guard URLComponents(string: configuration.server)?.scheme?.lowercased() == "http",
              !configuration.authentication.isNone else { return configuration.authentication }
        let metadata: Logger.Metadata = ["server": "\(configuration.server)", "authentication": "\(configuration.authentication)"]
        switch configuration.credentialsOverPlainHTTP {
        case .send:
            logger.warning("credentials are sent to a plain-http API server, readable by anyone on the network path; use https", metadata: metadata)
            return configuration.authentication
        case .withhold:
            logger.warning("the kubeconfig's credentials are not sent to a plain-http API server (as kubectl does): requests are anonymous; use https",
                           metadata: metadata)
            return .none
        }
    }

    /// An `HTTPClient` suited to Kubernetes clients: no global read timeout (watches are bounded by
    /// their own idle timeout), no redirects, the shared event loop group, and DNS overrides for
    /// every configuration with a `tls-server-name`.
    ///
    /// - Parameter connectTimeout: how long AsyncHTTPClient keeps trying to establish a connection
    ///   (it retries refused connections and failed TLS handshakes within it). Defaults to 10 s.
    public static func makeHTTPClient(for configurations: [KubeClientConfiguration] = [], connectTimeout: Duration = .seconds(10)) -> HTTPClient {
        var configuration = HTTPClient.Configuration()
        configuration.timeout = HTTPClient.Configuration.Timeout(connect: .nanoseconds(connectTimeout.nanoseconds), read: nil)
        configuration.redirectConfiguration = .disallow
        for cluster in configurations {
            if let serverName = cluster.tls.serverName, let host = URLComponents(string: cluster.server)?.host {
                configuration.dnsOverride[serverName] = host.trimmingCharacters(in: CharacterSet(charactersIn: "[]"))
            }
        }
        return HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
    }

    /// Shuts the `HTTPClient` down if this client created it. Call once, after the last request.
    public func shutdown() async throws {
        if ownsHTTPClient { try await transport.http.shutdown() }
    }

    /// The resource `descriptor` in `namespace` (nil: the configuration's namespace), with objects
    /// decoded as `Object` (`JSONValue` by default, which keeps every field).
    public func resource<Object: KubeObjectConvertible>(_ descriptor: ResourceDescriptor, namespace: String? = nil, as: Object.Type = JSONValue.self) -> ResourceClient<Object> {
        ResourceClient(client: self, builder: RequestBuilder(descriptor, namespace: namespace ?? configuration.namespace))
    }

    /// The resource `descriptor` across all namespaces (list, watch and deletecollection only).
    public func resourceInAllNamespaces<Object: KubeObjectConvertible>(_ descriptor: ResourceDescriptor, as: Object.Type = JSONValue.self) -> ResourceClient<Object> {
        ResourceClient(client: self, builder: RequestBuilder(descriptor, namespace: nil))
    }

    /// Sends any request and returns the response body as JSON (`.null` for an empty body).
    /// Failures are thrown as `KubeError` (API) or `KubeClientError` (everything else).
    public func send(_ request: KubeRequest) async throws -> JSONValue {
        let response = try await transport.send(request)
        guard !response.body.isEmpty else { return .null }
        do { return try JSONValue(parsing: response.body) } catch {
            throw KubeClientError.decoding(verb: request.verb, path: request.path, reason: "\(error)")
        }
    }

    /// The server's `/version`.
    public func serverVersion() async throws -> JSONValue {
        try await send(KubeRequest(method: "GET", path: "/version", verb: "get"))
    }

    /// Whether the API server answers at all: one `GET /readyz` (credentials included), bounded
    /// by `timeout` and never retried. Any HTTP answer counts, whatever its status: the server is
    /// there (whether it is ready, or lets this client in, other requests find out).
    ///
    /// - Returns: the HTTP status.
    /// - Throws: `KubeClientError.timeout` when nothing came back within `timeout`; otherwise the
    ///   credential or transport failure.
    public func checkAnswers(timeout: Duration) async throws -> Int {
        try await transport.probe(path: "/readyz", timeout: timeout)
    }

    /// Ends every watch connection of this client open now: each throws
    /// `KubeClientError.watchDropped`, and resuming watches and informers reconnect. For a server
    /// found silent, whose half-open connections would otherwise go unnoticed until their idle
    /// timeout (minutes).
    public func dropWatches() {
        transport.watchDrops.drop()
    }
}
