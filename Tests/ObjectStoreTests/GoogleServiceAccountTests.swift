import AsyncHTTPClient
import Foundation
import HTTPTestSupport
import JSONCore
import Testing

@testable import ObjectStore

@Suite("Google service-account key credentials")
struct GoogleServiceAccountTests {
    @Test func exchangesAnRS256AssertionSignedWithTheKeyAtItsTokenURI() async throws {
        let account = try TestServiceAccount()
        let clock = ManualClock()
        let seen = RecordedRequests()
        let scratch = try ScratchDirectory()
        defer { scratch.remove() }
        try await ScriptedHTTPServer.run({ request in
            seen.record(request)
            let form = request.formFields
            guard request.method == "POST", request.path == "/token",
                request.header("Content-Type") == "application/x-www-form-urlencoded",
                form["grant_type"] == "urn:ietf:params:oauth:grant-type:jwt-bearer",
                let assertion = form["assertion"]
            else { return .json(#"{"error":"invalid_request"}"#, status: 400) }
            // The audience is the token URI the key file names, which the handler cannot know
            // before the server is bound; the Host header gives it.
            let audience = "http://\(request.header("Host") ?? "")/token"
            if let problem = account.problem(with: assertion, audience: audience, now: clock.now) {
                return .json(#"{"error":"invalid_grant","error_description":"\#(problem)"}"#, status: 400)
            }
            return tokenResponse("sa-token-1")
        }) { server in
            let keyFile = try scratch.write("key.json", account.keyFile(tokenURI: "\(server.baseURL)/token"))
            let chain = GoogleCredentialChain(
                environment: ["GOOGLE_APPLICATION_CREDENTIALS": keyFile], httpClient: .shared, now: { clock.now })
            #expect(try await chain.accessToken() == "sa-token-1")
            #expect(await chain.identity() == TestServiceAccount.email)
            #expect(seen.count(path: "/token") == 1)
        }
    }

    @Test func aRefusedAssertionNamesTheAccountAndOAuthErrorButNoSecret() async throws {
        let account = try TestServiceAccount()
        let scratch = try ScratchDirectory()
        defer { scratch.remove() }
        let seen = RecordedRequests()
        try await ScriptedHTTPServer.run({ request in
            seen.record(request)
            // A careless server that echoes the assertion back must not leak it into the error.
            let assertion = request.formFields["assertion"] ?? ""
            return .json(#"{"error":"invalid_grant","error_description":"Invalid JWT Signature: \#(assertion)"}"#, status: 400)
        }) { server in
            let keyFile = try scratch.write("key.json", account.keyFile(tokenURI: "\(server.baseURL)/token"))
            let chain = GoogleCredentialChain(environment: ["GOOGLE_APPLICATION_CREDENTIALS": keyFile], httpClient: .shared)
            let error = try await #require(throws: ObjectStoreError.self) { try await chain.accessToken() }
            #expect(error.kind == .credentials)
            #expect(!error.isRetryable)
            #expect(error.message.contains(TestServiceAccount.email))
            #expect(error.message.contains(keyFile))
            #expect(error.message.contains("HTTP 400"))
            #expect(error.message.contains("invalid_grant: Invalid JWT Signature"))
            let assertion = try #require(seen.all.first?.formFields["assertion"])
            expectNoSecret(in: error.message, secrets: [assertion, account.privateKeyPEM])
            expectNoSecret(in: await chain.identity(), secrets: [assertion, account.privateKeyPEM])
        }
    }

    @Test func theFakeTokenEndpointRejectsAForeignOrTamperedAssertion() throws {
        let account = try TestServiceAccount()
        let now = Date(timeIntervalSince1970: 1_800_000_000)
        let audience = "http://127.0.0.1:1/token"
        func assertion(signedBy signer: TestServiceAccount) throws -> String {
            let json = try JSONValue(parsing: signer.keyFile(tokenURI: audience))
            return try GoogleServiceAccountKey(json: json, source: "test").signedAssertion(issuedAt: now)
        }
        let genuine = try assertion(signedBy: account)
        #expect(account.problem(with: genuine, audience: audience, now: now) == nil)
        #expect(account.problem(with: try assertion(signedBy: TestServiceAccount()), audience: audience, now: now) == "bad signature")
        let parts = genuine.split(separator: ".").map(String.init)
        let forgedClaims = Base64URL.encode(Array(#"{"iss":"someone-else@x","scope":"all"}"#.utf8))
        #expect(account.problem(with: "\(parts[0]).\(forgedClaims).\(parts[2])", audience: audience, now: now) == "bad signature")
        #expect(account.problem(with: genuine, audience: "http://elsewhere/token", now: now) != nil)
    }

    @Test func unusableKeyFilesAreNamedWithTheProblem() async throws {
        let scratch = try ScratchDirectory()
        defer { scratch.remove() }
        let cases: [(file: String?, expected: String)] = [
            (nil, "cannot read the file"),
            (try scratch.write("garbage.json", "{not json"), "not valid JSON"),
            (try scratch.write("user.json", #"{"type":"authorized_user"}"#), "unsupported credential type 'authorized_user'"),
            (try scratch.write("nokey.json", #"{"type":"service_account","client_email":"a@b"}"#), "missing the \"private_key\" field"),
            (
                try scratch.write("badkey.json", #"{"type":"service_account","client_email":"a@b","private_key":"-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n"}"#),
                "\"private_key\" is not a PEM RSA private key"
            ),
        ]
        for (file, expected) in cases {
            let path = file ?? "\(scratch.path)/missing.json"
            let chain = GoogleCredentialChain(environment: ["GOOGLE_APPLICATION_CREDENTIALS": path], httpClient: .shared)
            let error = try await #require(throws: ObjectStoreError.self) { try await chain.accessToken() }
            #expect(error.kind == .credentials)
            #expect(error.message.contains("GOOGLE_APPLICATION_CREDENTIALS file '\(path)'"), "\(error.message)")
            #expect(error.message.contains(expected), "\(error.message)")
            #expect(!error.message.contains("AAAA"))
        }
    }
}

/// Expects that `text` contains none of `secrets`, nor any 40-character piece of them.
func expectNoSecret(in text: String, secrets: [String], sourceLocation: SourceLocation = #_sourceLocation) {
    for secret in secrets where !secret.isEmpty {
        let pieces = stride(from: 0, to: max(secret.count - 40, 1), by: 20).map { start in
            String(secret.dropFirst(start).prefix(40))
        }
        let leaked = pieces.first { $0.count >= min(40, secret.count) && text.contains($0) }
        #expect(leaked == nil, "leaked a secret: \(text)", sourceLocation: sourceLocation)
    }
}
