import AsyncHTTPClient
import Foundation

/// Web identity (EKS IAM Roles for Service Accounts): the token in `AWS_WEB_IDENTITY_TOKEN_FILE`
/// exchanged for the role `AWS_ROLE_ARN`'s credentials with STS `AssumeRoleWithWebIdentity`.
///
/// # Guarantees
/// - The token file is read again on every fetch: the kubelet rotates it.
/// - The call is unsigned (STS needs no credentials for it); the token never appears in an error.
///
/// # Caveats
/// - STS is `AWS_ENDPOINT_URL_STS`, else `AWS_ENDPOINT_URL`, else the regional
///   `https://sts.REGION.amazonaws.com` (never the global endpoint).
struct AWSWebIdentity: AWSCredentialProvider {
    let roleARN: String
    let tokenFile: String
    /// `AWS_ROLE_SESSION_NAME`; nil: `tandem-` and the Unix time.
    let sessionName: String?
    /// The STS endpoint, without a trailing slash.
    let endpoint: String
    /// The variable that set ``endpoint``, for messages; nil for the default.
    let endpointVariable: String?

    init(roleARN: String, tokenFile: String, sessionName: String?, environment: [String: String]) {
        self.roleARN = roleARN
        self.tokenFile = tokenFile
        self.sessionName = sessionName
        if let custom = AWSEnvironment.customEndpoint(service: "STS", in: environment) {
            (endpoint, endpointVariable) = (custom.url, custom.variable)
        } else {
            let region = AWSEnvironment.region(in: environment)
            (endpoint, endpointVariable) = ("https://sts.\(region).\(AWSEnvironment.dnsSuffix(region: region))", nil)
        }
    }

    var identity: String { "role \(roleARN) (web identity)" }

    func fetch(_ context: AWSCredentialContext) async throws(ObjectStoreError) -> AWSFetchedCredentials {
        let source = "web identity for role \(roleARN) (AWS_WEB_IDENTITY_TOKEN_FILE '\(tokenFile)')"
        let token = try readToken(source: source)
        let stsURL = try AWSEndpointURL(endpoint, variable: endpointVariable ?? "the STS endpoint").url(path: "/")
        let form = CredentialHTTP.formEncoded([
            ("Action", "AssumeRoleWithWebIdentity"),
            ("Version", AWSDefaults.stsAPIVersion),
            ("RoleArn", roleARN),
            ("RoleSessionName", sessionName ?? "tandem-\(Int(context.now().timeIntervalSince1970))"),
            ("WebIdentityToken", token),
        ])
        let request = CredentialHTTP.post(stsURL, contentType: "application/x-www-form-urlencoded; charset=utf-8", body: form)
        let what = "\(source): STS AssumeRoleWithWebIdentity at \(stsURL)"
        let body = try await AWSCredentialHTTP.send(
            request, to: what, timeout: AWSDefaults.stsRequestTimeout, secrets: [token], client: context.httpClient)
        return AWSFetchedCredentials(credentials: try Self.credentials(xml: body, from: what), identity: identity)
    }

    private func readToken(source: String) throws(ObjectStoreError) -> String {
        guard let data = FileManager.default.contents(atPath: tokenFile) else {
            throw ObjectStoreError(.credentials, "\(source): cannot read the token file")
        }
        let token = String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        guard !token.isEmpty else {
            throw ObjectStoreError(.credentials, "\(source): the token file is empty")
        }
        return token
    }

    /// The `Credentials` of an `AssumeRoleWithWebIdentityResponse`.
    static func credentials(xml body: [UInt8], from what: String) throws(ObjectStoreError) -> AWSCredentials {
        let text = String(decoding: body, as: UTF8.self)
        guard let block = AWSXML.element("Credentials", in: text[...]),
            let accessKeyID = AWSXML.text("AccessKeyId", in: block),
            let secret = AWSXML.text("SecretAccessKey", in: block),
            let token = AWSXML.text("SessionToken", in: block)
        else {
            throw ObjectStoreError(.credentials, "\(what): the response has no Credentials with AccessKeyId, SecretAccessKey and SessionToken")
        }
        let expiration = try AWSCredentialHTTP.expiration(AWSXML.text("Expiration", in: block), from: what)
        return AWSCredentials(accessKeyID: accessKeyID, secretAccessKey: secret, sessionToken: token, expiration: expiration)
    }
}
