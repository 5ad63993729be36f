import Foundation
import KubeAPI
import KubeClient
import Logging
import Synchronization

/// Options of a `LeaderElector`.
public struct LeaderElectionOptions: Sendable {
    /// The Lease's namespace.
    public var namespace: String
    /// The Lease's name (one per managed cluster group).
    public var leaseName: String
    /// This candidate's identity. Defaults to `hostname_uuid` (controller-runtime).
    public var identity: String
    /// How long a lease is valid after its last renewal. Defaults to 15 s.
    public var leaseDuration: Duration
    /// The leader stops acting once this long passed since the start of its last successful
    /// renewal (an attempt still under way then is abandoned). Shorter than `leaseDuration`, so the
    /// leader has stopped before anyone else may take the lease. Defaults to 10 s.
    public var renewDeadline: Duration
    /// How often to try to acquire or renew. Defaults to 2 s.
    public var retryPeriod: Duration
    /// Release the lease when stopped (not when lost). Defaults to true (controller-runtime's
    /// `LeaderElectionReleaseOnCancel` is opt-in; Tandem's shutdown drains first, so releasing is safe).
    public var releaseOnStop: Bool

    /// Options for the Lease `namespace/leaseName`; defaults as documented on each property.
    public init(namespace: String, leaseName: String, identity: String = LeaderElectionOptions.defaultIdentity(),
                leaseDuration: Duration = KubeRuntimeDefaults.leaseDuration, renewDeadline: Duration = KubeRuntimeDefaults.renewDeadline,
                retryPeriod: Duration = KubeRuntimeDefaults.retryPeriod) {
        self.namespace = namespace
        self.leaseName = leaseName
        self.identity = identity
        self.leaseDuration = leaseDuration
        self.renewDeadline = renewDeadline
        self.retryPeriod = retryPeriod
        self.releaseOnStop = true
    }

    /// `hostname_uuid`, unique per process.
    public static func defaultIdentity() -> String {
        "\(ProcessInfo.processInfo.hostName)_\(UUID().uuidString.lowercased())"
    }
}

/// Leader election on a `coordination.k8s.io/v1` Lease, as client-go's `leaderelection` with a
/// `LeaseLock`.
///
/// # Guarantees
/// - A candidate takes the lease only when it is free, released, or not renewed for its
///   `leaseDurationSeconds` as observed on this process's own clock (no cross-host clock compare).
/// - Writes are conditional on the Lease's resourceVersion: two candidates never both succeed.
/// - A renewal counts from the moment its request started (client-go's `renewTime`), never from
///   when its answer arrived: others see the renewal only after it was written, so they wait
///   `leaseDuration` from a later instant.
/// - The leader renews every `retryPeriod`, each attempt bounded by the time left until
///   `renewDeadline` after the start of the last successful renewal. At that instant — with an
///   attempt in flight or not — `whileLeading` is cancelled and `run` returns `.lost`: the caller
///   must stop and exit (controller-runtime exits the process). Since `renewDeadline` is shorter
///   than `leaseDuration`, the leader has stopped before another candidate may take the lease
///   (with `leaseDuration - renewDeadline` left for `whileLeading` to wind down).
/// - On a clean stop the lease is released (holder cleared) so a successor takes over at once.
public final class LeaderElector: Sendable {
    /// How a `run` ended.
    public enum Outcome: Sendable, Hashable {
        /// Leadership was lost (renewals failed for `renewDeadline`, or another holder took the lease).
        case lost
        /// The task was cancelled, or `whileLeading` returned; the lease was released if held.
        case stopped
    }

    /// The options.
    public let options: LeaderElectionOptions
    private let leases: ResourceClient<Lease>
    private let leading = Mutex(false)
    private let observed = Mutex<(spec: Lease.Spec?, at: ContinuousClock.Instant)>((nil, .now))
    private let metrics: LeaderElectionMetrics
    private let logger: Logger

    /// An elector for `options.namespace/options.leaseName` in the cluster `client` talks to.
    public init(client: KubeClient, options: LeaderElectionOptions, metrics: RuntimeMetrics = RuntimeMetrics(),
                logger: Logger = Logger(label: "tandem.kube-runtime")) {
        self.options = options
        self.leases = client.resource(.leases, namespace: options.namespace, as: Lease.self)
        self.metrics = metrics.leaderElection(options.leaseName)
        var logger = logger
        logger[metadataKey: "lease"] = "\(options.namespace)/\(options.leaseName)"
        logger[metadataKey: "identity"] = "\(options.identity)"
        self.logger = logger
    }

    /// True while this candidate holds the lease.
    public var isLeader: Bool { leading.withLock { $0 } }

    /// Acquires the lease (retrying every `retryPeriod`), then runs `whileLeading` while renewing.
    /// Returns `.lost` once `renewDeadline` passed since the start of the last successful renewal
    /// (`whileLeading` is cancelled at that instant), `.stopped` when cancelled or when
    /// `whileLeading` returns (the lease is then released).
    public func run(whileLeading: @escaping @Sendable () async -> Void) async -> Outcome {
        var acquiredAt = ContinuousClock.now
        while !isLeader {
            if Task.isCancelled { return .stopped }
            acquiredAt = .now
            // Half the deadline at most, so that at least half of the first term is left to lead.
            if await attempt(within: options.renewDeadline / 2) {
                setLeader(true)
                logger.info("acquired the lease")
                break
            }
            do { try await Task.sleep(for: options.retryPeriod * Double.random(in: 1.0..<1.2)) } catch { return .stopped }
        }
        let term = Term(deadline: acquiredAt + options.renewDeadline)
        let outcome = await withTaskGroup(of: Outcome?.self) { group in
            group.addTask {
                await whileLeading()
                return .stopped
            }
            group.addTask {
                await self.keepRenewing(term)
                return nil
            }
            group.addTask { await self.expire(term) }
            var outcome = Outcome.stopped
            while let next = await group.next() {
                guard let next else { continue }
                outcome = next
                break
            }
            group.cancelAll()
            return outcome
        }
        setLeader(false)
        if outcome == .lost {
            logger.error("leader election lost")
        } else if options.releaseOnStop {
            // The release must reach the API server even when `run` was cancelled, so it runs in
            // a task that does not inherit the cancellation; it is awaited, so it never outlives `run`.
            await Task { await self.release() }.value
        }
        return outcome
    }

    /// Renews every `retryPeriod` until cancelled (client-go's `renew`), each attempt bounded by the
    /// time left in the term; a success extends the term to `renewDeadline` after the attempt's start.
    private func keepRenewing(_ term: Term) async {
        while true {
            do { try await Task.sleep(for: options.retryPeriod) } catch { return }
            let started = ContinuousClock.now
            let left = term.deadline - started
            guard left > .zero else { return }
            if await attempt(within: left) { term.extend(to: started + options.renewDeadline) }
        }
    }

    /// Returns `.lost` (this candidate no longer leads) the moment the term ends, whether or not a
    /// renewal is under way; nil when cancelled first.
    private func expire(_ term: Term) async -> Outcome? {
        while true {
            do { try await Task.sleep(until: term.deadline, clock: .continuous) } catch { return nil }
            if term.deadline <= .now {
                setLeader(false)
                return .lost
            }
        }
    }

    /// One try to acquire or renew, abandoned after `limit`. True on success.
    private func attempt(within limit: Duration) async -> Bool {
        await withTaskGroup(of: Bool?.self) { group in
            group.addTask { await self.tryAcquireOrRenew() }
            group.addTask {
                try? await Task.sleep(for: limit)
                return nil
            }
            let first = await group.next() ?? nil
            group.cancelAll()
            return first ?? false
        }
    }

    private func tryAcquireOrRenew() async -> Bool {
        let now = Timestamps.microTime()
        let durationSeconds = Int32(max(1, (options.leaseDuration.secondsValue).rounded(.up)))
        do {
            guard var lease = try await leases.getIfExists(options.leaseName) else {
                let spec = Lease.Spec(holderIdentity: options.identity, leaseDurationSeconds: durationSeconds, acquireTime: now, renewTime: now, leaseTransitions: 0)
                _ = try await leases.create(Lease(metadata: ObjectMeta(name: options.leaseName, namespace: options.namespace), spec: spec))
                return true
            }
            let current = lease.spec ?? Lease.Spec()
            let observedAt = observed.withLock { observed in
                if observed.spec != current { observed = (current, .now) }
                return observed.at
            }
            let holder = current.holderIdentity ?? ""
            if !holder.isEmpty, holder != options.identity {
                let validFor = Duration.seconds(Int64(current.leaseDurationSeconds ?? durationSeconds))
                if ContinuousClock.now < observedAt + validFor { return false }
            }
            var spec = current
            spec.holderIdentity = options.identity
            spec.leaseDurationSeconds = durationSeconds
            spec.renewTime = now
            if holder != options.identity {
                spec.acquireTime = now
                spec.leaseTransitions = (current.leaseTransitions ?? 0) + 1
                metrics.slowpath.increment()
            }
            lease.spec = spec
            let written = try await leases.replace(lease)
            observed.withLock { $0 = (written.spec, .now) }
            return true
        } catch {
            if !Task.isCancelled { logger.debug("lease update failed", metadata: ["error": "\(error)"]) }
            return false
        }
    }

    /// Clears the holder if this candidate holds the lease, so a successor need not wait for expiry.
    public func release() async {
        do {
            guard var lease = try await leases.getIfExists(options.leaseName), lease.spec?.holderIdentity == options.identity else { return }
            lease.spec?.holderIdentity = ""
            lease.spec?.leaseDurationSeconds = 1
            lease.spec?.renewTime = Timestamps.microTime()
            _ = try await leases.replace(lease)
            logger.info("released the lease")
        } catch {
            logger.info("could not release the lease", metadata: ["error": "\(error)"])
        }
    }

    private func setLeader(_ value: Bool) {
        leading.withLock { $0 = value }
        metrics.status.record(value ? 1 : 0)
    }
}

/// Until when the leader may act: `renewDeadline` after the start of its last successful renewal.
private final class Term: Sendable {
    private let end: Mutex<ContinuousClock.Instant>

    init(deadline: ContinuousClock.Instant) { end = Mutex(deadline) }

    var deadline: ContinuousClock.Instant { end.withLock { $0 } }

    /// Moves the deadline to `instant` unless it is already later.
    func extend(to instant: ContinuousClock.Instant) { end.withLock { $0 = max($0, instant) } }
}
