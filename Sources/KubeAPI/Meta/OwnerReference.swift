/// `metav1.OwnerReference`: points from a dependent object to its owner for garbage
/// collection and for controllers to find what they own.
public struct OwnerReference: Codable, Sendable, Hashable {
    /// The owner's `apiVersion` (`tandem.dev/v1alpha1`).
    public var apiVersion: String
    /// The owner's kind.
    public var kind: String
    /// The owner's name (same namespace as the dependent).
    public var name: String
    /// The owner's UID: a recreated owner with the same name is a different owner.
    public var uid: String
    /// True for the managing controller; at most one owner reference has it.
    public var controller: Bool?
    /// True: the owner cannot be deleted in foreground before this dependent is.
    public var blockOwnerDeletion: Bool?

    /// A reference; `controller` and `blockOwnerDeletion` default to nil (omitted).
    public init(apiVersion: String, kind: String, name: String, uid: String, controller: Bool? = nil, blockOwnerDeletion: Bool? = nil) {
        self.apiVersion = apiVersion
        self.kind = kind
        self.name = name
        self.uid = uid
        self.controller = controller
        self.blockOwnerDeletion = blockOwnerDeletion
    }

    /// The controller reference to `owner` (`controller` and `blockOwnerDeletion` true), as
    /// `metav1.NewControllerRef` builds it; nil when the owner has no name or UID yet.
    public static func controller(of owner: JSONValue) -> OwnerReference? {
        guard let apiVersion = owner["apiVersion"]?.stringValue, let kind = owner["kind"]?.stringValue,
              let name = owner.name, let uid = owner.uid else { return nil }
        return OwnerReference(apiVersion: apiVersion, kind: kind, name: name, uid: uid, controller: true, blockOwnerDeletion: true)
    }
}
