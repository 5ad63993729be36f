import Foundation

/// An AWS access key, with the session token and expiry of temporary credentials.
///
/// Its `description` shows the access key ID and expiry only, never the secret or the token.
public struct AWSCredentials: Sendable, Equatable, CustomStringConvertible {
    /// `AKIA…` for a long-term key, `ASIA…` for temporary credentials.
    public let accessKeyID: String
    public let secretAccessKey: String
    /// The session token of temporary credentials (sent as `x-amz-security-token`), or nil.
    public let sessionToken: String?
    /// When temporary credentials stop working; nil for long-term keys, which never expire.
    public let expiration: Date?

    public init(accessKeyID: String, secretAccessKey: String, sessionToken: String? = nil, expiration: Date? = nil) {
        self.accessKeyID = accessKeyID
        self.secretAccessKey = secretAccessKey
        self.sessionToken = sessionToken
        self.expiration = expiration
    }

    public var description: String {
        "AWSCredentials(\(accessKeyID)\(sessionToken == nil ? "" : ", with session token")\(expiration.map { ", expires \($0)" } ?? ""))"
    }

    /// The strings that must never appear in a message or log.
    var secrets: [String] { [secretAccessKey] + (sessionToken.map { [$0] } ?? []) }
}
