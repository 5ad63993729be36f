import FraudModelAPI
import FraudModelPlanning
import KubeAPI

/// The Service in front of a FraudModel's pods in one cluster, as a server-side apply
/// configuration: port 80 (`http`) to the container's `http` port. Only predictions pass
/// through it: metrics stay on the pods' `metrics` port, which no load balancer exposes.
public enum ServingService {
    /// The Service's port.
    public static let port: Int64 = 80

    /// The apply configuration of `model`'s Service shaped as `traffic` says (type,
    /// annotations, source ranges); a plain `ClusterIP` Service when nil.
    public static func configuration(for model: FraudModel, version: String, traffic: ServiceTraffic?) -> JSONValue {
        let name = model.metadata.name ?? ""
        var metadata = ServingMetadata.metadata(of: model, labels: ServingLabels.labels(instance: name, version: version))
        if let annotations = traffic?.annotations, !annotations.isEmpty { metadata["annotations"] = .stringMap(annotations) }
        var spec: [String: JSONValue] = [
            "type": .string((traffic?.type ?? .clusterIP).rawValue),
            "selector": .stringMap(ServingLabels.selector(instance: name)),
            "ports": [["name": "http", "port": .int(port), "targetPort": "http", "protocol": "TCP"]],
        ]
        if let ranges = traffic?.loadBalancerSourceRanges, !ranges.isEmpty {
            spec["loadBalancerSourceRanges"] = .array(ranges.map { .string($0) })
        }
        return ["apiVersion": "v1", "kind": "Service", "metadata": metadata, "spec": .object(spec)]
    }
}
