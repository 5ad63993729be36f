import KubeAPI
import Logging

/// kube-controller-manager's endpoints and endpoint-slice controllers for a cluster whose pods
/// run for real: for every Service with a selector it keeps a core/v1 `Endpoints` object of the
/// same name and the discovery.k8s.io/v1 `EndpointSlice`s labelled
/// `kubernetes.io/service-name: <service>` in line with the pods the selector picks.
///
/// What goes into them is computed by ``EndpointsComputation`` and ``EndpointSlicePlan``; this
/// type reads the cluster, writes the difference and repeats on every change of Services, pods,
/// Endpoints or EndpointSlices.
///
/// # Guarantees
/// - Writes only what changed: a converged cluster sees no writes.
/// - Endpoints whose Service is gone are deleted (they have no owner to be collected with),
///   except leader-election records. EndpointSlices are left to the garbage collector through
///   their controller reference.
/// - A failed write (409 from a concurrent change, anything else) is retried by the next pass,
///   which re-reads everything; passes are retried with back-off until they succeed.
/// - Services without a selector and ExternalName Services are left alone: their endpoints are
///   written by hand.
public struct EndpointsController: Sendable {
    private let cluster: any ClusterAccess
    private let logger: Logger

    /// A controller writing through `cluster`.
    public init(cluster: any ClusterAccess, logger: Logger) {
        self.cluster = cluster
        self.logger = logger
    }

    /// Keeps Endpoints and EndpointSlices in line until the task is cancelled or the API server stops.
    public func run() async {
        let changes = cluster.changes(of: [.services, .pods, .endpoints, .endpointSlices])
        var memory = EndpointsControllerMemory()
        await ChangeDrivenLoop().run(changes: changes) { reconcile(&memory) }
    }

    /// One pass over every Service; returns whether every write succeeded.
    package func reconcile(_ memory: inout EndpointsControllerMemory) -> Bool {
        let services = cluster.list(.services, namespace: nil)
        let podsByNamespace = Dictionary(grouping: cluster.list(.pods, namespace: nil)) { Self.namespace(of: $0) }
        let endpointsByKey = Dictionary(cluster.list(.endpoints, namespace: nil).map { (Self.key(of: $0), $0) }) { first, _ in first }
        let slicesByService = Dictionary(grouping: cluster.list(.endpointSlices, namespace: nil).filter {
            $0[path: ["metadata", "labels", EndpointSliceComputation.managedByLabel]]?.stringValue == EndpointSliceComputation.controllerName
        }) { ObjectKey(namespace: Self.namespace(of: $0),
                       name: $0[path: ["metadata", "labels", EndpointSliceComputation.serviceNameLabel]]?.stringValue ?? "") }

        var succeeded = true
        for service in services where EndpointsComputation.selector(of: service) != nil {
            let key = Self.key(of: service)
            let pods = podsByNamespace[key.namespace] ?? []
            succeeded = syncEndpoints(service, pods: pods, existing: endpointsByKey[key]) && succeeded
            succeeded = syncSlices(service, pods: pods, existing: slicesByService[key] ?? []) && succeeded
        }

        let serviceKeys = Set(services.map(Self.key(of:)))
        for (key, endpoints) in endpointsByKey where !serviceKeys.contains(key) {
            // As kube-controller-manager: at start, every orphan goes (checkLeftoverEndpoints);
            // later, only those whose Service this controller saw deleted.
            guard memory.isFirstPass || memory.serviceKeys.contains(key),
                endpoints[path: ["metadata", "annotations", "control-plane.alpha.kubernetes.io/leader"]] == nil
            else { continue }
            succeeded = write("delete Endpoints", key) { () throws(KubeStatus) in
                try cluster.delete(.endpoints, namespace: key.namespace, name: key.name,
                                   uid: endpoints[path: ["metadata", "uid"]]?.stringValue ?? "")
            } && succeeded
        }
        memory.serviceKeys = serviceKeys
        memory.isFirstPass = false
        return succeeded
    }

    private func syncEndpoints(_ service: JSONValue, pods: [JSONValue], existing: JSONValue?) -> Bool {
        guard let desired = EndpointsComputation.endpoints(for: service, pods: pods, existing: existing) else { return true }
        let key = Self.key(of: service)
        if existing == nil {
            // No new Endpoints for a Service being deleted (kube-controller-manager would create
            // one and delete it again a moment later).
            if service[path: ["metadata", "deletionTimestamp"]].map({ !$0.isNull }) == true { return true }
            return write("create Endpoints", key) { () throws(KubeStatus) in _ = try cluster.create(.endpoints, desired) }
        }
        return write("update Endpoints", key) { () throws(KubeStatus) in _ = try cluster.update(.endpoints, desired) }
    }

    private func syncSlices(_ service: JSONValue, pods: [JSONValue], existing: [JSONValue]) -> Bool {
        let plan = EndpointSlicePlan(service: service, pods: pods, existing: existing)
        let key = Self.key(of: service)
        var succeeded = true
        for slice in plan.creates {
            succeeded = write("create EndpointSlice", key, slice: slice) { () throws(KubeStatus) in _ = try cluster.create(.endpointSlices, slice) } && succeeded
        }
        for slice in plan.updates {
            succeeded = write("update EndpointSlice", key, slice: slice) { () throws(KubeStatus) in _ = try cluster.update(.endpointSlices, slice) } && succeeded
        }
        for slice in plan.deletes {
            succeeded = write("delete EndpointSlice", key, slice: slice) { () throws(KubeStatus) in
                try cluster.delete(.endpointSlices, namespace: key.namespace, name: Self.key(of: slice).name,
                                   uid: slice[path: ["metadata", "uid"]]?.stringValue ?? "")
            } && succeeded
        }
        return succeeded
    }

    /// Runs one write, logging its outcome; a 404 on delete counts as done.
    private func write(_ action: String, _ service: ObjectKey, slice: JSONValue? = nil,
                       _ body: () throws(KubeStatus) -> Void) -> Bool {
        var metadata: Logger.Metadata = ["namespace": "\(service.namespace)", "name": "\(service.name)"]
        if let slice { metadata["endpointslice"] = "\(slice[path: ["metadata", "name"]]?.stringValue ?? "")" }
        do {
            try body()
            logger.debug("\(action)", metadata: metadata)
            return true
        } catch {
            if error.code == 404, action.hasPrefix("delete") { return true }
            metadata["error"] = "\(error)"
            // A conflict means another writer got there first; the next pass re-reads and retries.
            if error.code == 409 {
                logger.debug("\(action) conflicted; retrying", metadata: metadata)
            } else {
                logger.warning("\(action) failed; retrying", metadata: metadata)
            }
            return false
        }
    }

    private static func namespace(of object: JSONValue) -> String {
        object[path: ["metadata", "namespace"]]?.stringValue ?? ""
    }

    private static func key(of object: JSONValue) -> ObjectKey {
        ObjectKey(namespace: namespace(of: object), name: object[path: ["metadata", "name"]]?.stringValue ?? "")
    }
}

/// What the endpoints controller remembers between passes.
package struct EndpointsControllerMemory: Sendable {
    /// True until the first pass ends: orphaned Endpoints found then are deleted whatever their history.
    package var isFirstPass = true
    /// The Services of the last pass, to tell "Service deleted" from "Endpoints written by hand".
    var serviceKeys: Set<EndpointsController.ObjectKey> = []

    /// A fresh memory, as at controller start.
    package init() {}
}

extension EndpointsController {
    /// A namespace and a name.
    struct ObjectKey: Hashable, Sendable {
        var namespace: String
        var name: String
    }
}
