import Foundation
import KubeAPI
import KubeNodeAgent
import Logging
import NIOCore
import NIOHTTP1
import NIOSSL

/// A running Kubernetes API server emulator: real kubectl, client-go-style clients and the
/// official Python client work against it. State lives in memory.
///
/// Start one with `start(_:logger:)`, stop it with `shutdown()`; or scope it with
/// `withRunning(_:logger:_:)`.
public final class KubeEmulator: Sendable {
    /// The configuration it was started with.
    public let configuration: KubeEmulatorConfiguration
    /// The generated certificate authority (nil without TLS).
    public let pki: EmulatorPKI?
    /// The bound port.
    public let port: Int
    /// `https://127.0.0.1:PORT` or `http://…`.
    public let url: String

    let store: ObjectStore
    let counters: RequestCounters
    let faults: FaultInjector
    let gate: ConnectionGate
    let simulator: WorkloadSimulator
    /// The node agent's log source and pod-network guard; set with `setPodLogSource(_:)` and `setPodAddressGuard(_:)`.
    let kubelet: KubeletConnection
    /// The node agent that runs pods for real (`runPods`), or nil.
    public let nodeAgent: NodeAgent?
    /// The accept loop and the background controllers. They are owned by this instance:
    /// `shutdown()` cancels them and waits for them.
    private let serving: Task<Void, Never>

    private init(configuration: KubeEmulatorConfiguration, pki: EmulatorPKI?, port: Int, store: ObjectStore,
                 counters: RequestCounters, faults: FaultInjector, gate: ConnectionGate, simulator: WorkloadSimulator,
                 kubelet: KubeletConnection, nodeAgent: NodeAgent?, serving: Task<Void, Never>) {
        self.kubelet = kubelet
        self.nodeAgent = nodeAgent
        self.simulator = simulator
        self.configuration = configuration
        self.pki = pki
        self.port = port
        let host = configuration.host.contains(":") ? "[\(configuration.host)]" : configuration.host
        self.url = "\(configuration.tls ? "https" : "http")://\(host):\(port)"
        self.store = store
        self.counters = counters
        self.faults = faults
        self.gate = gate
        self.serving = serving
    }

    /// Binds, seeds the default namespaces and starts serving. With `runPods`, first makes the
    /// node's pod network (and throws with a clear message without root).
    public static func start(_ configuration: KubeEmulatorConfiguration, logger: Logger = Logger(label: "kube-emulator")) async throws -> KubeEmulator {
        var agentConfiguration = configuration.nodeAgent
        agentConfiguration.clusterName = configuration.name
        let nodeAgent = configuration.runPods ? try await NodeAgent.prepare(agentConfiguration, logger: logger) : nil
        do {
            return try await start(configuration, nodeAgent: nodeAgent, logger: logger)
        } catch {
            await nodeAgent?.shutdown()
            throw error
        }
    }

    private static func start(_ configuration: KubeEmulatorConfiguration, nodeAgent: NodeAgent?, logger: Logger) async throws -> KubeEmulator {
        try configuration.validate()
        let pki = configuration.tls
            ? try EmulatorPKI.generate(clusterName: configuration.name, extraServerNames: nodeAgent.map { [$0.hostAddress] } ?? []) : nil
        let tlsContext = try pki.map { try NIOSSLContext(configuration: $0.makeServerTLSConfiguration(requestClientCertificates: configuration.clientCertificateAuth)) }
        let store = ObjectStore(historyCapacity: configuration.historySize)
        seedNamespaces(store)
        store.modify { BootstrapPolicy.seed(&$0, now: Date()) }
        store.modify { $0.gracefulPodDeletion = nodeAgent != nil }
        let counters = RequestCounters()
        let faults = FaultInjector()
        let gate = ConnectionGate()
        let simulator = WorkloadSimulator(settings: .init(podReadySeconds: configuration.podReadySeconds, unpullableImages: nil,
                                                          simulateKubelet: nodeAgent == nil))
        try simulator.setUnpullableImages(configuration.unpullableImages)
        func server(host: String, port: Int) -> HTTPServer {
            HTTPServer(
                host: host, port: port, tls: tlsContext, maxBodyBytes: configuration.maxBodyBytes,
                gate: gate,
                identify: { channel in
                    guard let pki, configuration.clientCertificateAuth else { return nil }
                    return try? await pki.clientIdentity(of: channel)
                },
                logger: logger)
        }
        let mainServer = server(host: configuration.host, port: configuration.port)
        let listener = try await mainServer.bind()
        let port = listener.channel.localAddress?.port ?? configuration.port
        // Pods reach the API server on the host's address on the pod network, as in-cluster
        // clients reach the `kubernetes` Service.
        let podServer = nodeAgent.map { server(host: $0.hostAddress, port: port) }
        let podListener = try await podServer?.bind()
        let tokens = ServiceAccountTokens()
        let kubelet = KubeletConnection()
        kubelet.logs = nodeAgent?.logSource
        kubelet.addressGuard = nodeAgent?.addressGuard
        let api = EmulatorAPI(
            store: store,
            settings: EmulatorSettings(bookmarkInterval: configuration.bookmarkInterval, serverAddress: "\(configuration.host):\(port)"),
            authenticator: Authenticator(tls: configuration.tls, token: configuration.token, clientCertificates: configuration.clientCertificateAuth,
                                         serviceAccounts: tokens, store: store),
            policies: RBACPolicyCache(store: store), tokens: tokens,
            counters: counters, faults: faults,
            admin: configuration.admin
                ? AdminEndpoint(store: store, counters: counters, faults: faults, gate: gate, simulator: simulator, nodeAgent: nodeAgent) : nil,
            maxBodyBytes: configuration.maxBodyBytes, logger: logger, kubelet: kubelet)
        let controllers = configuration.simulateWorkloads || nodeAgent != nil
            ? BackgroundControllers(store: store, simulator: simulator, clock: { Date() }) : nil
        let cluster = nodeAgent.map { agent in
            StoreClusterAccess(store: store, tokens: tokens, endpoint: InClusterEndpoint(
                host: agent.hostAddress, port: podListener?.channel.localAddress?.port ?? port, certificateAuthorityPEM: pki?.caCertificatePEM ?? ""))
        }
        let serving = Task {
            await withDiscardingTaskGroup { group in
                if let controllers { group.addTask { await controllers.run() } }
                if let nodeAgent, let cluster {
                    group.addTask { await nodeAgent.run(cluster: cluster) }
                    group.addTask { await EndpointsController(cluster: cluster, logger: logger).run() }
                    group.addTask {
                        await ServiceLoadBalancer(cluster: cluster, addressGuard: nodeAgent.addressGuard,
                                                  addressPrefix: nodeAgent.loadBalancerAddressPrefix, logger: logger).run()
                    }
                }
                if let podServer, let podListener {
                    group.addTask { try? await podServer.serve(podListener) { await api.respond($0) } }
                }
                do {
                    try await mainServer.serve(listener) { await api.respond($0) }
                } catch is CancellationError {
                } catch {
                    logger.error("kube-emulator stopped serving", metadata: ["error": "\(error)"])
                }
                group.cancelAll()
            }
            await nodeAgent?.shutdown()
        }
        return KubeEmulator(configuration: configuration, pki: pki, port: port, store: store, counters: counters,
                            faults: faults, gate: gate, simulator: simulator, kubelet: kubelet, nodeAgent: nodeAgent, serving: serving)
    }

    /// Runs `body` with a started emulator and shuts it down afterwards, whatever happens.
    public static func withRunning<Result: Sendable>(
        _ configuration: KubeEmulatorConfiguration, logger: Logger = Logger(label: "kube-emulator"),
        _ body: (KubeEmulator) async throws -> Result
    ) async throws -> Result {
        let emulator = try await start(configuration, logger: logger)
        do {
            let result = try await body(emulator)
            await emulator.shutdown()
            return result
        } catch {
            await emulator.shutdown()
            throw error
        }
    }

    /// Stops accepting, closes every connection (watches included) and waits for the accept loop to end.
    public func shutdown() async {
        _ = store.modify { $0.closeAllWatches() }
        serving.cancel()
        await serving.value
    }

    private static func seedNamespaces(_ store: ObjectStore) {
        let now = Timestamp.rfc3339(Date())
        store.modify { state in
            for name in ["default", "kube-system", "kube-public", "kube-node-lease"] {
                state.put(StorageKey(group: "", resource: "namespaces"), ObjectKey(namespace: "", name: name), [
                    "apiVersion": "v1", "kind": "Namespace",
                    "metadata": ["name": .string(name), "uid": .string(UUIDText.random()), "creationTimestamp": .string(now),
                                 "labels": ["kubernetes.io/metadata.name": .string(name)]],
                    "spec": ["finalizers": ["kubernetes"]], "status": ["phase": "Active"],
                ])
            }
        }
    }

    // MARK: Test and demo controls

    /// The kubeconfig entry for this cluster: its CA, and the token or a freshly issued client
    /// certificate (for `user` in `groups`, a cluster admin by default). Without TLS the entry
    /// holds the token, or none: loopback callers of the plain-HTTP port need no credentials.
    public func kubeconfigEntry(context: String, user: String = "admin", groups: [String] = ["system:masters"]) throws -> KubeconfigEntry {
        let credentials: KubeconfigEntry.Credentials
        if let token = configuration.token {
            credentials = .token(token)
        } else if let pki {
            credentials = .clientCertificate(try pki.issueClientCertificate(user: user, groups: groups))
        } else {
            credentials = .token("")
        }
        return KubeconfigEntry(name: context, server: url, certificateAuthorityPEM: pki?.caCertificatePEM, credentials: credentials)
    }

    /// Closes every open watch; clients resume from their last resourceVersion. Returns how many were open.
    @discardableResult
    public func closeAllWatches() -> Int { store.modify { $0.closeAllWatches() } }

    /// Forgets the watch history: resuming from any earlier resourceVersion gets 410 Expired.
    public func compactHistory() { store.modify { $0.compactHistory() } }

    /// The current global resourceVersion.
    public var currentResourceVersion: Int64 { store.read { $0.resourceVersion } }

    /// Number of open watches.
    public var openWatchCount: Int { store.read { $0.openWatchCount } }

    /// Requests served so far that match every given criterion.
    public func requestCount(verb: String? = nil, resource: String? = nil, userAgentPrefix: String? = nil, code: Int? = nil) -> Int {
        counters.count(verb: verb, resource: resource, userAgentPrefix: userAgentPrefix, code: code)
    }

    /// Changes which images never pull (a regular expression; nil: all pull).
    public func setUnpullableImages(_ pattern: String?) throws {
        try simulator.setUnpullableImages(pattern)
        BackgroundControllers.poke(store)
    }

    /// Starts (`refuse`, `hang`) or ends (`serve`) a simulated outage.
    public func setOutage(_ mode: String) {
        gate.set(ConnectionGate.Admission(rawValue: mode) ?? .serve)
    }
}
