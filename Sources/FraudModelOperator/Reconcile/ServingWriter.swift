import FraudModelAPI
import FraudModelPlanning
import KubeAPI
import KubeClient
import Logging

/// Applies a cluster's ServiceAccount (with a serving identity), Deployment and Service for a
/// FraudModel, only when they differ from what is live, and never over an object the
/// FraudModel does not control.
struct ServingWriter {
    let client: KubeClient
    let cluster: String
    let logger: Logger

    /// What is live in the cluster under the names of the objects the writer applies.
    struct LiveObjects {
        var deployment: JSONValue?
        var service: JSONValue?
        var serviceAccount: JSONValue?
    }

    /// Makes `model`'s Deployment run `target` with the member's `serving` settings (its
    /// ServiceAccount first, so the pods find it) and its Service select it. Returns the
    /// kinds and names of the objects left alone because the FraudModel does not control them.
    @discardableResult
    func apply(_ model: FraudModel, target: DeploymentTarget, serving: MemberServing, live: LiveObjects,
               traffic: ServiceTraffic?) async throws -> [(kind: String, name: String)] {
        var configurations: [(JSONValue, ResourceDescriptor, JSONValue?)] = []
        if let account = ServingServiceAccount.configuration(for: model, serving: serving) {
            configurations.append((AppliedConfiguration.stamped(account), .serviceAccounts, live.serviceAccount))
        }
        configurations.append((
            AppliedConfiguration.stamped(ServingDeployment.configuration(for: model, target: target, serving: serving)), .deployments,
            live.deployment))
        configurations.append((
            AppliedConfiguration.stamped(ServingService.configuration(for: model, version: target.version, traffic: traffic)), .services,
            live.service))
        var foreign: [(kind: String, name: String)] = []
        for (configuration, resource, live) in configurations {
            if try await !apply(configuration, resource: resource, live: live, model: model) {
                foreign.append((resource.kind, configuration.name ?? ""))
            }
        }
        return foreign
    }

    /// False when `live` exists and the FraudModel does not control it (nothing is sent).
    private func apply(_ configuration: JSONValue, resource: ResourceDescriptor, live: JSONValue?, model: FraudModel) async throws -> Bool {
        let name = configuration.name ?? ""
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
