import Foundation
import HTTPTestSupport
import JSONCore
import Testing

@testable import ObjectStore

@Suite("Google workload identity federation (external_account)")
struct GoogleExternalAccountTests {
    static let audience = "//iam.googleapis.com/projects/123/locations/global/workloadIdentityPools/tandem/providers/k8s"
    static let impersonated = "model-reader@tandem-test.iam.gserviceaccount.com"
    static let subjectToken = "eyJhbGciOiJSUzI1NiJ9.subject-token-from-kubernetes.signature"

    /// A fake STS at `/sts` and IAM Credentials at `/impersonate`, recording what they saw.
    static func handler(_ seen: RecordedRequests) -> ScriptedHTTPServer.Script {
        { request in
            seen.record(request)
            switch request.path {
            case "/sts":
                guard request.formFields["subject_token"] == subjectToken else {
                    return .json(#"{"error":"invalid_grant","error_description":"bad subject token"}"#, status: 400)
                }
                return .json(#"{"access_token":"sts-token-1","issued_token_type":"urn:ietf:params:oauth:token-type:access_token","token_type":"Bearer","expires_in":3600}"#)
            case "/v1/projects/-/serviceAccounts/\(impersonated):generateAccessToken":
                guard request.header("Authorization") == "Bearer sts-token-1" else {
                    return .json(#"{"error":{"code":401,"message":"Request had invalid authentication credentials.","status":"UNAUTHENTICATED"}}"#, status: 401)
                }
                return .json(#"{"accessToken":"impersonated-token-1","expireTime":"2099-01-02T03:04:05Z"}"#)
            case "/subject":
                guard request.header("Authorization") == "Bearer metadata-secret" else { return .text("no", status: 403) }
                return .json(#"{"id_token":"\#(subjectToken)"}"#)
            default:
                return .text("not found", status: 404)
            }
        }
    }

    static func configuration(server: ScriptedHTTPServer, credentialSource: JSONValue, impersonate: Bool) -> String {
        var json: [String: JSONValue] = [
            "type": "external_account",
            "audience": .string(audience),
            "subject_token_type": "urn:ietf:params:oauth:token-type:jwt",
            "token_url": .string("\(server.baseURL)/sts"),
            "credential_source": credentialSource,
        ]
        if impersonate {
            json["service_account_impersonation_url"] = .string(
                "\(server.baseURL)/v1/projects/-/serviceAccounts/\(impersonated):generateAccessToken")
        }
        return JSONValue.object(json).jsonString
    }

    @Test func exchangesAFileSubjectTokenAtSTS() async throws {
        let seen = RecordedRequests()
        let scratch = try ScratchDirectory()
        defer { scratch.remove() }
        try await ScriptedHTTPServer.run(Self.handler(seen)) { server in
            let tokenFile = try scratch.write("token", Self.subjectToken + "\n")
            let config = try scratch.write(
                "wif.json", Self.configuration(server: server, credentialSource: ["file": .string(tokenFile)], impersonate: false))
            let chain = GoogleCredentialChain(environment: ["GOOGLE_APPLICATION_CREDENTIALS": config], httpClient: .shared)
            #expect(try await chain.accessToken() == "sts-token-1")
            #expect(await chain.identity() == "external account \(Self.audience)")

            let sts = try #require(seen.all.first)
            #expect(sts.method == "POST")
            #expect(sts.header("Content-Type") == "application/x-www-form-urlencoded")
            #expect(
                sts.formFields == [
                    "grant_type": "urn:ietf:params:oauth:grant-type:token-exchange",
                    "audience": Self.audience,
                    "scope": "https://www.googleapis.com/auth/cloud-platform",
                    "requested_token_type": "urn:ietf:params:oauth:token-type:access_token",
                    "subject_token": Self.subjectToken,
                    "subject_token_type": "urn:ietf:params:oauth:token-type:jwt",
                ])
            #expect(seen.all.count == 1)
        }
    }

    @Test func impersonatesTheServiceAccountWithTheSTSToken() async throws {
        let seen = RecordedRequests()
        let scratch = try ScratchDirectory()
        defer { scratch.remove() }
        try await ScriptedHTTPServer.run(Self.handler(seen)) { server in
            let tokenFile = try scratch.write("token.json", #"{"access_token":"\#(Self.subjectToken)"}"#)
            let source: JSONValue = ["file": .string(tokenFile), "format": ["type": "json", "subject_token_field_name": "access_token"]]
            let config = try scratch.write("wif.json", Self.configuration(server: server, credentialSource: source, impersonate: true))
            let chain = GoogleCredentialChain(environment: ["GOOGLE_APPLICATION_CREDENTIALS": config], httpClient: .shared)
            #expect(try await chain.accessToken() == "impersonated-token-1")
            #expect(await chain.identity() == Self.impersonated)

            #expect(seen.all.map(\.path) == ["/sts", "/v1/projects/-/serviceAccounts/\(Self.impersonated):generateAccessToken"])
            let impersonation = seen.all[1]
            #expect(impersonation.method == "POST")
            #expect(impersonation.header("Content-Type") == "application/json")
            let body = try JSONValue(parsing: impersonation.body)
            #expect(body == ["scope": ["https://www.googleapis.com/auth/devstorage.read_only"], "lifetime": "3600s"])
        }
    }

    @Test func readsTheSubjectTokenFromAURLWithItsHeaders() async throws {
        let seen = RecordedRequests()
        let scratch = try ScratchDirectory()
        defer { scratch.remove() }
        try await ScriptedHTTPServer.run(Self.handler(seen)) { server in
            let source: JSONValue = [
                "url": .string("\(server.baseURL)/subject"),
                "headers": ["Authorization": "Bearer metadata-secret"],
                "format": ["type": "json", "subject_token_field_name": "id_token"],
            ]
            let config = try scratch.write("wif.json", Self.configuration(server: server, credentialSource: source, impersonate: false))
            let chain = GoogleCredentialChain(environment: ["GOOGLE_APPLICATION_CREDENTIALS": config], httpClient: .shared)
            #expect(try await chain.accessToken() == "sts-token-1")
            #expect(seen.all.map(\.path) == ["/subject", "/sts"])
            #expect(seen.all[0].method == "GET")
        }
    }

    @Test func aRefusedImpersonationNamesTheStepAndGoogleMessageButNoToken() async throws {
        let scratch = try ScratchDirectory()
        defer { scratch.remove() }
        try await ScriptedHTTPServer.run({ request in
            switch request.path {
            case "/sts": return tokenResponse("sts-token-1")
            default:
                return .json(#"{"error":{"code":403,"message":"Permission 'iam.serviceAccounts.getAccessToken' denied","status":"PERMISSION_DENIED"}}"#, status: 403)
            }
        }) { server in
            let tokenFile = try scratch.write("token", Self.subjectToken)
            let config = try scratch.write(
                "wif.json", Self.configuration(server: server, credentialSource: ["file": .string(tokenFile)], impersonate: true))
            let chain = GoogleCredentialChain(environment: ["GOOGLE_APPLICATION_CREDENTIALS": config], httpClient: .shared)
            let error = try await #require(throws: ObjectStoreError.self) { try await chain.accessToken() }
            #expect(error.kind == .credentials)
            #expect(error.message.contains("impersonating \(Self.impersonated)"))
            #expect(error.message.contains("HTTP 403: Permission 'iam.serviceAccounts.getAccessToken' denied"))
            expectNoSecret(in: error.message, secrets: [Self.subjectToken, "sts-token-1"])
        }
    }

    @Test func aMissingSubjectTokenFileIsNamed() async throws {
        let scratch = try ScratchDirectory()
        defer { scratch.remove() }
        try await ScriptedHTTPServer.run({ _ in .text("unused", status: 500) }) { server in
            let missing = "\(scratch.path)/no-such-token"
            let config = try scratch.write(
                "wif.json", Self.configuration(server: server, credentialSource: ["file": .string(missing)], impersonate: false))
            let chain = GoogleCredentialChain(environment: ["GOOGLE_APPLICATION_CREDENTIALS": config], httpClient: .shared)
            let error = try await #require(throws: ObjectStoreError.self) { try await chain.accessToken() }
            #expect(error.message.contains("subject token file '\(missing)': cannot read the file"), "\(error.message)")
        }
    }
}
