import FraudModelAPI
import FraudModelPlanning
import KubeAPI
import KubeRuntime
import Logging
import Synchronization

/// The FraudModel controller: the fleet reconciler wired to every member's informers.
///
/// A change anywhere in a fleet — a copy's spec or retry annotation, a Deployment it controls,
/// one of its pods — enqueues the fleet's key in every member cluster, because each cluster's
/// gate depends on the others. A Service or ServiceAccount change enqueues only its own
/// cluster's key.
public enum FraudModelController {
    /// The controller's name (metrics label `controller`).
    public static let name = "fraudmodel"

    /// A controller over `clusters` (whose names are the members'), watching `namespace` or all.
    public static func make(
        members: [FleetMember], clusters: ClusterSet, namespace: String?, recorders: [String: EventRecorder],
        options: ControllerOptions = ControllerOptions(), metrics: RuntimeMetrics = RuntimeMetrics(),
        externalDNS: ExternalDNSAnnotations = ExternalDNSAnnotations(), settleTimeout: Duration = FraudModelOperatorDefaults.settleTimeout,
        logger: Logger = Logger(label: "tandem.operator")
    ) -> (controller: Controller, reconciler: FraudModelReconciler) {
        var informers: [String: MemberInformers] = [:]
        for cluster in clusters.clusters {
            let appliesServiceAccounts = members.first { $0.name == cluster.name }?.appliesServiceAccounts ?? false
            informers[cluster.name] = MemberInformers(cluster: cluster, namespace: namespace, watchesServiceAccounts: appliesServiceAccounts)
        }
        let target = Mutex<Controller?>(nil)
        let enqueue: @Sendable (ObjectKey) -> Void = { key in target.withLock { $0 }?.enqueue(key) }
        let reconciler = FraudModelReconciler(
            members: members, informers: informers, recorders: recorders, externalDNS: externalDNS, settleTimeout: settleTimeout, logger: logger, enqueue: enqueue)
        let controller = Controller(name: name, clusters: clusters, reconciler: reconciler, options: options, metrics: metrics, logger: logger)
        target.withLock { $0 = controller }

        let names = clusters.names
        let fleetKeys: @Sendable (String, String) -> [ObjectKey] = { namespace, name in
            names.map { ObjectKey(cluster: $0, namespace: namespace, name: name) }
        }
        let specChanged = EventPredicate { event in
            EventPredicate.generationChanged.accepts(event) || retryChanged(event)
        }
        controller.watchPrimary(FraudModelResource.descriptor, namespace: namespace, predicate: specChanged)
        controller.watch(FraudModelResource.descriptor, namespace: namespace, predicate: specChanged) { _, event in
            guard let name = event.object.name else { return [] }
            return fleetKeys(event.object.namespace ?? "", name)
        }
        controller.owns(.deployments, ownerKind: FraudModelResource.kind, ownerGroup: FraudModelResource.group, namespace: namespace, mapping: .fleet)
        controller.owns(.services, ownerKind: FraudModelResource.kind, ownerGroup: FraudModelResource.group, namespace: namespace)
        for (cluster, member) in informers {
            member.pods.addHandler { event in
                guard let instance = event.object[path: ["metadata", "labels", ServingLabels.instance]]?.stringValue else { return }
                for key in fleetKeys(event.object.namespace ?? "", instance) { controller.enqueue(key) }
            }
            // A ServiceAccount the operator made, changed or deleted by someone else: its FraudModel applies it again.
            member.serviceAccounts?.addHandler { event in
                guard let owner = ManagedObjects.controller(of: event.object)?.name else { return }
                controller.enqueue(ObjectKey(cluster: cluster, namespace: event.object.namespace ?? "", name: owner))
            }
        }
        return (controller, reconciler)
    }

    /// The `tandem.dev/retry` annotation changed value (annotations do not bump the generation).
    static func retryChanged(_ event: InformerEvent) -> Bool {
        guard case .updated(let old, let new) = event else { return false }
        let path = ["metadata", "annotations", FraudModelResource.retryAnnotation]
        return old[path: path] != new[path: path]
    }
}
