import AsyncHTTPClient
import Foundation

/// AWS credentials from the standard sources, cached and refreshed, without an AWS SDK.
///
/// Sources, in the AWS SDKs' order (the first that is configured is used; there is no
/// fallback after an error):
/// 1. `AWS_ACCESS_KEY_ID`, `AWS_SECRET_ACCESS_KEY` and optionally `AWS_SESSION_TOKEN`;
/// 2. web identity (EKS IRSA): `AWS_ROLE_ARN` and `AWS_WEB_IDENTITY_TOKEN_FILE` (and
///    `AWS_ROLE_SESSION_NAME`), exchanged at STS (`AWS_ENDPOINT_URL_STS`, `AWS_ENDPOINT_URL`, or
///    `https://sts.REGION.amazonaws.com`);
/// 3. container credentials: `AWS_CONTAINER_CREDENTIALS_RELATIVE_URI` (ECS) or
///    `AWS_CONTAINER_CREDENTIALS_FULL_URI` (EKS Pod Identity), with
///    `AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE` or `AWS_CONTAINER_AUTHORIZATION_TOKEN`;
/// 4. the EC2 instance metadata service (IMDSv2, `AWS_EC2_METADATA_SERVICE_ENDPOINT`), with a
///    1-second connect timeout, unless `AWS_EC2_METADATA_DISABLED=true`.
///
/// The shared `~/.aws/config` and `~/.aws/credentials` files are not read.
///
/// # Guarantees
/// - Temporary credentials are reused until they are within 5 minutes of expiry; concurrent
///   callers then share one refresh. If that refresh fails while the cached credentials have not
///   yet expired, they are still returned (and the next call tries again).
/// - Errors name the source tried and why it failed (HTTP status, STS `Code` and `Message`),
///   never a secret key, session token or web identity token.
public actor AWSCredentialChain {
    /// The region: `AWS_REGION`, else `AWS_DEFAULT_REGION`, else `us-east-1`.
    public nonisolated let region: String
    private let provider: any AWSCredentialProvider
    private let context: AWSCredentialContext
    private let cache: RefreshingCache<AWSFetchedCredentials>

    /// A chain reading `environment` (usually `ProcessInfo.processInfo.environment`) and fetching
    /// credentials with `httpClient`.
    public init(environment: [String: String], httpClient: HTTPClient) {
        self.init(environment: environment, httpClient: httpClient, now: { Date() })
    }

    /// A chain with an injected clock, for tests of expiry.
    init(environment: [String: String], httpClient: HTTPClient, now: @escaping @Sendable () -> Date) {
        region = AWSEnvironment.region(in: environment)
        provider = awsCredentialProvider(environment: environment)
        context = AWSCredentialContext(httpClient: httpClient, now: now)
        cache = RefreshingCache(refreshMargin: AWSDefaults.refreshMargin, now: now) { $0.credentials.expiration }
    }

    /// Valid credentials, fetched or refreshed as needed.
    /// - Throws: ``ObjectStoreError`` (`.credentials`; retryable for network failures and 5xx).
    public func credentials() async throws(ObjectStoreError) -> AWSCredentials {
        let (provider, context) = (provider, context)
        return try await cache.value { () async throws(ObjectStoreError) in try await provider.fetch(context) }.credentials
    }

    /// Who requests are made as: "static keys from AWS_ACCESS_KEY_ID", "role ARN (web identity)",
    /// "EKS Pod Identity", "instance role NAME (IMDSv2)"… Never a secret, and never a request.
    public func identity() async -> String {
        await cache.current?.identity ?? provider.identity
    }
}
