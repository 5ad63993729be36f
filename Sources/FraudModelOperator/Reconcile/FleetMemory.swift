import FraudModelAPI
import FraudModelPlanning
import Synchronization

/// What this process last planned for each fleet, so that the reconciles of one fleet's copies
/// in different clusters plan from the same previous status (bake time and deadlines run from
/// one clock) and record each event once per copy.
///
/// # Guarantees
/// - Plans of the same fleet are made one at a time, each from a fresh read of the caches and
///   the status the last one produced (or, after a restart, the status written to the copies),
///   so a plan never starts from an observation older than the previous plan's.
/// - A plan's events are handed out once to each cluster listed when it was made.
final class FleetMemory: Sendable {
    private struct Entry {
        var status: FraudModelStatus
        var pendingEvents: [String: [RolloutEvent]] = [:]
    }

    /// What `plan` produced.
    struct Planned {
        var plan: FleetPlan
        var snapshot: FleetSnapshot
        /// The events to record in the cluster that asked.
        var events: [RolloutEvent]
    }

    /// Events kept per cluster at most (a cluster that stays away does not hoard them).
    static let maxPendingEvents = 32
    private let entries = Mutex<[FleetID: Entry]>([:])

    /// Reads `fleet` with `read` and plans it for `cluster`; nil (and nothing remembered) when
    /// `read` returns nil. `planner` plans from the snapshot and the previous status (this
    /// process's last plan, else the snapshot's).
    func plan(_ fleet: FleetID, for cluster: String, read: () -> FleetSnapshot?,
              planner: (FleetSnapshot, FraudModelStatus?) -> FleetPlan) -> Planned? {
        entries.withLock { entries in
            guard let snapshot = read() else { return nil }
            let previous = entries[fleet]?.status ?? snapshot.previousStatus(preferring: cluster)
            let plan = planner(snapshot, previous)
            var entry = entries[fleet] ?? Entry(status: plan.status)
            entry.status = plan.status
            if !plan.events.isEmpty {
                for name in snapshot.managedCopies {
                    let pending = entry.pendingEvents[name, default: []] + plan.events
                    entry.pendingEvents[name] = Array(pending.suffix(Self.maxPendingEvents))
                }
            }
            let events = entry.pendingEvents.removeValue(forKey: cluster) ?? []
            entries[fleet] = entry
            return Planned(plan: plan, snapshot: snapshot, events: events)
        }
    }

    /// Forgets `fleet` (every copy is gone).
    func forget(_ fleet: FleetID) {
        _ = entries.withLock { $0.removeValue(forKey: fleet) }
    }
}
