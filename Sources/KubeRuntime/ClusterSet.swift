import KubeAPI
import KubeClient
import CoreMetrics
import Logging
import Synchronization

/// Whether a cluster's API server answered recently.
public enum Reachability: Sendable, Hashable {
    /// Nothing was tried yet.
    case unknown
    /// The last list, watch and probe succeeded.
    case reachable
    /// The last list or watch failed, or the API server stopped answering probes; `reason` is the error.
    case unreachable(reason: String)

    /// True when `.reachable`.
    public var isReachable: Bool { self == .reachable }
}

/// One member cluster: its client, its informers and its reachability.
///
/// # Guarantees
/// - One informer per (resource, namespace) is shared by every controller that asks for it.
/// - Reachability follows the informers and the API server probe: the cluster is unreachable
///   while any informer's last list or watch failed or the probe found the server silent
///   (within `APIServerProbeOptions.detectionBound`, 20 s by default, even when every
///   connection stays open), reachable once every one of them that tried last succeeded (a watch
///   counts as soon as the server accepts it); reconcilers read it to skip or defer work.
/// - `tandem_cluster_reachable{cluster}` is 1 while reachable, 0 while unreachable.
public final class Cluster: Sendable {
    private struct InformerID: Hashable {
        var resource: ResourceDescriptor
        var namespace: String?
        var labelSelector: LabelSelector
    }

    /// What reports reachability: an informer or the probe.
    private enum Reporter: Hashable {
        case informer(InformerID)
        case probe

        var sortKey: String {
            switch self {
            case .informer(let id): return "\(id.resource)"
            case .probe: return ""
            }
        }
    }

    /// The cluster's name (the `cluster` of its keys).
    public let name: String
    /// The cluster's client.
    public let client: KubeClient
    /// Options every informer of this cluster starts from (namespace and transform are per informer).
    public let informerOptions: InformerOptions
    /// How the API server is probed; nil: not probed.
    public let probeOptions: APIServerProbeOptions?
    private let informers = Mutex<[InformerID: Informer]>([:])
    private let reach = Mutex<[Reporter: Reachability]>([:])
    private let reachableGauge: CoreMetrics.Gauge
    private let logger: Logger

    /// A member named `name` reached through `client`.
    ///
    /// - Parameters:
    ///   - informerOptions: defaults of its informers; set `transform` to
    ///     `ObjectTransforms.stripManagedFields` to save memory.
    ///   - probe: how `run()` probes the API server. Defaults to `APIServerProbeOptions()` (every
    ///     5 s, 5 s each, unreachable after 2 failures); nil turns probing off.
    ///   - metrics: where `tandem_cluster_reachable` goes. Defaults to the global factory.
    public init(name: String, client: KubeClient, informerOptions: InformerOptions = InformerOptions(),
                probe: APIServerProbeOptions? = APIServerProbeOptions(), metrics: RuntimeMetrics = RuntimeMetrics(),
                logger: Logger = Logger(label: "tandem.kube-runtime")) {
        self.name = name
        self.client = client
        self.informerOptions = informerOptions
        self.probeOptions = probe
        self.reachableGauge = metrics.clusterReachable(name)
        var logger = logger
        logger[metadataKey: "cluster"] = "\(name)"
        self.logger = logger
    }

    /// The shared informer of `resource` (in `namespace`, or all namespaces; only objects
    /// `labelSelector` selects, or all). Create informers before `run()`: later ones are not started.
    ///
    /// `transform` runs after the cluster's own (`informerOptions.transform`) before objects are
    /// cached, to keep only what readers need; the first request for an informer sets it.
    public func informer(for resource: ResourceDescriptor, namespace: String? = nil, labelSelector: LabelSelector = LabelSelector(),
                         transform: (@Sendable (JSONValue) -> JSONValue)? = nil) -> Informer {
        informers.withLock { informers in
            let id = InformerID(resource: resource, namespace: namespace, labelSelector: labelSelector)
            if let existing = informers[id] { return existing }
            var options = informerOptions
            options.namespace = namespace
            options.labelSelector = labelSelector
            if let transform {
                let base = informerOptions.transform
                options.transform = { object in transform(base?(object) ?? object) }
            }
            let informer = Informer(cluster: name, client: client, resource: resource, options: options, logger: logger) { [weak self] result in
                self?.record(result, from: .informer(id))
            }
            informers[id] = informer
            return informer
        }
    }

    /// Every informer created so far.
    public var allInformers: [Informer] { informers.withLock { Array($0.values) } }

    /// The cluster's reachability: unreachable while any informer's last attempt failed or the
    /// API server is silent.
    public var reachability: Reachability { reach.withLock { Self.combine($0) } }

    private static func combine(_ reporters: [Reporter: Reachability]) -> Reachability {
        var combined = Reachability.unknown
        for (_, state) in reporters.sorted(by: { $0.key.sortKey < $1.key.sortKey }) {
            switch state {
            case .unreachable: return state
            case .reachable: combined = .reachable
            case .unknown: continue
            }
        }
        return combined
    }

    /// True when every informer has synced once.
    public var hasSynced: Bool { allInformers.allSatisfy(\.hasSynced) }

    /// Runs every informer, and the API server probe, until the task is cancelled.
    public func run() async {
        await withTaskGroup(of: Void.self) { group in
            for informer in allInformers { group.addTask { await informer.run() } }
            if let probeOptions {
                let probe = APIServerProbe(client: client, options: probeOptions, report: { [weak self] in self?.record($0, from: .probe) },
                                           logger: logger)
                group.addTask { await probe.run() }
            }
        }
    }

    private func record(_ result: Result<Void, any Error>, from reporter: Reporter) {
        let next: Reachability
        switch (result, reporter) {
        case (.success, _): next = .reachable
        case (.failure(let error as KubeError), .informer(let informer)) where error.isNotFound:
            next = .unreachable(reason: "the API server does not serve \(informer.resource) (404): is its CustomResourceDefinition installed?")
        case (.failure(let error), _): next = .unreachable(reason: "\(error)")
        }
        let (previous, current) = reach.withLock { states in
            let previous = Self.combine(states)
            states[reporter] = next
            return (previous, Self.combine(states))
        }
        switch current {
        case .reachable: reachableGauge.record(1)
        case .unreachable: reachableGauge.record(0)
        case .unknown: break
        }
        if previous.isReachable != current.isReachable || previous == .unknown {
            switch current {
            case .reachable: logger.info("cluster reachable")
            case .unreachable(let reason): logger.warning("cluster unreachable", metadata: ["error": "\(reason)"])
            case .unknown: break
            }
        }
    }
}

/// The member clusters of one process: each with its client, informers and reachability.
/// One cluster being unreachable never blocks the others: each runs its informers (and each
/// controller its workers) independently.
public final class ClusterSet: Sendable {
    /// The members, in configuration order.
    public let clusters: [Cluster]

    /// A set of `clusters` (names must be unique).
    public init(_ clusters: [Cluster]) {
        precondition(Set(clusters.map(\.name)).count == clusters.count, "cluster names must be unique: \(clusters.map(\.name))")
        self.clusters = clusters
    }

    /// The member named `name`.
    public subscript(name: String) -> Cluster? { clusters.first { $0.name == name } }

    /// The members' names.
    public var names: [String] { clusters.map(\.name) }

    /// The reachability of the cluster `name` (`.unknown` for a stranger).
    public func reachability(of name: String) -> Reachability { self[name]?.reachability ?? .unknown }

    /// Runs every cluster's informers until the task is cancelled.
    public func run() async {
        await withTaskGroup(of: Void.self) { group in
            for cluster in clusters { group.addTask { await cluster.run() } }
        }
    }

    /// True when every cluster either synced or is unreachable: an unreachable member does not
    /// hold the others' readiness.
    public var isReady: Bool {
        clusters.allSatisfy { $0.hasSynced || !$0.reachability.isReachable && $0.reachability != .unknown }
    }
}
