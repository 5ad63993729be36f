import Foundation
import KubeAPI
import NIOCore

/// Decides who a request comes from, failing closed: a bearer token (the `--token`, or a bound
/// service-account token), a verified client certificate, or nobody.
///
/// # Guarantees
/// - A presented credential that does not check out is always rejected (401), never downgraded
///   to anonymous.
/// - Over TLS a request without credentials is anonymous, and anonymous requests reach only the
///   health and version paths (as kube-apiserver's anonymous authenticator restricted to them);
///   everything else answers 401.
/// - Over plain HTTP (kube-apiserver's former insecure port) a loopback caller without
///   credentials is `system:unsecured` in `system:masters`; any other caller without credentials
///   is anonymous.
struct Authenticator: Sendable {
    /// Whether the server speaks TLS.
    var tls: Bool
    /// The accepted static bearer token; nil: none is accepted.
    var token: String?
    /// Whether client certificates verified against the emulator's CA authenticate (CN = user,
    /// O = groups).
    var clientCertificates: Bool
    /// Bound service-account tokens (TokenRequest); nil: none are accepted.
    var serviceAccounts: ServiceAccountTokens?
    /// Where bound tokens' service accounts and pods are looked up; nil: not checked.
    var store: ObjectStore?

    /// The user the static `--token` stands for: `admin`, a cluster admin as kubeadm's admin.conf user.
    static let tokenUser = UserInfo.authenticated("admin", groups: [UserInfo.mastersGroup])

    /// The outcome for one request.
    enum Outcome: Equatable {
        case user(UserInfo)
        case anonymous
        case rejected
    }

    func authenticate(authorization: String?, peer: ClientIdentity?, remote: SocketAddress?, now: Date = Date()) -> Outcome {
        if let authorization, !authorization.isEmpty {
            let parts = authorization.split(separator: " ", maxSplits: 1)
            guard parts.count == 2, parts[0].lowercased() == "bearer" else { return .rejected }
            let presented = String(parts[1]).trimmingCharacters(in: .whitespaces)
            if let token, !token.isEmpty, presented == token { return .user(Self.tokenUser) }
            if let user = serviceAccountUser(presented, now: now) { return .user(user) }
            return .rejected
        }
        if clientCertificates, let peer { return .user(.authenticated(peer.user, groups: peer.groups)) }
        if !tls, LoopbackAddress.contains(remote) { return .user(.unsecured) }
        return .anonymous
    }

    /// The service account a bound token authenticates as, after checking its audience and that
    /// its service account and pod still exist with the uids it was issued for.
    private func serviceAccountUser(_ token: String, now: Date) -> UserInfo? {
        guard let grant = serviceAccounts?.grant(for: token, now: now),
              !Set(grant.audiences).isDisjoint(with: ServiceAccountTokens.apiAudiences)
        else { return nil }
        if let store {
            let alive = store.read { state -> Bool in
                let account = state.object(StorageKey(group: "", resource: "serviceaccounts"),
                                           ObjectKey(namespace: grant.namespace, name: grant.serviceAccount))
                if let expected = grant.serviceAccountUID, account.flatMap(StoreState.uid(of:)) != expected { return false }
                if let pod = grant.boundPod {
                    guard let object = state.object(StorageKey(group: "", resource: "pods"), ObjectKey(namespace: grant.namespace, name: pod.name)),
                          StoreState.uid(of: object) == pod.uid
                    else { return false }
                    if let deletion = object[path: ["metadata", "deletionTimestamp"]]?.stringValue.flatMap(Timestamp.parse), deletion < now {
                        return false
                    }
                }
                return true
            }
            guard alive else { return nil }
        }
        var extra: [String: [String]] = [:]
        if let pod = grant.boundPod {
            extra["authentication.kubernetes.io/pod-name"] = [pod.name]
            extra["authentication.kubernetes.io/pod-uid"] = [pod.uid]
        }
        return .serviceAccount(namespace: grant.namespace, name: grant.serviceAccount, uid: grant.serviceAccountUID ?? "", extra: extra)
    }

    /// Paths anonymous users may reach: health and version (kube-apiserver's
    /// `system:public-info-viewer`).
    static func isPublic(_ route: Route) -> Bool {
        switch route {
        case .version, .health: return true
        default: return false
        }
    }
}
