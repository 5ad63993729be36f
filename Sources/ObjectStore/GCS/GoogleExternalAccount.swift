import AsyncHTTPClient
import Foundation
import JSONCore

/// Workload identity federation (`"type": "external_account"`): a subject token read from a file
/// or URL is exchanged at Google's STS for an access token, which, when
/// `service_account_impersonation_url` is set, is then traded for a service account's token.
///
/// # Caveats
/// - Only file and URL credential sources are supported, not `executable` or AWS `environment_id`.
struct GoogleExternalAccount: GoogleTokenProvider {
    enum SubjectTokenSource: Sendable {
        case file(path: String)
        case url(String, headers: [(String, String)])
    }

    let audience: String
    let subjectTokenType: String
    let tokenURL: String
    let subjectTokenSource: SubjectTokenSource
    /// nil: the subject token is plain text; else the field of a JSON document that holds it.
    let subjectTokenField: String?
    let impersonationURL: String?
    let impersonationLifetime: Int
    /// The file the configuration came from, for messages.
    let source: String

    /// Reads the configuration; `source` names its file in errors.
    init(json: JSONValue, source: String) throws(ObjectStoreError) {
        audience = try GoogleJSON.string(json, "audience", in: source)
        subjectTokenType = try GoogleJSON.string(json, "subject_token_type", in: source)
        tokenURL = json["token_url"]?.stringValue ?? "https://sts.googleapis.com/v1/token"
        impersonationURL = json["service_account_impersonation_url"]?.stringValue.flatMap { $0.isEmpty ? nil : $0 }
        impersonationLifetime = Int(json["service_account_impersonation"]?["token_lifetime_seconds"]?.intValue ?? Int64(GCSDefaults.tokenLifetime))
        self.source = source
        guard let credentialSource = json["credential_source"], credentialSource.objectValue != nil else {
            throw ObjectStoreError(.credentials, "\(source): missing the \"credential_source\" object")
        }
        if let path = credentialSource["file"]?.stringValue {
            subjectTokenSource = .file(path: path)
        } else if let url = credentialSource["url"]?.stringValue {
            let headers = (credentialSource["headers"]?.objectValue ?? [:]).compactMap { name, value in value.stringValue.map { (name, $0) } }
            subjectTokenSource = .url(url, headers: headers.sorted { $0.0 < $1.0 })
        } else {
            throw ObjectStoreError(
                .credentials,
                "\(source): \"credential_source\" must have \"file\" or \"url\" (executable and AWS sources are not supported)"
            )
        }
        switch credentialSource["format"]?["type"]?.stringValue ?? "text" {
        case "text":
            subjectTokenField = nil
        case "json":
            subjectTokenField = try GoogleJSON.string(credentialSource["format"] ?? .null, "subject_token_field_name", in: "\(source) credential_source.format")
        case let other:
            throw ObjectStoreError(.credentials, "\(source): credential_source.format.type '\(other)' is not 'text' or 'json'")
        }
    }

    func fetchToken(_ context: GoogleTokenContext) async throws(ObjectStoreError) -> GoogleAccessToken {
        let now = context.now()
        let subjectToken = try await readSubjectToken(context)
        let stsWhat = "external account \(audience) (\(source)): STS token exchange at \(tokenURL)"
        let stsBody = CredentialHTTP.formEncoded([
            ("grant_type", "urn:ietf:params:oauth:grant-type:token-exchange"),
            ("audience", audience),
            ("scope", GCSDefaults.cloudPlatformScope),
            ("requested_token_type", "urn:ietf:params:oauth:token-type:access_token"),
            ("subject_token", subjectToken),
            ("subject_token_type", subjectTokenType),
        ])
        let stsRequest = CredentialHTTP.post(tokenURL, contentType: "application/x-www-form-urlencoded", body: stsBody)
        let stsResponse = try await GoogleTokenExchange.send(stsRequest, to: stsWhat, secrets: [subjectToken], client: context.httpClient)
        let stsToken = try GoogleTokenExchange.accessToken(from: stsResponse, what: stsWhat, now: now)
        guard let impersonationURL else { return stsToken }
        return try await impersonate(impersonationURL, with: stsToken, context: context)
    }

    func identity(_ context: GoogleTokenContext) async -> String? { description }

    var description: String { impersonatedEmail ?? "external account \(audience)" }

    /// The email in `…/serviceAccounts/EMAIL:generateAccessToken`.
    var impersonatedEmail: String? {
        guard let impersonationURL, let last = impersonationURL.split(separator: "/").last else { return nil }
        let email = last.split(separator: ":").first.map(String.init)
        return email?.removingPercentEncoding ?? email
    }

    private func readSubjectToken(_ context: GoogleTokenContext) async throws(ObjectStoreError) -> String {
        let what: String
        let bytes: [UInt8]
        switch subjectTokenSource {
        case .file(let path):
            what = "external account \(audience) (\(source)): subject token file '\(path)'"
            guard let data = FileManager.default.contents(atPath: path) else {
                throw ObjectStoreError(.credentials, "\(what): cannot read the file")
            }
            bytes = Array(data)
        case .url(let url, let headers):
            what = "external account \(audience) (\(source)): subject token URL \(url)"
            var request = HTTPClientRequest(url: url)
            request.headers.add(contentsOf: headers)
            bytes = try await GoogleTokenExchange.send(request, to: what, client: context.httpClient)
        }
        let token: String?
        if let subjectTokenField {
            token = try GoogleJSON.parse(bytes, what: what)[subjectTokenField]?.stringValue
        } else {
            token = String(decoding: bytes, as: UTF8.self)
        }
        guard let trimmed = token?.trimmingCharacters(in: .whitespacesAndNewlines), !trimmed.isEmpty else {
            let field = subjectTokenField.map { " in field \"\($0)\"" } ?? ""
            throw ObjectStoreError(.credentials, "\(what): no subject token\(field)")
        }
        return trimmed
    }

    /// POSTs the IAM Credentials `generateAccessToken` call with the STS token.
    private func impersonate(_ url: String, with stsToken: GoogleAccessToken, context: GoogleTokenContext) async throws(ObjectStoreError) -> GoogleAccessToken {
        let what = "external account \(audience) (\(source)): impersonating \(impersonatedEmail ?? url) at \(url)"
        let body: JSONValue = ["scope": [.string(GCSDefaults.readOnlyScope)], "lifetime": .string("\(impersonationLifetime)s")]
        let request = CredentialHTTP.post(
            url,
            contentType: "application/json",
            body: body.jsonString,
            headers: [("Authorization", "Bearer \(stsToken.value)")]
        )
        let response = try await GoogleTokenExchange.send(request, to: what, secrets: [stsToken.value], client: context.httpClient)
        let json = try GoogleJSON.parse(response, what: "the response of \(what)")
        guard let token = json["accessToken"]?.stringValue, !token.isEmpty else {
            throw ObjectStoreError(.credentials, "\(what): the response has no \"accessToken\"")
        }
        guard let expireTime = json["expireTime"]?.stringValue, let expiresAt = Self.parseTimestamp(expireTime) else {
            throw ObjectStoreError(.credentials, "\(what): the response has no RFC 3339 \"expireTime\"")
        }
        return GoogleAccessToken(value: token, expiresAt: expiresAt)
    }

    /// An RFC 3339 timestamp, with or without fractional seconds.
    static func parseTimestamp(_ text: String) -> Date? {
        let formatter = ISO8601DateFormatter()
        if let date = formatter.date(from: text) { return date }
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return formatter.date(from: text)
    }
}
