import KubeAPI
import Logging
import Synchronization

/// Options of a `Controller`.
public struct ControllerOptions: Sendable {
    /// Reconciles running at once, per cluster. Defaults to 1.
    public var maxConcurrentReconciles: Int
    /// Every primary object is enqueued again this often. Defaults to 10 hours.
    public var resyncPeriod: Duration
    /// The first retry delay of a failing key. Defaults to 5 ms.
    public var baseDelay: Duration
    /// The longest retry delay. Defaults to 1000 s.
    public var maxDelay: Duration
    /// The clock of queue delays and resyncs. Defaults to `SystemClock()`.
    public var clock: any RuntimeClock
    /// How long a cluster's caches may take to sync before the controller reports it (an error
    /// log and `clustersNotSynced`); it keeps waiting, so a late cluster still starts. Defaults to 2 minutes.
    public var cacheSyncTimeout: Duration

    /// Options; defaults as documented on each property.
    public init(maxConcurrentReconciles: Int = KubeRuntimeDefaults.maxConcurrentReconciles, resyncPeriod: Duration = KubeRuntimeDefaults.resyncPeriod,
                baseDelay: Duration = KubeRuntimeDefaults.queueBaseDelay, maxDelay: Duration = KubeRuntimeDefaults.queueMaxDelay,
                clock: any RuntimeClock = SystemClock(), cacheSyncTimeout: Duration = KubeRuntimeDefaults.cacheSyncTimeout) {
        self.maxConcurrentReconciles = maxConcurrentReconciles
        self.cacheSyncTimeout = cacheSyncTimeout
        self.resyncPeriod = resyncPeriod
        self.baseDelay = baseDelay
        self.maxDelay = maxDelay
        self.clock = clock
    }
}

/// Watches a primary kind (and what it owns) in every cluster of a `ClusterSet` and calls a
/// `Reconciler` for each changed key.
///
/// # Guarantees
/// - Each cluster has its own work queue and workers (`maxConcurrentReconciles` each), started
///   when that cluster's caches have synced: an unreachable or hanging cluster never holds up
///   reconciles of the others' keys.
/// - A key is never reconciled twice at once; errors requeue it with per-key backoff.
/// - `shutDown()` stops intake and lets in-flight reconciles finish; `run()` then returns.
///   Cancelling `run()` instead stops at once (in-flight reconciles see cancellation), as on
///   losing leadership.
///
/// # Caveats
/// - Configure watches before `ClusterSet.run()` starts the informers.
public final class Controller: Sendable {
    /// The controller's name (metrics label `controller`, logs).
    public let name: String
    /// The clusters watched.
    public let clusters: ClusterSet
    /// The options.
    public let options: ControllerOptions
    private let reconciler: any Reconciler
    private let queues: [String: WorkQueue<ObjectKey>]
    private let primaries = Mutex<[Informer]>([])
    private let lateClusters = Mutex<Set<String>>([])
    private let metrics: ControllerMetrics
    private let active = Atomic<Int>(0)
    private let inFlight = Mutex<[ObjectKey: Duration]>([:])
    private let logger: Logger

    /// A controller named `name` over `clusters`.
    public init(name: String, clusters: ClusterSet, reconciler: any Reconciler, options: ControllerOptions = ControllerOptions(),
                metrics: RuntimeMetrics = RuntimeMetrics(), logger: Logger = Logger(label: "tandem.kube-runtime")) {
        self.name = name
        self.clusters = clusters
        self.options = options
        self.reconciler = reconciler
        var queues: [String: WorkQueue<ObjectKey>] = [:]
        for cluster in clusters.names {
            queues[cluster] = WorkQueue(clock: options.clock, baseDelay: options.baseDelay, maxDelay: options.maxDelay,
                                        metrics: metrics.workQueue(controller: name, cluster: cluster))
        }
        self.queues = queues
        self.metrics = metrics.controller(name)
        var logger = logger
        logger[metadataKey: "controller"] = "\(name)"
        self.logger = logger
    }

    // MARK: Watches

    /// Reconciles objects of `resource` (in `namespace`, or all) in every cluster when `predicate`
    /// accepts their change (default: generation changed). Also resynced every `resyncPeriod`.
    public func watchPrimary(_ resource: ResourceDescriptor, namespace: String? = nil, predicate: EventPredicate = .generationChanged) {
        for cluster in clusters.clusters {
            let informer = cluster.informer(for: resource, namespace: namespace)
            primaries.withLock { $0.append(informer) }
            informer.addHandler { [weak self] event in
                guard let self, predicate.accepts(event) else { return }
                self.enqueue(informer.cache.key(of: event.object))
            }
        }
    }

    /// Reconciles the owner (kind `ownerKind` in `ownerGroup`, by controller owner reference) of
    /// every changed `resource` object, mapped through `mapping` (its cluster, or the whole fleet).
    public func owns(_ resource: ResourceDescriptor, ownerKind: String, ownerGroup: String, namespace: String? = nil,
                     mapping: OwnerMapping = .sameCluster, predicate: EventPredicate = .always) {
        let clusterNames = clusters.names
        watch(resource, namespace: namespace, predicate: predicate) { cluster, event in
            var objects = [event.object]
            if case .updated(let old, _) = event { objects.append(old) }
            var keys: Set<ObjectKey> = []
            for object in objects {
                for owner in OwnerReferences.ownerKeys(of: object, cluster: cluster, kind: ownerKind, group: ownerGroup, controllerOnly: true) {
                    switch mapping {
                    case .sameCluster: keys.insert(owner)
                    case .fleet: for name in clusterNames { keys.insert(ObjectKey(cluster: name, namespace: owner.namespace, name: owner.name)) }
                    case .custom(let map): keys.formUnion(map(owner))
                    }
                }
            }
            return Array(keys)
        }
    }

    /// Enqueues the keys `map` returns for every change of `resource` objects that `predicate` accepts.
    public func watch(_ resource: ResourceDescriptor, namespace: String? = nil, predicate: EventPredicate = .always,
                      map: @escaping @Sendable (_ cluster: String, InformerEvent) -> [ObjectKey]) {
        for cluster in clusters.clusters {
            let informer = cluster.informer(for: resource, namespace: namespace)
            let name = cluster.name
            informer.addHandler { [weak self] event in
                guard let self, predicate.accepts(event) else { return }
                for key in map(name, event) { self.enqueue(key) }
            }
        }
    }

    /// Queues `key` for reconciling (ignored for a cluster not in the set).
    public func enqueue(_ key: ObjectKey) {
        queues[key.cluster]?.add(key)
    }

    /// The work queue of `cluster`.
    public func queue(for cluster: String) -> WorkQueue<ObjectKey>? { queues[cluster] }

    // MARK: Running

    /// Runs every cluster's workers until `shutDown()` (then in-flight reconciles finish) or
    /// cancellation (then they are cancelled).
    public func run() async {
        metrics.maxConcurrent.record(options.maxConcurrentReconciles)
        await withTaskGroup(of: Void.self) { group in
            for cluster in clusters.clusters {
                guard let queue = queues[cluster.name] else { continue }
                group.addTask { await self.run(cluster: cluster, queue: queue) }
            }
        }
    }

    /// Stops intake in every cluster; `run()` returns once in-flight reconciles are done.
    public func shutDown() {
        for queue in queues.values { queue.shutDown() }
    }

    /// Returns once every queue is shut down and idle.
    public func drain() async {
        for queue in queues.values { await queue.drain() }
    }

    private func run(cluster: Cluster, queue: WorkQueue<ObjectKey>) async {
        await withTaskGroup(of: Void.self) { group in
            group.addTask { await queue.run() }
            group.addTask { await self.resync(cluster: cluster.name, queue: queue) }
            guard await waitForSync(cluster: cluster, queue: queue) else {
                group.cancelAll()
                return
            }
            logger.info("caches synced; starting workers", metadata: ["cluster": "\(cluster.name)", "workers": "\(options.maxConcurrentReconciles)"])
            await withTaskGroup(of: Void.self) { workers in
                for _ in 0..<max(1, options.maxConcurrentReconciles) {
                    workers.addTask { await self.work(queue) }
                }
            }
            group.cancelAll()
        }
    }

    /// The reconcile running longest and for how long (on `options.clock`); nil when none runs.
    public var longestRunningReconcile: (key: ObjectKey, running: Duration)? {
        let now = options.clock.now
        return inFlight.withLock { running in
            running.min { $0.value < $1.value }.map { (key: $0.key, running: now - $0.value) }
        }
    }

    /// Clusters whose caches missed `cacheSyncTimeout` and have not synced since.
    public var clustersNotSynced: Set<String> { lateClusters.withLock { $0 } }

    private enum SyncWait { case synced, drained, late }

    /// Waits for the cluster's informers, reporting them once `cacheSyncTimeout` passes; false
    /// when the queue shut down or the task was cancelled first.
    private func waitForSync(cluster: Cluster, queue: WorkQueue<ObjectKey>) async -> Bool {
        let informers = cluster.allInformers
        let clock = options.clock, timeout = options.cacheSyncTimeout
        await withTaskGroup(of: SyncWait.self) { group in
            group.addTask {
                for informer in informers { await informer.cache.waitForSync() }
                return .synced
            }
            group.addTask {
                await queue.drain()
                return .drained
            }
            group.addTask {
                do { try await clock.sleep(for: timeout) } catch { return .drained }
                return .late
            }
            while let outcome = await group.next(), outcome == .late {
                lateClusters.withLock { _ = $0.insert(cluster.name) }
                let waiting = informers.filter { !$0.cache.hasSynced }.map { "\($0.cache.resource)" }
                logger.error("caches have not synced; still waiting (is the API server reachable, and does it serve these resources?)", metadata: [
                    "cluster": "\(cluster.name)", "timeout": "\(timeout)", "resources": "\(waiting.joined(separator: ","))",
                ])
            }
            group.cancelAll()
        }
        lateClusters.withLock { _ = $0.remove(cluster.name) }
        return !Task.isCancelled && !queue.isShuttingDown
    }

    private func resync(cluster: String, queue: WorkQueue<ObjectKey>) async {
        let clock = options.clock
        while true {
            do { try await clock.sleep(for: options.resyncPeriod) } catch { return }
            for informer in primaries.withLock({ $0 }) where informer.cache.cluster == cluster {
                for key in informer.cache.keys { queue.add(key) }
            }
        }
    }

    private func work(_ queue: WorkQueue<ObjectKey>) async {
        let clock = options.clock
        while let key = await queue.next() {
            if Task.isCancelled {
                queue.done(key)
                return
            }
            metrics.activeWorkers.record(active.add(1, ordering: .relaxed).newValue)
            let started = clock.now
            inFlight.withLock { $0[key] = started }
            do {
                switch try await reconciler.reconcile(key) {
                case .done:
                    queue.forget(key)
                    metrics.success.increment()
                case .after(let delay):
                    queue.forget(key)
                    queue.add(key, after: delay)
                    metrics.requeueAfter.increment()
                case .rateLimited:
                    queue.addRateLimited(key)
                    metrics.requeue.increment()
                }
            } catch {
                metrics.error.increment()
                metrics.errors.increment()
                if !(error is CancellationError) {
                    queue.addRateLimited(key)
                    logger.warning("reconcile failed", metadata: [
                        "cluster": "\(key.cluster)", "namespace": "\(key.namespace)", "name": "\(key.name)", "error": "\(error)",
                        "retries": "\(queue.failures(key))",
                    ])
                }
            }
            inFlight.withLock { _ = $0.removeValue(forKey: key) }
            metrics.time.recordNanoseconds((clock.now - started).nanosecondsValue)
            metrics.activeWorkers.record(active.subtract(1, ordering: .relaxed).newValue)
            queue.done(key)
        }
    }
}
