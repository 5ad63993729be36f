import Foundation

/// What one request authenticates with. Its description, debug description and mirror never
/// show the secret, so logging it by mistake leaks nothing.
public struct Credentials: Sendable, Equatable, CustomStringConvertible, CustomDebugStringConvertible, CustomReflectable {
    /// A bearer token.
    public var bearerToken: String?
    /// `username:password` for basic authentication.
    public var basic: (username: String, password: String)?
    /// A PEM client certificate and key (from an exec plugin).
    public var clientCertificatePEM: [UInt8]?
    /// The PEM private key of `clientCertificatePEM`.
    public var clientKeyPEM: [UInt8]?

    /// Credentials; every part defaults to unset.
    public init(bearerToken: String? = nil, basic: (username: String, password: String)? = nil,
                clientCertificatePEM: [UInt8]? = nil, clientKeyPEM: [UInt8]? = nil) {
        self.bearerToken = bearerToken
        self.basic = basic
        self.clientCertificatePEM = clientCertificatePEM
        self.clientKeyPEM = clientKeyPEM
    }

    /// No credential.
    public static let none = Credentials()

    /// The `Authorization` header value, if any.
    var authorization: String? {
        if let bearerToken, !bearerToken.isEmpty { return "Bearer \(bearerToken)" }
        if let basic { return "Basic " + Data("\(basic.username):\(basic.password)".utf8).base64EncodedString() }
        return nil
    }

    public static func == (lhs: Self, rhs: Self) -> Bool {
        lhs.bearerToken == rhs.bearerToken && lhs.basic?.username == rhs.basic?.username && lhs.basic?.password == rhs.basic?.password
            && lhs.clientCertificatePEM == rhs.clientCertificatePEM && lhs.clientKeyPEM == rhs.clientKeyPEM
    }

    public var description: String {
        var parts: [String] = []
        if bearerToken != nil { parts.append("bearerToken: <redacted>") }
        if basic != nil { parts.append("basic: <redacted>") }
        if clientCertificatePEM != nil { parts.append("clientCertificate: <redacted>") }
        return "Credentials(\(parts.joined(separator: ", ")))"
    }

    public var debugDescription: String { description }
    public var customMirror: Mirror { Mirror(self, children: ["redacted": description]) }
}

/// A source of credentials for requests: static, file-backed, or an exec plugin.
///
/// # Guarantees expected of conformers
/// - `credentials()` returns valid credentials for the request about to be sent, refreshing them
///   when they are expired or about to be.
/// - `invalidate(_:)` is called after a 401 with the credentials that were refused; the next
///   `credentials()` must not return them again if a refresh is possible.
public protocol CredentialProvider: Sendable {
    /// Credentials for the request about to be sent.
    func credentials() async throws -> Credentials
    /// The server refused `used` (401); forget them. Returns true when a refresh may help
    /// (the client then retries the request once).
    func invalidate(_ used: Credentials) async -> Bool
}

/// Credentials that never change (a kubeconfig `token`, basic auth, or nothing).
public struct StaticCredentialProvider: CredentialProvider {
    let value: Credentials

    /// A provider always returning `credentials`.
    public init(_ credentials: Credentials) { value = credentials }

    public func credentials() async throws -> Credentials { value }
    /// A fixed credential cannot be refreshed: false.
    public func invalidate(_ used: Credentials) async -> Bool { false }
}

/// A bearer token read from a file, cached for `rereadInterval` and re-read after a 401
/// (client-go's `cachingTokenSource` over a file: service-account tokens are rotated by the kubelet).
public actor TokenFileCredentialProvider: CredentialProvider {
    /// The token file.
    public let path: String
    /// How long a read token is used before the file is read again.
    public let rereadInterval: Duration
    private var cached: (token: String, readAt: ContinuousClock.Instant)?

    /// A provider for the token in `path`.
    public init(path: String, rereadInterval: Duration = KubeClientDefaults.tokenFileRereadInterval) {
        self.path = path
        self.rereadInterval = rereadInterval
    }

    public func credentials() async throws -> Credentials {
        let now = ContinuousClock.now
        if let cached, now - cached.readAt < rereadInterval { return Credentials(bearerToken: cached.token) }
        guard let data = FileManager.default.contents(atPath: path) else {
            if let cached { return Credentials(bearerToken: cached.token) }
            throw KubeClientError.configuration("cannot read token file \(path)")
        }
        let token = String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        guard !token.isEmpty else { throw KubeClientError.configuration("token file \(path) is empty") }
        cached = (token, now)
        return Credentials(bearerToken: token)
    }

    /// Forces the next request to read the file again; true when the file now holds another token.
    public func invalidate(_ used: Credentials) async -> Bool {
        cached = nil
        guard let data = FileManager.default.contents(atPath: path) else { return false }
        let token = String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        return !token.isEmpty && token != used.bearerToken
    }
}
