import KubeAPI
import KubeClient
import Logging
import Synchronization

/// Options of an `Informer`.
public struct InformerOptions: Sendable {
    /// The namespace watched; nil watches all namespaces. Defaults to nil.
    public var namespace: String?
    /// Only objects with matching labels are cached. Defaults to everything.
    public var labelSelector: LabelSelector
    /// Applied to every object before it is cached (see `ObjectTransforms.stripManagedFields`). Defaults to nil.
    public var transform: (@Sendable (JSONValue) -> JSONValue)?
    /// Each watch asks the server to end it after a random number of seconds in this range.
    /// Defaults to 300...600 (client-go). The client treats a watch silent for that long plus its
    /// idle margin (5 s) as dead.
    public var watchTimeoutSeconds: ClosedRange<Int>
    /// The wait after failed lists and watches. Defaults to 800 ms → 30 s, ×2, jitter 1.0, reset after 2 minutes.
    public var backoff: ExponentialBackoff
    /// The list page size. Defaults to 500.
    public var pageSize: Int
    /// The clock of backoff waits. Defaults to `SystemClock()`.
    public var clock: any RuntimeClock

    /// Options; defaults as documented on each property.
    public init(namespace: String? = nil, labelSelector: LabelSelector = LabelSelector(), transform: (@Sendable (JSONValue) -> JSONValue)? = nil,
                watchTimeoutSeconds: ClosedRange<Int> = KubeRuntimeDefaults.watchTimeoutRange, backoff: ExponentialBackoff = ExponentialBackoff(),
                pageSize: Int = KubeRuntimeDefaults.listPageSize, clock: any RuntimeClock = SystemClock()) {
        self.namespace = namespace
        self.labelSelector = labelSelector
        self.transform = transform
        self.watchTimeoutSeconds = watchTimeoutSeconds
        self.backoff = backoff
        self.pageSize = pageSize
        self.clock = clock
    }
}

/// Lists and watches one resource in one cluster into an `ObjectCache` and tells handlers what
/// changed: client-go's reflector and shared informer, driven by the `ReflectorState` machine.
///
/// # Guarantees
/// - Watches resume from the last resourceVersion seen (events and bookmarks); a 410 relists,
///   and the relist's differences reach handlers as added/updated/deleted events, so no change
///   is lost across reconnects and compactions.
/// - An event whose resourceVersion is already cached is not delivered again: no duplicates.
/// - Changes are state-based, as client-go's: a relist compares the list with the cache, so an
///   object created and updated while no watch could see it arrives as one add, and one created
///   and deleted meanwhile is never delivered.
/// - A watch silent (no event, no bookmark) for its `timeoutSeconds` plus the client's
///   `watchIdleMargin` is presumed dead (a half-open connection) and restarted after a backoff,
///   from the last resourceVersion.
/// - Handlers run one event at a time, in order, on the informer's task, after the cache holds
///   the change: keep them short (enqueue). `state.resourceVersion` moves after they ran.
/// - Failures back off (800 ms → 30 s with jitter, reset after 2 minutes without failures) and
///   are reported to `health` (the cluster's reachability); successes report it reachable.
///
/// # Caveats
/// - Register handlers before `run()`; a handler added later sees only later changes.
public final class Informer: Sendable {
    /// The cache this informer fills.
    public let cache: ObjectCache
    /// The options.
    public let options: InformerOptions
    private let resourceClient: ResourceClient<JSONValue>
    private let handlers = Mutex<[@Sendable (InformerEvent) -> Void]>([])
    private let current = Mutex<ReflectorState>(.listing)
    private let health: @Sendable (Result<Void, any Error>) -> Void
    private let lastStep: Atomic<Int64>
    private let logger: Logger

    /// An informer of `resource` in the cluster `client` talks to, named `cluster`.
    ///
    /// - Parameter health: told of every success and failure to reach the API server.
    public init(cluster: String, client: KubeClient, resource: ResourceDescriptor, options: InformerOptions = InformerOptions(),
                logger: Logger = Logger(label: "tandem.kube-runtime"), health: @escaping @Sendable (Result<Void, any Error>) -> Void = { _ in }) {
        self.cache = ObjectCache(cluster: cluster, resource: resource)
        self.options = options
        self.resourceClient = options.namespace.map { client.resource(resource, namespace: $0) } ?? client.resourceInAllNamespaces(resource)
        self.health = health
        self.lastStep = Atomic(options.clock.now.nanosecondsValue)
        var logger = logger
        logger[metadataKey: "cluster"] = "\(cluster)"
        logger[metadataKey: "resource"] = "\(resource)"
        self.logger = logger
    }

    /// Calls `handler` for every later change.
    public func addHandler(_ handler: @escaping @Sendable (InformerEvent) -> Void) {
        handlers.withLock { $0.append(handler) }
    }

    /// The reflector's current state. Its `resourceVersion` (client-go's `LastSyncResourceVersion`)
    /// moves only after the handlers ran for every change up to it: once it reaches a version,
    /// the cache and the handlers have seen everything up to that version.
    public var state: ReflectorState { current.withLock { $0 } }

    /// True once the first list is cached.
    public var hasSynced: Bool { cache.hasSynced }

    /// How long ago (on `options.clock`) the loop last took a step: a list, a watch opened,
    /// ended or failed, an event or bookmark handled. Liveness calls a long silence a stall.
    public var timeSinceLastStep: Duration {
        options.clock.now - .nanoseconds(lastStep.load(ordering: .relaxed))
    }

    private func stepped() {
        lastStep.store(options.clock.now.nanosecondsValue, ordering: .relaxed)
    }

    /// Lists and watches until the task is cancelled.
    public func run() async {
        var state = ReflectorState.listing
        var backoff = options.backoff
        let clock = options.clock
        while !Task.isCancelled {
            stepped()
            current.withLock { $0 = state }
            switch state {
            case .listing:
                state = state.handle(await list(), backoff: &backoff, now: clock.now)
            case .watching(let version):
                state = await watch(from: version, state: state, backoff: &backoff)
            case .backingOff(let delay, _):
                do { try await clock.sleep(for: delay) } catch { return }
                state = state.handle(.waited, backoff: &backoff, now: clock.now)
            }
        }
    }

    private func list() async -> ReflectorState.Input {
        do {
            // Page by page, transforming each page at once: the untransformed objects of one
            // page at most are alive at a time (managedFields alone can double an object).
            var parameters = ListParameters(labelSelector: options.labelSelector, limit: options.pageSize)
            var objects: [JSONValue] = []
            var version: String?
            repeat {
                let page = try await resourceClient.list(parameters)
                if let transform = options.transform {
                    objects.append(contentsOf: page.items.lazy.map(transform))
                } else {
                    objects.append(contentsOf: page.items)
                }
                version = version ?? page.metadata.resourceVersion
                parameters.continueToken = page.continueToken
            } while parameters.continueToken != nil
            deliver(cache.replaceAll(objects))
            health(.success(()))
            logger.debug("listed", metadata: ["objects": "\(objects.count)", "resourceVersion": "\(version ?? "")"])
            return .listed(resourceVersion: version ?? "0")
        } catch {
            if Task.isCancelled { return .listFailed }
            health(.failure(error))
            logger.info("list failed; backing off", metadata: ["error": "\(error)"])
            return (error as? KubeError)?.isGone == true ? .gone : .listFailed
        }
    }

    private func watch(from version: String, state: ReflectorState, backoff: inout ExponentialBackoff) async -> ReflectorState {
        var state = state
        let clock = options.clock
        let parameters = WatchParameters(
            labelSelector: options.labelSelector, resourceVersion: version, allowWatchBookmarks: true,
            timeoutSeconds: Int.random(in: options.watchTimeoutSeconds))
        do {
            var events = resourceClient.watch(parameters).makeAsyncIterator()
            try await events.connect()
            health(.success(()))
            stepped()
            while let event = try await events.next() {
                stepped()
                switch event {
                case .added(let object), .modified(let object):
                    if let change = cache.upsert(options.transform?(object) ?? object) { deliver([change]) }
                    state = state.handle(.progressed(resourceVersion: object.resourceVersion ?? version), backoff: &backoff, now: clock.now)
                case .deleted(let object):
                    if let change = cache.remove(object) { deliver([change]) }
                    state = state.handle(.progressed(resourceVersion: object.resourceVersion ?? version), backoff: &backoff, now: clock.now)
                case .bookmark(let bookmarked):
                    if !bookmarked.isEmpty { state = state.handle(.progressed(resourceVersion: bookmarked), backoff: &backoff, now: clock.now) }
                case .error(let status):
                    throw status
                }
                current.withLock { $0 = state }
            }
            return state.handle(.watchClosed, backoff: &backoff, now: clock.now)
        } catch let status as KubeError where status.isGone {
            logger.info("watch expired (410); relisting", metadata: ["resourceVersion": "\(state.resourceVersion ?? "")"])
            return state.handle(.gone, backoff: &backoff, now: clock.now)
        } catch {
            if Task.isCancelled { return state }
            health(.failure(error))
            logger.info("watch failed; backing off", metadata: ["error": "\(error)"])
            return state.handle(.watchFailed, backoff: &backoff, now: clock.now)
        }
    }

    private func deliver(_ events: [InformerEvent]) {
        guard !events.isEmpty else { return }
        let handlers = self.handlers.withLock { $0 }
        for event in events {
            for handler in handlers { handler(event) }
        }
    }
}
