import KubeAPI

/// Decides who a request comes from: a bearer token, a verified client certificate, or nobody.
struct Authenticator: Sendable {
    /// The accepted bearer token; nil: tokens are not accepted.
    var token: String?
    /// The user a valid token stands for.
    var tokenUser = "admin"
    /// Whether verified client certificates authenticate (CN = user).
    var clientCertificates: Bool
    /// Bound service-account tokens issued to pods (`--run-pods`); nil: none are accepted.
    var serviceAccounts: ServiceAccountTokens? = nil

    /// The outcome for one request.
    enum Outcome: Equatable {
        case user(String)
        case anonymous
        case rejected
    }

    /// Requests without any credential are anonymous: allowed only where kube-apiserver lets
    /// `system:anonymous` in (health, version). A wrong credential is always rejected.
    var requiresAuthentication: Bool { token != nil || clientCertificates }

    func authenticate(authorization: String?, peer: ClientIdentity?) -> Outcome {
        if let authorization, !authorization.isEmpty {
            let parts = authorization.split(separator: " ", maxSplits: 1)
            guard parts.count == 2, parts[0].lowercased() == "bearer" else { return .rejected }
            let presented = String(parts[1])
            if let token, presented == token { return .user(tokenUser) }
            if let user = serviceAccounts?.user(for: presented) { return .user(user) }
            return .rejected
        }
        if clientCertificates, let peer { return .user(peer.user) }
        return requiresAuthentication ? .anonymous : .user("system:admin")
    }

    /// Paths anonymous users may read.
    static func isPublic(_ route: Route) -> Bool {
        switch route {
        case .version, .health: return true
        default: return false
        }
    }
}
