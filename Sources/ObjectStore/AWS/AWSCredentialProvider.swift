import AsyncHTTPClient
import Foundation

/// What a credential provider needs: the HTTP client and the clock.
struct AWSCredentialContext: Sendable {
    let httpClient: HTTPClient
    let now: @Sendable () -> Date
}

/// Credentials as a provider fetched them, with who they are for.
struct AWSFetchedCredentials: Sendable {
    let credentials: AWSCredentials
    /// The identity, possibly learnt while fetching (an instance's role name). Never a secret.
    let identity: String
}

/// One source of AWS credentials. Providers do not cache; ``AWSCredentialChain`` does.
protocol AWSCredentialProvider: Sendable {
    /// Who requests are made as, as far as is known before fetching. Never a secret.
    var identity: String { get }

    /// Fetches fresh credentials.
    /// - Throws: ``ObjectStoreError`` (`.credentials`) naming the source and why it failed, never a secret.
    func fetch(_ context: AWSCredentialContext) async throws(ObjectStoreError) -> AWSFetchedCredentials
}

/// The provider `environment` selects, in the AWS SDKs' order (without the shared config and
/// credentials files, which a server has no use for); the first that is configured is used:
/// 1. `AWS_ACCESS_KEY_ID`, `AWS_SECRET_ACCESS_KEY` (and `AWS_SESSION_TOKEN`);
/// 2. web identity (EKS IRSA): `AWS_ROLE_ARN` and `AWS_WEB_IDENTITY_TOKEN_FILE`;
/// 3. container credentials (EKS Pod Identity, ECS): `AWS_CONTAINER_CREDENTIALS_RELATIVE_URI`
///    or `AWS_CONTAINER_CREDENTIALS_FULL_URI`;
/// 4. the EC2 instance metadata service (IMDSv2), unless `AWS_EC2_METADATA_DISABLED` is `true`.
func awsCredentialProvider(environment: [String: String]) -> any AWSCredentialProvider {
    func value(_ name: String) -> String? { AWSEnvironment.value(name, in: environment) }
    if value("AWS_ACCESS_KEY_ID") != nil || value("AWS_SECRET_ACCESS_KEY") != nil {
        return AWSEnvironmentKeys(
            accessKeyID: value("AWS_ACCESS_KEY_ID"), secretAccessKey: value("AWS_SECRET_ACCESS_KEY"), sessionToken: value("AWS_SESSION_TOKEN"))
    }
    if let role = value("AWS_ROLE_ARN"), let tokenFile = value("AWS_WEB_IDENTITY_TOKEN_FILE") {
        return AWSWebIdentity(roleARN: role, tokenFile: tokenFile, sessionName: value("AWS_ROLE_SESSION_NAME"), environment: environment)
    }
    if let container = AWSContainerCredentials(environment: environment) {
        return container
    }
    if value("AWS_EC2_METADATA_DISABLED")?.lowercased() == "true" {
        return AWSNoCredentials()
    }
    return AWSInstanceMetadata(environment: environment)
}

/// Long-term or temporary keys from the environment.
struct AWSEnvironmentKeys: AWSCredentialProvider {
    let accessKeyID: String?
    let secretAccessKey: String?
    let sessionToken: String?

    var identity: String { "static keys from AWS_ACCESS_KEY_ID" }

    func fetch(_ context: AWSCredentialContext) async throws(ObjectStoreError) -> AWSFetchedCredentials {
        guard let accessKeyID, let secretAccessKey else {
            let (set, unset) = accessKeyID == nil ? ("AWS_SECRET_ACCESS_KEY", "AWS_ACCESS_KEY_ID") : ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY")
            throw ObjectStoreError(.credentials, "\(set) is set but \(unset) is not: set both, or neither to use another credential source")
        }
        let credentials = AWSCredentials(accessKeyID: accessKeyID, secretAccessKey: secretAccessKey, sessionToken: sessionToken)
        return AWSFetchedCredentials(credentials: credentials, identity: identity)
    }
}

/// No source is configured and the instance metadata service is disabled.
struct AWSNoCredentials: AWSCredentialProvider {
    var identity: String { "no AWS credentials" }

    func fetch(_ context: AWSCredentialContext) async throws(ObjectStoreError) -> AWSFetchedCredentials {
        throw ObjectStoreError(
            .credentials,
            "no AWS credentials: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or AWS_ROLE_ARN and AWS_WEB_IDENTITY_TOKEN_FILE "
                + "(IRSA), or AWS_CONTAINER_CREDENTIALS_FULL_URI (EKS Pod Identity); the instance metadata service is "
                + "disabled by AWS_EC2_METADATA_DISABLED=true")
    }
}
