import FraudModelAPI
import FraudModelPlanning
import KubeAPI

/// The metadata shared by the objects made for a FraudModel.
enum ServingMetadata {
    /// `name` (default: the name of `model`) and the namespace of `model`, `labels`, and a
    /// controller owner reference to `model`, so that deleting the FraudModel deletes what was
    /// made for it.
    static func metadata(of model: FraudModel, name: String? = nil, labels: [String: String]) -> JSONValue {
        var metadata: JSONValue = [
            "name": .string(name ?? model.metadata.name ?? ""),
            "labels": .stringMap(labels),
        ]
        if let namespace = model.metadata.namespace { metadata["namespace"] = .string(namespace) }
        if let uid = model.metadata.uid {
            metadata["ownerReferences"] = [[
                "apiVersion": .string(FraudModelResource.apiVersion),
                "kind": .string(FraudModelResource.kind),
                "name": .string(model.metadata.name ?? ""),
                "uid": .string(uid),
                "controller": true,
                "blockOwnerDeletion": true,
            ]]
        }
        return metadata
    }
}
