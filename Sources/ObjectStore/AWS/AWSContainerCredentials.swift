import AsyncHTTPClient
import Foundation

/// Container credentials: the EKS Pod Identity agent (`AWS_CONTAINER_CREDENTIALS_FULL_URI`, with
/// the token of `AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE` or `AWS_CONTAINER_AUTHORIZATION_TOKEN` in
/// the `Authorization` header) or an ECS task role (`AWS_CONTAINER_CREDENTIALS_RELATIVE_URI` on
/// `169.254.170.2`, which takes precedence). The endpoint answers JSON: `AccessKeyId`,
/// `SecretAccessKey`, `Token`, `Expiration`.
///
/// # Guarantees
/// - The token file is read again on every fetch: EKS rotates it.
/// - As in the AWS SDKs, a full URI must be `https`, or `http` to a loopback address or the ECS
///   and EKS link-local hosts, so that the token is never sent in clear across a network.
/// - A 1-second connect timeout (``AWSDefaults/linkLocalConnectTimeout``), no redirects.
struct AWSContainerCredentials: AWSCredentialProvider {
    let url: String
    /// The variable that set ``url``, for messages.
    let variable: String
    let tokenFile: String?
    let token: String?

    /// The provider `environment` configures, or nil when neither URI variable is set.
    init?(environment: [String: String]) {
        func value(_ name: String) -> String? { AWSEnvironment.value(name, in: environment) }
        if let relative = value("AWS_CONTAINER_CREDENTIALS_RELATIVE_URI") {
            url = AWSDefaults.containerCredentialsHost + (relative.hasPrefix("/") ? relative : "/\(relative)")
            variable = "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI"
        } else if let full = value("AWS_CONTAINER_CREDENTIALS_FULL_URI") {
            url = full
            variable = "AWS_CONTAINER_CREDENTIALS_FULL_URI"
        } else {
            return nil
        }
        tokenFile = value("AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE")
        token = value("AWS_CONTAINER_AUTHORIZATION_TOKEN")
    }

    private var host: String { URLComponents(string: url)?.host ?? url }

    var identity: String {
        if AWSDefaults.podIdentityHosts.contains(host.trimmingCharacters(in: CharacterSet(charactersIn: "[]"))) { return "EKS Pod Identity" }
        if variable == "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI" { return "ECS task role" }
        return "container credentials from \(host)"
    }

    func fetch(_ context: AWSCredentialContext) async throws(ObjectStoreError) -> AWSFetchedCredentials {
        let what = "\(identity) (\(variable) \(url))"
        try checkAllowed(what: what)
        var request = HTTPClientRequest(url: url)
        let authorization = try authorizationToken(what: what)
        if let authorization { request.headers.add(name: "Authorization", value: authorization) }
        let body = try await AWSCredentialHTTP.withLinkLocalClient(context) { client throws(ObjectStoreError) in
            try await AWSCredentialHTTP.send(
                request, to: what, timeout: AWSDefaults.linkLocalRequestTimeout, secrets: authorization.map { [$0] } ?? [], client: client)
        }
        return AWSFetchedCredentials(credentials: try AWSCredentialHTTP.credentials(json: body, from: what), identity: identity)
    }

    private func checkAllowed(what: String) throws(ObjectStoreError) {
        guard let components = URLComponents(string: url), let scheme = components.scheme?.lowercased(), let host = components.host else {
            throw ObjectStoreError(.credentials, "\(what): not an http(s) URL")
        }
        let bare = host.trimmingCharacters(in: CharacterSet(charactersIn: "[]"))
        let allowed = scheme == "https"
            || (scheme == "http" && (bare == "localhost" || bare == "::1" || bare.hasPrefix("127.") || bare == "169.254.170.2" || AWSDefaults.podIdentityHosts.contains(bare)))
        guard allowed else {
            throw ObjectStoreError(
                .credentials, "\(what): only https, or http to a loopback address, 169.254.170.2 or the EKS Pod Identity agent, is allowed")
        }
    }

    /// The token file's content (read now, trimmed), else the token variable, else nil.
    private func authorizationToken(what: String) throws(ObjectStoreError) -> String? {
        guard let tokenFile else { return token }
        guard let data = FileManager.default.contents(atPath: tokenFile) else {
            throw ObjectStoreError(.credentials, "\(what): cannot read AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE '\(tokenFile)'")
        }
        let token = String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        guard !token.isEmpty, !token.contains(where: \.isNewline) else {
            throw ObjectStoreError(.credentials, "\(what): AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE '\(tokenFile)' is empty or spans several lines")
        }
        return token
    }
}
