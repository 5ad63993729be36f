import AsyncHTTPClient
import Foundation

/// The EC2 instance metadata service, version 2: a session token from
/// `PUT /latest/api/token`, then the instance role's name and credentials from
/// `/latest/meta-data/iam/security-credentials/`.
///
/// The endpoint is `AWS_EC2_METADATA_SERVICE_ENDPOINT`, else `http://[fd00:ec2::254]` when
/// `AWS_EC2_METADATA_SERVICE_ENDPOINT_MODE` is `IPv6`, else `http://169.254.169.254`.
///
/// # Guarantees
/// - A 1-second connect timeout (``AWSDefaults/linkLocalConnectTimeout``) and a 5-second deadline
///   per request, so a machine without IMDS fails fast; no redirects.
///
/// # Caveats
/// - IMDSv1 (no session token) is not used, even where the instance still allows it.
struct AWSInstanceMetadata: AWSCredentialProvider {
    /// `http://HOST[:PORT]`, without a trailing slash.
    let endpoint: String

    init(environment: [String: String]) {
        var endpoint = AWSEnvironment.value("AWS_EC2_METADATA_SERVICE_ENDPOINT", in: environment)
            ?? (AWSEnvironment.value("AWS_EC2_METADATA_SERVICE_ENDPOINT_MODE", in: environment)?.lowercased() == "ipv6"
                ? AWSDefaults.instanceMetadataEndpointIPv6 : AWSDefaults.instanceMetadataEndpoint)
        while endpoint.hasSuffix("/") { endpoint.removeLast() }
        self.endpoint = endpoint
    }

    var identity: String { "instance role (IMDSv2 at \(endpoint))" }

    func fetch(_ context: AWSCredentialContext) async throws(ObjectStoreError) -> AWSFetchedCredentials {
        let source = "instance metadata (IMDSv2) at \(endpoint), tried as no other AWS credentials are configured"
        return try await AWSCredentialHTTP.withLinkLocalClient(context) { client throws(ObjectStoreError) in
            var tokenRequest = HTTPClientRequest(url: "\(endpoint)/latest/api/token")
            tokenRequest.method = .PUT
            tokenRequest.headers.add(name: "X-aws-ec2-metadata-token-ttl-seconds", value: String(AWSDefaults.instanceMetadataTokenTTL))
            let tokenBody = try await send(tokenRequest, "\(source): PUT /latest/api/token", secrets: [], client: client)
            let token = String(decoding: tokenBody, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)

            let rolesPath = "/latest/meta-data/iam/security-credentials/"
            let roles = try await send(get(rolesPath, token: token), "\(source): GET \(rolesPath)", secrets: [token], client: client)
            guard let role = String(decoding: roles, as: UTF8.self).split(whereSeparator: \.isNewline).first.map(String.init), !role.isEmpty else {
                throw ObjectStoreError(.credentials, "\(source): no IAM role is attached to this instance (empty \(rolesPath))")
            }

            let rolePath = rolesPath + role.objectStoreEncoded(keepingSlashes: false)
            let what = "\(source): GET \(rolePath)"
            let body = try await send(get(rolePath, token: token), what, secrets: [token], client: client)
            let credentials = try AWSCredentialHTTP.credentials(json: body, from: what)
            return AWSFetchedCredentials(credentials: credentials, identity: "instance role \(role) (IMDSv2)")
        }
    }

    private func get(_ path: String, token: String) -> HTTPClientRequest {
        var request = HTTPClientRequest(url: endpoint + path)
        request.headers.add(name: "X-aws-ec2-metadata-token", value: token)
        return request
    }

    private func send(_ request: HTTPClientRequest, _ what: String, secrets: [String], client: HTTPClient) async throws(ObjectStoreError) -> [UInt8] {
        try await AWSCredentialHTTP.send(request, to: what, timeout: AWSDefaults.linkLocalRequestTimeout, secrets: secrets, client: client)
    }
}
