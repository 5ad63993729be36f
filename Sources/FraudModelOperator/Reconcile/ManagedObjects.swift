import FraudModelAPI
import FraudModelPlanning
import KubeAPI

/// Whether an object is one the operator made, so that it never modifies or deletes anything else.
enum ManagedObjects {
    /// True when `object` is controlled by `model` (by UID), or — before the copy is known — is
    /// labelled `app.kubernetes.io/managed-by: tandem-operator` and controlled by a FraudModel
    /// of the same name.
    static func isManaged(_ object: JSONValue, by model: FraudModel?) -> Bool {
        guard let owner = object[path: ["metadata", "ownerReferences"]]?.arrayValue?.first(where: { $0["controller"]?.boolValue == true })
        else { return false }
        guard owner["kind"]?.stringValue == FraudModelResource.kind,
            owner["apiVersion"]?.stringValue?.hasPrefix(FraudModelResource.group + "/") == true
        else { return false }
        if let uid = model?.metadata.uid { return owner["uid"]?.stringValue == uid }
        return object[path: ["metadata", "labels", ServingLabels.managedBy]]?.stringValue == ServingLabels.manager
            && owner["name"]?.stringValue == object.name
    }
}
