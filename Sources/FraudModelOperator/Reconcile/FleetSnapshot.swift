import FraudModelAPI
import FraudModelPlanning
import KubeAPI
import KubeRuntime

/// One fleet read from every member's caches: what the planner needs, plus the raw objects the
/// reconciler writes against.
struct FleetSnapshot {
    /// Per member, in configuration order, without `previousStatus` and `now` (set by the caller).
    var clusters: [ClusterObservation]
    /// The copies that decoded, by cluster (reachable clusters only).
    var copies: [String: FraudModel] = [:]
    /// The raw copies that did not decode, with why, by cluster.
    var invalidCopies: [String: (object: JSONValue, error: FraudModelDecodingError)] = [:]
    /// The Deployments named like the fleet, by cluster (ours or not).
    var deployments: [String: JSONValue] = [:]
    /// The Services named like the fleet, by cluster (ours or not).
    var services: [String: JSONValue] = [:]
    /// The ServiceAccounts named as the fleet's pods run, by cluster (ours or not), where the
    /// operator applies them.
    var serviceAccounts: [String: JSONValue] = [:]
    /// Members whose state is not known yet (caches still syncing, first list not answered).
    var unsettled: [String] = []

    /// The statuses of the copies, own cluster's first: the fallback for the previous status
    /// when this process has not planned the fleet yet.
    func previousStatus(preferring cluster: String) -> FraudModelStatus? {
        if let own = copies[cluster]?.status { return own }
        return clusters.lazy.compactMap { copies[$0.name]?.status }.first
    }

    /// The managed clusters that hold a readable copy, in configuration order.
    var managedCopies: [String] {
        clusters.filter { $0.mode == .manage && copies[$0.name] != nil }.map(\.name)
    }

    /// True when no reachable member has a copy (the fleet was deleted).
    var isEmpty: Bool { copies.isEmpty && invalidCopies.isEmpty }
}

/// Reads fleets from the members' informers.
struct FleetReader: Sendable {
    let members: [FleetMember]
    let informers: [String: MemberInformers]
    /// Until when a member whose state is unknown is waited for rather than treated as unreachable.
    let settleDeadline: ContinuousClock.Instant

    func read(_ fleet: FleetID) -> FleetSnapshot {
        var snapshot = FleetSnapshot(clusters: [])
        let waiting = ContinuousClock.now < settleDeadline
        for member in members {
            var observation = ClusterObservation(
                name: member.name, provider: member.provider, region: member.region, registry: member.registry,
                mode: member.mode, reachable: false)
            guard let informers = informers[member.name] else {
                snapshot.clusters.append(observation)
                continue
            }
            let reachability = informers.cluster.reachability
            let known = reachability.isReachable && informers.hasSynced
            if !known, reachability == .unknown || reachability.isReachable, waiting {
                snapshot.unsettled.append(member.name)
            }
            observation.reachable = known
            if known {
                read(fleet, from: informers, into: &observation, snapshot: &snapshot)
                if let name = member.serving.serviceAccountName(for: fleet.name),
                    let account = informers.serviceAccounts?.cache.get(namespace: fleet.namespace, name: name)
                {
                    snapshot.serviceAccounts[member.name] = account
                }
            }
            snapshot.clusters.append(observation)
        }
        return snapshot
    }

    private func read(_ fleet: FleetID, from informers: MemberInformers, into observation: inout ClusterObservation,
                      snapshot: inout FleetSnapshot) {
        let cluster = observation.name
        if let object = informers.fraudModels.cache.get(namespace: fleet.namespace, name: fleet.name),
            object[path: ["metadata", "deletionTimestamp"]] == nil {
            do {
                let model = try FraudModel(json: object)
                snapshot.copies[cluster] = model
                observation.model = ObservedFraudModel(model)
            } catch {
                snapshot.invalidCopies[cluster] = (object, error)
            }
        }
        if let service = informers.services.cache.get(namespace: fleet.namespace, name: fleet.name) {
            snapshot.services[cluster] = service
        }
        guard let deployment = informers.deployments.cache.get(namespace: fleet.namespace, name: fleet.name) else { return }
        snapshot.deployments[cluster] = deployment
        guard ManagedObjects.isManaged(deployment, by: snapshot.copies[cluster]),
            let decoded = try? deployment.decode(as: Deployment.self)
        else { return }
        var observed = DeploymentObservation(
            deployment: decoded, registry: observation.registry(under: observation.model?.spec), repository: observation.model?.spec.image.repository)
        let pods = informers.pods.cache.list(label: ServingLabels.instance, value: fleet.name).filter { pod in
            pod.namespace == fleet.namespace && pod[path: ["metadata", "labels", ServingLabels.version]]?.stringValue == observed.version
        }
        if let stuck = DeploymentObservation.stuck(in: pods) {
            observed.stuckReason = stuck.reason
            observed.stuckMessage = stuck.message
        }
        observation.deployment = observed
    }
}
