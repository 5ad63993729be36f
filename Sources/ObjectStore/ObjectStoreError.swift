/// Why a model could not be fetched. Messages name the object (bucket, key) and the identity
/// used, never a credential.
public struct ObjectStoreError: Error, Sendable, Equatable, CustomStringConvertible {
    /// What kind of failure: also the `reason` label of fraud-server's load-failure metric.
    public enum Kind: String, Sendable, Equatable {
        case invalidURI = "invalid_uri"
        case credentials
        case accessDenied = "access_denied"
        case notFound = "not_found"
        case tooLarge = "too_large"
        case truncated
        case checksumMismatch = "checksum_mismatch"
        case timeout
        case unavailable
        case io
    }

    public let kind: Kind
    public let message: String
    /// Whether another attempt may succeed (network trouble, 5xx, throttling, a cut download).
    public let isRetryable: Bool

    public init(_ kind: Kind, _ message: String, retryable: Bool? = nil) {
        self.kind = kind
        self.message = message
        isRetryable = retryable ?? [.timeout, .unavailable, .truncated].contains(kind)
    }

    public var description: String { message }
}
