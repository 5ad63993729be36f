import FraudModelAPI
import FraudModelPlanning

/// The labels and names of the objects the operator creates for a FraudModel.
///
/// Every Deployment, Service and pod template carries the recommended
/// `app.kubernetes.io/*` labels; the selector uses only the two that never change
/// (`name` and `instance`), so a new version rolls the same Deployment.
public enum ServingLabels {
    /// `app.kubernetes.io/name`: the application, always `fraud-server`.
    public static let name = "app.kubernetes.io/name"
    /// `app.kubernetes.io/instance`: the FraudModel's name.
    public static let instance = "app.kubernetes.io/instance"
    /// `app.kubernetes.io/version`: the model version the pods run.
    public static let version = "app.kubernetes.io/version"
    /// `app.kubernetes.io/managed-by`: `tandem-operator`.
    public static let managedBy = "app.kubernetes.io/managed-by"
    /// The value of `app.kubernetes.io/name`.
    public static let application = "fraud-server"
    /// The value of `app.kubernetes.io/managed-by`, and the server-side apply field manager.
    public static let manager = "tandem-operator"
    /// The annotation holding a hash of the configuration the operator last applied.
    public static let configHashAnnotation = "tandem.dev/config-hash"

    /// The labels that select the pods of the FraudModel `instance`.
    public static func selector(instance: String) -> [String: String] {
        [Self.name: application, Self.instance: instance]
    }

    /// Every label of the objects made for the FraudModel `instance` at `version`.
    public static func labels(instance: String, version: String) -> [String: String] {
        labels(instance: instance).merging([Self.version: version]) { $1 }
    }

    /// The labels of an object made for the FraudModel `instance` that does not change with
    /// the version (its pods' ServiceAccount).
    public static func labels(instance: String) -> [String: String] {
        selector(instance: instance).merging([managedBy: manager]) { $1 }
    }
}
