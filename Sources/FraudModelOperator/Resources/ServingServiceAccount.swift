import FraudModelAPI
import KubeAPI

/// The ServiceAccount a FraudModel's pods run as in a member cluster with a serving identity
/// (`serving:` in the operator configuration), as a server-side apply configuration.
///
/// # Guarantees
/// - Named ``MemberServing/serviceAccountName(for:)``, in the FraudModel's namespace, labelled
///   and owned by the FraudModel like its Deployment and Service (the garbage collector
///   deletes it with the FraudModel; the operator never does).
/// - Annotated with the member's cloud identity (``MemberServing/annotations``): EKS's pod
///   identity webhook reads `eks.amazonaws.com/role-arn`, GKE Workload Identity
///   `iam.gke.io/gcp-service-account`.
/// - `automountServiceAccountToken: false`: the pods need no Kubernetes API token.
public enum ServingServiceAccount {
    /// The apply configuration of the ServiceAccount of `model`'s pods under `serving`; nil
    /// when the member has no identity (the pods then run as the namespace's `default`).
    public static func configuration(for model: FraudModel, serving: MemberServing) -> JSONValue? {
        let instance = model.metadata.name ?? ""
        guard let name = serving.serviceAccountName(for: instance) else { return nil }
        var metadata = ServingMetadata.metadata(of: model, name: name, labels: ServingLabels.labels(instance: instance))
        if !serving.annotations.isEmpty { metadata["annotations"] = .stringMap(serving.annotations) }
        return ["apiVersion": "v1", "kind": "ServiceAccount", "metadata": metadata, "automountServiceAccountToken": false]
    }
}
