import Foundation
import JSONCore
import _CryptoExtras

/// A service-account key file (`"type": "service_account"`): tokens come from an RS256-signed JWT
/// assertion exchanged at the key's `token_uri` (RFC 7523), scoped read-only to storage.
struct GoogleServiceAccountKey: GoogleTokenProvider {
    let clientEmail: String
    let privateKeyID: String?
    let tokenURI: String
    let privateKey: _RSA.Signing.PrivateKey
    /// The file the key came from, for messages.
    let source: String

    /// Reads the key's fields from its JSON; `source` names the file in errors.
    init(json: JSONValue, source: String) throws(ObjectStoreError) {
        clientEmail = try GoogleJSON.string(json, "client_email", in: source)
        tokenURI = json["token_uri"]?.stringValue ?? "https://oauth2.googleapis.com/token"
        privateKeyID = json["private_key_id"]?.stringValue
        self.source = source
        let pem = try GoogleJSON.string(json, "private_key", in: source)
        do {
            privateKey = try _RSA.Signing.PrivateKey(pemRepresentation: pem)
        } catch {
            throw ObjectStoreError(.credentials, "\(source): \"private_key\" is not a PEM RSA private key")
        }
    }

    func fetchToken(_ context: GoogleTokenContext) async throws(ObjectStoreError) -> GoogleAccessToken {
        let what = "service account \(clientEmail) (\(source)): token endpoint \(tokenURI)"
        let now = context.now()
        let assertion = try signedAssertion(issuedAt: now)
        let body = CredentialHTTP.formEncoded([
            ("grant_type", "urn:ietf:params:oauth:grant-type:jwt-bearer"),
            ("assertion", assertion),
        ])
        let request = CredentialHTTP.post(tokenURI, contentType: "application/x-www-form-urlencoded", body: body)
        let response = try await GoogleTokenExchange.send(request, to: what, secrets: [assertion], client: context.httpClient)
        return try GoogleTokenExchange.accessToken(from: response, what: what, now: now)
    }

    func identity(_ context: GoogleTokenContext) async -> String? { clientEmail }

    var description: String { "service account \(clientEmail) (\(source))" }

    /// The JWT assertion: `iss` = the client email, the read-only storage scope, `aud` = the token
    /// URI, valid from `issuedAt` for one hour.
    func signedAssertion(issuedAt: Date) throws(ObjectStoreError) -> String {
        var header: [String: JSONValue] = ["alg": "RS256", "typ": "JWT"]
        if let privateKeyID { header["kid"] = .string(privateKeyID) }
        let iat = Int64(issuedAt.timeIntervalSince1970)
        let claims: JSONValue = [
            "iss": .string(clientEmail),
            "scope": .string(GCSDefaults.readOnlyScope),
            "aud": .string(tokenURI),
            "iat": .int(iat),
            "exp": .int(iat + Int64(GCSDefaults.tokenLifetime)),
        ]
        let signingInput = "\(Base64URL.encode(JSONValue.object(header).serialized())).\(Base64URL.encode(claims.serialized()))"
        do {
            let signature = try privateKey.signature(for: Array(signingInput.utf8), padding: .insecurePKCS1v1_5)
            return "\(signingInput).\(Base64URL.encode(signature.rawRepresentation))"
        } catch {
            throw ObjectStoreError(.credentials, "service account \(clientEmail) (\(source)): cannot sign the JWT assertion")
        }
    }
}

/// Base64url without padding (RFC 7515 §2), as JWTs use.
enum Base64URL {
    static func encode(_ bytes: some Sequence<UInt8>) -> String {
        Data(bytes).base64EncodedString()
            .replacingOccurrences(of: "+", with: "-")
            .replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }

    static func decode(_ text: some StringProtocol) -> [UInt8]? {
        var base64 = text.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        base64 += String(repeating: "=", count: (4 - base64.count % 4) % 4)
        return Data(base64Encoded: base64).map(Array.init)
    }
}
