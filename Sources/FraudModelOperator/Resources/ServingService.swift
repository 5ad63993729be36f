import FraudModelAPI
import FraudModelPlanning
import KubeAPI

/// The Service in front of a FraudModel's pods in one cluster, as a server-side apply
/// configuration: port 80 (`http`) to the container's `http` port.
public enum ServingService {
    /// The Service's port.
    public static let port: Int64 = 80

    /// The apply configuration of `model`'s Service; `type` and `annotations` come from the
    /// traffic plan (`ClusterIP` and none without `spec.traffic`).
    public static func configuration(for model: FraudModel, version: String, type: String = "ClusterIP",
                                     annotations: [String: String] = [:]) -> JSONValue {
        let name = model.metadata.name ?? ""
        var metadata = ServingMetadata.metadata(of: model, labels: ServingLabels.labels(instance: name, version: version))
        if !annotations.isEmpty { metadata["annotations"] = .stringMap(annotations) }
        return [
            "apiVersion": "v1",
            "kind": "Service",
            "metadata": metadata,
            "spec": [
                "type": .string(type),
                "selector": .stringMap(ServingLabels.selector(instance: name)),
                "ports": [["name": "http", "port": .int(port), "targetPort": "http", "protocol": "TCP"]],
            ],
        ]
    }
}
