/// Who a request comes from, as kube-apiserver's authenticators describe a user: a name, groups
/// and extra attributes. Authenticated users always carry `system:authenticated`; the anonymous
/// user carries `system:unauthenticated`.
struct UserInfo: Sendable, Hashable {
    var name: String
    var uid: String = ""
    var groups: [String]
    /// Extra attributes (a bound service-account token's pod), as `user.Info.GetExtra()`.
    var extra: [String: [String]] = [:]

    /// Whether the user is in `system:masters`: kube-apiserver lets that group do anything, ahead of RBAC.
    var isPrivileged: Bool { groups.contains(Self.mastersGroup) }

    /// `system:masters`.
    static let mastersGroup = "system:masters"
    /// `system:authenticated`, added to every authenticated user.
    static let authenticatedGroup = "system:authenticated"
    /// `system:unauthenticated`, the anonymous user's group.
    static let unauthenticatedGroup = "system:unauthenticated"
    /// `system:serviceaccounts`, every service account's group.
    static let serviceAccountsGroup = "system:serviceaccounts"

    /// `system:anonymous` in `system:unauthenticated`.
    static let anonymous = UserInfo(name: "system:anonymous", groups: [unauthenticatedGroup])

    /// The caller of the plain-HTTP port without credentials, as kube-apiserver's former insecure
    /// port named it: `system:unsecured` in `system:masters`.
    static let unsecured = UserInfo(name: "system:unsecured", groups: [mastersGroup, authenticatedGroup])

    /// An authenticated user: `groups` plus `system:authenticated` (added once).
    static func authenticated(_ name: String, groups: [String], uid: String = "", extra: [String: [String]] = [:]) -> UserInfo {
        UserInfo(name: name, uid: uid, groups: groups.contains(authenticatedGroup) ? groups : groups + [authenticatedGroup], extra: extra)
    }

    /// A service account's user: `system:serviceaccount:NS:NAME` in `system:serviceaccounts`,
    /// `system:serviceaccounts:NS` and `system:authenticated`.
    static func serviceAccount(namespace: String, name: String, uid: String = "", extra: [String: [String]] = [:]) -> UserInfo {
        authenticated(ServiceAccountName.userName(namespace: namespace, name: name),
                      groups: [serviceAccountsGroup, "\(serviceAccountsGroup):\(namespace)"], uid: uid, extra: extra)
    }
}

/// The `system:serviceaccount:NAMESPACE:NAME` user names of service accounts.
enum ServiceAccountName {
    static let prefix = "system:serviceaccount:"

    static func userName(namespace: String, name: String) -> String { "\(prefix)\(namespace):\(name)" }

    /// Whether `user` is the service account `name` in `namespace`.
    static func matches(_ user: String, namespace: String, name: String) -> Bool {
        user == userName(namespace: namespace, name: name)
    }
}
