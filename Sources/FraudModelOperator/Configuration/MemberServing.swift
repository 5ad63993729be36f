/// How a member cluster's serving pods run (`serving:` of a member in `clusters.yaml`): the
/// cloud identity they download models with, and extra environment variables.
///
/// ```yaml
/// serving:
///   serviceAccount: fraud-detector-serving    # optional; default: the FraudModel's name + "-serving"
///   awsRoleArn: arn:aws:iam::123456789012:role/fraud-models-read          # EKS (IRSA)
///   gcpServiceAccount: fraud-models@my-project.iam.gserviceaccount.com    # GKE Workload Identity
///   env: {AWS_REGION: us-east-1}
/// ```
///
/// # Guarantees
/// - With an identity (any of `serviceAccount`, `awsRoleArn`, `gcpServiceAccount`), the
///   operator server-side applies a ServiceAccount of ``serviceAccountName(for:)`` next to
///   each FraudModel's Deployment in that cluster, owned by the FraudModel and annotated
///   with ``annotations``, and its pods run as it. Their `automountServiceAccountToken` stays
///   false: the EKS pod identity webhook projects its own token, GKE answers through the
///   metadata server. A ServiceAccount of that name that the operator did not create is left
///   alone (reported as `ObjectNotManaged`); the pods still run as it.
/// - Without one nothing is added: no ServiceAccount object, no `serviceAccountName`.
/// - `environment` never holds a variable the operator sets itself (``ServingDeployment/operatorEnvironment``).
///
/// # Caveats
/// - Only a member the operator manages uses it; identity and environment apply to every
///   FraudModel in the cluster at once, not staged like a revision.
/// - Removing the identity stops using the ServiceAccount but does not delete it (the
///   operator never deletes): it goes with its FraudModel.
public struct MemberServing: Sendable, Hashable {
    /// The ServiceAccount name the pods run as (a DNS subdomain); nil: ``defaultServiceAccountSuffix`` after the FraudModel's name.
    public var serviceAccount: String?
    /// The IAM role of EKS's IAM roles for service accounts (annotation ``awsRoleArnAnnotation``).
    public var awsRoleArn: String?
    /// The Google service account of GKE Workload Identity (annotation ``gcpServiceAccountAnnotation``).
    public var gcpServiceAccount: String?
    /// Extra environment variables of the serving container (after the operator's own), e.g.
    /// `AWS_REGION`, `AWS_ENDPOINT_URL_S3`, `STORAGE_EMULATOR_HOST`. Values are stored in plain
    /// text in the Deployment: credentials belong to the workload identity.
    public var environment: [String: String]

    /// The suffix of the default ServiceAccount name: `-serving`.
    public static let defaultServiceAccountSuffix = "-serving"
    /// The ServiceAccount annotation EKS's pod identity webhook reads.
    public static let awsRoleArnAnnotation = "eks.amazonaws.com/role-arn"
    /// The ServiceAccount annotation GKE Workload Identity reads.
    public static let gcpServiceAccountAnnotation = "iam.gke.io/gcp-service-account"

    /// Serving settings; every field defaults to none.
    public init(serviceAccount: String? = nil, awsRoleArn: String? = nil, gcpServiceAccount: String? = nil, environment: [String: String] = [:]) {
        self.serviceAccount = serviceAccount
        self.awsRoleArn = awsRoleArn
        self.gcpServiceAccount = gcpServiceAccount
        self.environment = environment
    }

    /// Whether the pods get a ServiceAccount of their own.
    public var hasIdentity: Bool {
        serviceAccount != nil || awsRoleArn != nil || gcpServiceAccount != nil
    }

    /// The ServiceAccount the pods of the FraudModel `model` run as; nil without an identity.
    public func serviceAccountName(for model: String) -> String? {
        hasIdentity ? serviceAccount ?? model + Self.defaultServiceAccountSuffix : nil
    }

    /// The ServiceAccount's annotations: the role and the Google service account, when set.
    public var annotations: [String: String] {
        var annotations: [String: String] = [:]
        if let awsRoleArn { annotations[Self.awsRoleArnAnnotation] = awsRoleArn }
        if let gcpServiceAccount { annotations[Self.gcpServiceAccountAnnotation] = gcpServiceAccount }
        return annotations
    }
}
