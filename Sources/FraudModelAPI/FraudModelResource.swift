import KubeAPI

/// The names under which the `FraudModel` custom resource is served.
///
/// Group `tandem.dev`, version `v1alpha1`, kind `FraudModel`, plural `fraudmodels`, short name
/// `fm`, categories `tandem` and `all`, namespaced, with status and scale subresources.
public enum FraudModelResource {
    /// `tandem.dev`.
    public static let group = "tandem.dev"
    /// `v1alpha1`.
    public static let version = "v1alpha1"
    /// `FraudModel`.
    public static let kind = "FraudModel"
    /// `FraudModelList`.
    public static let listKind = "FraudModelList"
    /// `fraudmodels`.
    public static let plural = "fraudmodels"
    /// `fraudmodel`.
    public static let singular = "fraudmodel"
    /// `["fm"]`.
    public static let shortNames = ["fm"]
    /// `["tandem", "all"]`: `kubectl get tandem` and `kubectl get all` list FraudModels.
    public static let categories = ["tandem", "all"]
    /// `tandem.dev/v1alpha1`.
    public static let apiVersion = "\(group)/\(version)"
    /// The CRD's `metadata.name`: `fraudmodels.tandem.dev`.
    public static let crdName = "\(plural).\(group)"

    /// The kind as a `GroupVersionKind`.
    public static let groupVersionKind = GroupVersionKind(group: group, version: version, kind: kind)
    /// The resource as a `GroupVersionResource`.
    public static let groupVersionResource = GroupVersionResource(group: group, version: version, resource: plural)

    /// The resource as a `ResourceDescriptor`, for clients and informers.
    public static let descriptor = ResourceDescriptor(group: group, version: version, plural: plural, kind: kind, namespaced: true)

    /// The annotation whose change of value retries a recorded `status.failedVersion`
    /// (`kubectl annotate fm fraud-detector tandem.dev/retry=$(date +%s) --overwrite`).
    public static let retryAnnotation = "tandem.dev/retry"
}
