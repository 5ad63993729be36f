import AsyncHTTPClient
import Foundation

/// An OAuth 2.0 access token and when it expires. Its description never shows the token.
struct GoogleAccessToken: Sendable, CustomStringConvertible {
    let value: String
    let expiresAt: Date

    var description: String { "GoogleAccessToken(expires \(expiresAt))" }
}

/// What a token provider needs to fetch a token: the HTTP client and the clock.
struct GoogleTokenContext: Sendable {
    let httpClient: HTTPClient
    let now: @Sendable () -> Date
}

/// One way of obtaining Google access tokens: a service-account key, workload identity
/// federation, or the metadata server. Providers do not cache; ``GoogleCredentialChain`` does.
protocol GoogleTokenProvider: Sendable, CustomStringConvertible {
    /// Fetches a fresh token.
    /// - Throws: ``ObjectStoreError`` (`.credentials`) naming the source and why it failed, never a secret.
    func fetchToken(_ context: GoogleTokenContext) async throws(ObjectStoreError) -> GoogleAccessToken

    /// Who the tokens are for (a service-account email, "external account AUDIENCE"), or nil when
    /// that cannot be learned now. Never a secret.
    func identity(_ context: GoogleTokenContext) async -> String?

    /// The source, for messages when ``identity(_:)`` is nil ("metadata server at HOST"). Never a secret.
    var description: String { get }
}

/// Picks the provider `environment` selects, as Google's Application Default Credentials do
/// (minus gcloud's user credentials, which a server has no use for):
/// the `GOOGLE_APPLICATION_CREDENTIALS` file if the variable is set, else the metadata server.
/// - Throws: ``ObjectStoreError`` (`.credentials`) when the file cannot be read or is not a
///   `service_account` or `external_account` credential.
func googleTokenProvider(environment: [String: String]) throws(ObjectStoreError) -> any GoogleTokenProvider {
    guard let path = environment["GOOGLE_APPLICATION_CREDENTIALS"], !path.isEmpty else {
        return GoogleMetadataServer(environment: environment)
    }
    let source = "GOOGLE_APPLICATION_CREDENTIALS file '\(path)'"
    let json = try GoogleJSON.read(file: path, what: source)
    switch json["type"]?.stringValue {
    case "service_account":
        return try GoogleServiceAccountKey(json: json, source: source)
    case "external_account":
        return try GoogleExternalAccount(json: json, source: source)
    case let other:
        throw ObjectStoreError(
            .credentials,
            "\(source): unsupported credential type \(other.map { "'\($0)'" } ?? "(no \"type\" field)"); expected 'service_account' or 'external_account'"
        )
    }
}
