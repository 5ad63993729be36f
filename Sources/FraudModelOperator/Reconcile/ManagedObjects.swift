import FraudModelAPI
import FraudModelPlanning
import KubeAPI

/// Whether an object is one the operator made, so that it never modifies or deletes anything else.
enum ManagedObjects {
    /// True when `object` is controlled by `model` (by UID), or — before the copy is known — is
    /// labelled `app.kubernetes.io/managed-by: tandem-operator` and controlled by a FraudModel
    /// of the same name as the object's FraudModel (its `instance` label, else its own name).
    static func isManaged(_ object: JSONValue, by model: FraudModel?) -> Bool {
        guard let owner = controller(of: object) else { return false }
        if let uid = model?.metadata.uid { return owner.uid == uid }
        let instance = object[path: ["metadata", "labels", ServingLabels.instance]]?.stringValue ?? object.name
        return object[path: ["metadata", "labels", ServingLabels.managedBy]]?.stringValue == ServingLabels.manager
            && owner.name == instance
    }

    /// The FraudModel that controls `object` (its controller owner reference), if one does.
    static func controller(of object: JSONValue) -> (name: String, uid: String?)? {
        guard let owner = object[path: ["metadata", "ownerReferences"]]?.arrayValue?.first(where: { $0["controller"]?.boolValue == true }),
            owner["kind"]?.stringValue == FraudModelResource.kind,
            owner["apiVersion"]?.stringValue?.hasPrefix(FraudModelResource.group + "/") == true,
            let name = owner["name"]?.stringValue
        else { return nil }
        return (name, owner["uid"]?.stringValue)
    }
}
