import AsyncHTTPClient
import Foundation

/// Google access tokens from Application Default Credentials, cached and refreshed.
///
/// Sources, in order (the first that applies is used; there is no fallback after an error):
/// 1. `GOOGLE_APPLICATION_CREDENTIALS`: a `service_account` key (an RS256 JWT assertion exchanged
///    at its `token_uri`, scope `devstorage.read_only`) or an `external_account` configuration
///    (workload identity federation: a file or URL subject token exchanged at STS, then optionally
///    traded for a service account's token at `service_account_impersonation_url`).
/// 2. The metadata server (GCE, GKE Workload Identity) at `GCE_METADATA_HOST`, `GCE_METADATA_IP`
///    or `metadata.google.internal`, with a 1-second connect timeout.
///
/// # Guarantees
/// - A token is reused until it is within 5 minutes of expiry; concurrent callers then share one
///   refresh. If that refresh fails while the cached token has not yet expired, it is still
///   returned (and the next call tries again).
/// - Errors name the source and endpoint tried and the server's reason (HTTP status, OAuth
///   `error`/`error_description`), never a private key, assertion, subject token or access token.
///
/// # Caveats
/// - A refresh runs to completion (or its 30-second deadline) even if the caller that started
///   it is cancelled, since other callers may be waiting for it.
/// - The environment is read when a token is first needed, and again after each failure to
///   read a credentials file, so a secret mounted late is picked up.
public actor GoogleCredentialChain {
    private let environment: [String: String]
    private let context: GoogleTokenContext
    private var provider: (any GoogleTokenProvider)?
    private let cache: RefreshingCache<GoogleAccessToken>
    private var knownIdentity: String?

    /// A chain reading `environment` (usually `ProcessInfo.processInfo.environment`) and fetching
    /// tokens with `httpClient`.
    public init(environment: [String: String], httpClient: HTTPClient) {
        self.init(environment: environment, httpClient: httpClient, now: { Date() })
    }

    /// A chain with an injected clock, for tests of expiry.
    init(environment: [String: String], httpClient: HTTPClient, now: @escaping @Sendable () -> Date) {
        self.environment = environment
        context = GoogleTokenContext(httpClient: httpClient, now: now)
        cache = RefreshingCache(refreshMargin: GCSDefaults.refreshMargin, now: now) { $0.expiresAt }
    }

    /// A valid access token, fetched or refreshed as needed.
    /// - Throws: ``ObjectStoreError`` (`.credentials`; retryable for network failures and 5xx).
    public func accessToken() async throws(ObjectStoreError) -> String {
        let context = context
        return try await cache.value { () async throws(ObjectStoreError) in
            try await self.resolvedProvider().fetchToken(context)
        }.value
    }

    /// Who tokens are for: the service account's email (key file, impersonation or metadata
    /// server), "external account AUDIENCE", or a description of the source when that is not
    /// known. Never a secret.
    public func identity() async -> String {
        if let knownIdentity { return knownIdentity }
        let provider: any GoogleTokenProvider
        do throws(ObjectStoreError) {
            provider = try resolvedProvider()
        } catch {
            return "unknown (\(error.message))"
        }
        guard let identity = await provider.identity(context) else { return provider.description }
        knownIdentity = identity
        return identity
    }

    private func resolvedProvider() throws(ObjectStoreError) -> any GoogleTokenProvider {
        if let provider { return provider }
        let resolved = try googleTokenProvider(environment: environment)
        provider = resolved
        return resolved
    }
}
