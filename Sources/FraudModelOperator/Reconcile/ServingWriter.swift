import FraudModelAPI
import FraudModelPlanning
import KubeAPI
import KubeClient
import Logging

/// Applies a cluster's Deployment and Service for a FraudModel, only when they differ from
/// what is live, and never over an object the FraudModel does not control.
struct ServingWriter {
    let client: KubeClient
    let cluster: String
    let logger: Logger

    /// Makes `model`'s Deployment run `target` and its Service select it. Returns the kinds of
    /// the objects left alone because the FraudModel does not control them.
    @discardableResult
    func apply(_ model: FraudModel, target: DeploymentTarget, liveDeployment: JSONValue?, liveService: JSONValue?,
               traffic: ServiceTraffic?) async throws -> [String] {
        let deployment = AppliedConfiguration.stamped(ServingDeployment.configuration(for: model, target: target))
        let service = AppliedConfiguration.stamped(ServingService.configuration(for: model, version: target.version, traffic: traffic))
        var foreign: [String] = []
        for (configuration, resource, live) in [(deployment, ResourceDescriptor.deployments, liveDeployment), (service, .services, liveService)] {
            if try await !apply(configuration, resource: resource, live: live, model: model) { foreign.append(resource.kind) }
        }
        return foreign
    }

    /// False when `live` exists and the FraudModel does not control it (nothing is sent).
    private func apply(_ configuration: JSONValue, resource: ResourceDescriptor, live: JSONValue?, model: FraudModel) async throws -> Bool {
        let name = model.metadata.name ?? ""
        if let live, !ManagedObjects.isManaged(live, by: model) {
            logger.warning("not touching an object the FraudModel does not control", metadata: [
                "cluster": "\(cluster)", "kind": "\(resource.kind)", "namespace": "\(model.metadata.namespace ?? "")", "name": "\(name)",
            ])
            return false
        }
        if AppliedConfiguration.isCurrent(live, stamped: configuration) { return true }
        _ = try await client.resource(resource, namespace: model.metadata.namespace)
            .apply(name, fields: configuration, force: true, fieldManager: ServingLabels.manager)
        logger.info("applied", metadata: [
            "cluster": "\(cluster)", "kind": "\(resource.kind)", "namespace": "\(model.metadata.namespace ?? "")", "name": "\(name)",
            "image": "\(configuration[path: ["spec", "template", "spec", "containers"]]?[0]?["image"]?.stringValue ?? "-")",
        ])
        return true
    }
}
