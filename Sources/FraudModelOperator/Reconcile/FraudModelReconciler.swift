#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import FraudModelAPI
import FraudModelPlanning
import KubeAPI
import KubeClient
import KubeRuntime
import Logging

/// Reconciles one cluster's copy of a FraudModel: plans the whole fleet, then makes that
/// cluster's Deployment and Service (and, with a serving identity, its pods' ServiceAccount)
/// match the plan and writes the fleet status into the copy.
///
/// # Guarantees
/// - Reads come from the informers' caches; a converged fleet costs no request at all.
/// - Writes use server-side apply with field manager `tandem-operator` and touch only objects
///   the FraudModel controls; an object of the same name made by someone else is left alone.
/// - Only clusters in `manage` mode are written; only the key's own cluster is written, so an
///   unreachable or slow cluster never holds up another's reconcile.
/// - Events of a plan are recorded once on each managed copy.
///
/// # Caveats
/// - While a member's state is not known yet (its caches are syncing), the reconcile waits
///   for it up to `settleTimeout` after start, then treats it as unreachable.
public final class FraudModelReconciler: Reconciler {
    private let members: [String: FleetMember]
    private let reader: FleetReader
    private let recorders: [String: EventRecorder]
    private let memory = FleetMemory()
    private let statusWriter = FleetStatusWriter()
    private let externalDNS: ExternalDNSAnnotations
    private let now: @Sendable () -> Date
    private let logger: Logger
    /// Called with keys of other clusters that must look at the fleet again (set by the controller).
    let enqueue: @Sendable (ObjectKey) -> Void

    /// A reconciler of the fleets the `informers` watch, in member order `members`.
    public init(members: [FleetMember], informers: [String: MemberInformers], recorders: [String: EventRecorder],
                externalDNS: ExternalDNSAnnotations = ExternalDNSAnnotations(), settleTimeout: Duration = FraudModelOperatorDefaults.settleTimeout,
                now: @escaping @Sendable () -> Date = { Date() }, logger: Logger = Logger(label: "tandem.operator"),
                enqueue: @escaping @Sendable (ObjectKey) -> Void) {
        self.members = Dictionary(members.map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first })
        self.reader = FleetReader(members: members, informers: informers, settleDeadline: .now + settleTimeout)
        self.recorders = recorders
        self.externalDNS = externalDNS
        self.now = now
        self.logger = logger
        self.enqueue = enqueue
    }

    public func reconcile(_ key: ObjectKey) async throws -> Requeue {
        guard let member = members[key.cluster], member.mode == .manage,
            let informers = reader.informers[key.cluster]
        else { return .done }
        let fleet = FleetID(key)
        let client = informers.cluster.client
        var early: Requeue?
        let time = now()
        let planned = memory.plan(fleet, for: key.cluster) {
            let snapshot = reader.read(fleet)
            if !snapshot.unsettled.isEmpty {
                early = .after(.milliseconds(500))
                return nil
            }
            return snapshot.isEmpty ? nil : snapshot
        } planner: { snapshot, previous in
            FleetPlan.make(snapshot, fleet: fleet, previous: previous, now: time, externalDNS: externalDNS)
        }
        if let early { return early }
        guard let planned else {
            memory.forget(fleet)
            for name in members.keys { statusWriter.forget(ObjectKey(cluster: name, namespace: fleet.namespace, name: fleet.name)) }
            return .done
        }
        let snapshot = planned.snapshot
        if let invalid = snapshot.invalidCopies[key.cluster] {
            try await InvalidCopyStatus.write(invalid.error, to: invalid.object, client: client, now: time)
            return .done
        }
        guard let copy = snapshot.copies[key.cluster] else { return .done }
        let plan = planned.plan
        enqueueStaleCopies(of: fleet, plan: plan, snapshot: snapshot, except: key.cluster)
        let status = plan.status
        let writer = ServingWriter(client: client, cluster: key.cluster, logger: logger)
        var notes = planned.events.map { (kind: $0.kind, reason: $0.reason.rawValue, message: $0.message) }
        if let target = plan.rollout.decision(for: key.cluster)?.target {
            let live = ServingWriter.LiveObjects(
                deployment: snapshot.deployments[key.cluster], service: snapshot.services[key.cluster],
                serviceAccount: snapshot.serviceAccounts[key.cluster])
            let createsAccount = member.serving.hasIdentity && live.serviceAccount == nil
            if live.deployment == nil || live.service == nil || createsAccount, try await !Self.exists(copy, client: client) {
                // The copy is being deleted and its dependents were collected before the cache
                // saw it go: creating them again would only feed the garbage collector.
                return .done
            }
            let foreign = try await writer.apply(copy, target: target, serving: member.serving, live: live, traffic: plan.traffic.service(for: key.cluster))
            for object in foreign {
                notes.append((.warning, "ObjectNotManaged",
                              "\(object.kind) \(fleet.namespace)/\(object.name) exists and is not controlled by this FraudModel; it is left alone (delete or rename it to let the operator manage one)"))
            }
        }
        let requeue = plan.rollout.requeueAfterSeconds
        if let recorder = recorders[key.cluster] {
            for note in notes {
                await recorder.record(
                    regarding: copy.eventSubject, type: note.kind == .warning ? .warning : .normal, reason: note.reason,
                    action: "Rollout", note: note.message)
            }
            // Converged: write repeated events' counts now, before the status says so, so that
            // no write trails the converged state.
            if requeue == nil { await recorder.flush(regarding: copy.eventSubject) }
        }
        try await statusWriter.write(
            status.forCopy(generation: copy.metadata.generation, cluster: key.cluster), to: copy, cluster: key.cluster, client: client)
        return requeue.map { .after(.seconds(max(1, $0))) } ?? .done
    }

    /// True when `copy` (same UID) still exists and is not being deleted, asked of the API server.
    private static func exists(_ copy: FraudModel, client: KubeClient) async throws -> Bool {
        let live = try await client.resource(FraudModelResource.descriptor, namespace: copy.metadata.namespace).getIfExists(copy.metadata.name ?? "")
        return live?.uid == copy.metadata.uid && live?[path: ["metadata", "deletionTimestamp"]] == nil
    }

    /// Enqueues the other managed clusters whose copy's status (or Deployment) the plan changes,
    /// so every copy converges on the same fleet view.
    private func enqueueStaleCopies(of fleet: FleetID, plan: FleetPlan, snapshot: FleetSnapshot, except cluster: String) {
        for other in snapshot.managedCopies where other != cluster {
            guard let copy = snapshot.copies[other] else { continue }
            let wanted = plan.status.forCopy(generation: copy.metadata.generation, cluster: other)
            let moves = plan.rollout.decision(for: other)?.target.map { target in
                snapshot.clusters.first { $0.name == other }?.deployment?.revision != target.revision
            } ?? false
            let current = copy.object["status"] ?? .emptyObject
            let stale = (try? wanted.merged(into: current)).map { !$0.isSemanticallyEqual(to: current) } ?? true
            if stale || moves {
                enqueue(ObjectKey(cluster: other, namespace: fleet.namespace, name: fleet.name))
            }
        }
    }
}
