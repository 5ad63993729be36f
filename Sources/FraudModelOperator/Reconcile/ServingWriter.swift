import FraudModelAPI
import KubeAPI
import KubeClient
import Logging

/// Applies a cluster's Deployment and Service for a FraudModel, only when they differ from
/// what is live, and never over an object the FraudModel does not control.
struct ServingWriter {
    let client: KubeClient
    let cluster: String
    let logger: Logger

    /// Makes `model`'s Deployment run `target` and its Service select it.
    func apply(_ model: FraudModel, target: DeploymentTarget, liveDeployment: JSONValue?, liveService: JSONValue?,
               serviceType: String = "ClusterIP", serviceAnnotations: [String: String] = [:]) async throws {
        let deployment = AppliedConfiguration.stamped(ServingDeployment.configuration(for: model, target: target))
        try await apply(deployment, resource: .deployments, live: liveDeployment, model: model)
        let service = AppliedConfiguration.stamped(
            ServingService.configuration(for: model, version: target.version, type: serviceType, annotations: serviceAnnotations))
        try await apply(service, resource: .services, live: liveService, model: model)
    }

    private func apply(_ configuration: JSONValue, resource: ResourceDescriptor, live: JSONValue?, model: FraudModel) async throws {
        let name = model.metadata.name ?? ""
        if let live, !ManagedObjects.isManaged(live, by: model) {
            logger.warning("not touching an object the FraudModel does not control", metadata: [
                "cluster": "\(cluster)", "kind": "\(resource.kind)", "namespace": "\(model.metadata.namespace ?? "")", "name": "\(name)",
            ])
            return
        }
        if AppliedConfiguration.isCurrent(live, stamped: configuration) { return }
        _ = try await client.resource(resource, namespace: model.metadata.namespace)
            .apply(name, fields: configuration, force: true, fieldManager: ServingLabels.manager)
        logger.info("applied", metadata: [
            "cluster": "\(cluster)", "kind": "\(resource.kind)", "namespace": "\(model.metadata.namespace ?? "")", "name": "\(name)",
            "image": "\(configuration[path: ["spec", "template", "spec", "containers"]]?[0]?["image"]?.stringValue ?? "-")",
        ])
    }
}
