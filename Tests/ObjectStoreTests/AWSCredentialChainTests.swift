import AsyncHTTPClient
import Foundation
import HTTPTestSupport
import Synchronization
import Testing

@testable import ObjectStore

/// The container-credentials JSON for `expiration`, with keys numbered `serial`.
private func containerJSON(serial: Int, expiration: Date) -> String {
    let expires = ISO8601DateFormatter().string(from: expiration)
    return #"{"AccessKeyId":"ASIA\#(serial)","SecretAccessKey":"secret-\#(serial)","Token":"token-\#(serial)","Expiration":"\#(expires)"}"#
}

@Suite("AWS credential chain")
struct AWSCredentialChainTests {
    @Test("static keys come from AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY and AWS_SESSION_TOKEN, and never expire")
    func staticKeys() async throws {
        let chain = AWSCredentialChain(
            environment: ["AWS_ACCESS_KEY_ID": "AKIDEXAMPLE", "AWS_SECRET_ACCESS_KEY": "s3cr3t", "AWS_SESSION_TOKEN": "tok"], httpClient: .shared)
        #expect(try await chain.credentials() == AWSCredentials(accessKeyID: "AKIDEXAMPLE", secretAccessKey: "s3cr3t", sessionToken: "tok"))
        #expect(await chain.identity() == "static keys from AWS_ACCESS_KEY_ID")
    }

    @Test("half a static key pair is an error naming the missing variable")
    func partialStaticKeys() async throws {
        let chain = AWSCredentialChain(environment: ["AWS_ACCESS_KEY_ID": "AKIDEXAMPLE", "AWS_ROLE_ARN": "arn"], httpClient: .shared)
        let error = await #expect(throws: ObjectStoreError.self) { try await chain.credentials() }
        #expect(error?.kind == .credentials)
        #expect(error?.message.contains("AWS_SECRET_ACCESS_KEY is not") == true)
    }

    @Test("the region is AWS_REGION, else AWS_DEFAULT_REGION, else us-east-1")
    func region() {
        #expect(AWSCredentialChain(environment: ["AWS_REGION": "eu-west-1", "AWS_DEFAULT_REGION": "us-west-2"], httpClient: .shared).region == "eu-west-1")
        #expect(AWSCredentialChain(environment: ["AWS_REGION": "", "AWS_DEFAULT_REGION": "us-west-2"], httpClient: .shared).region == "us-west-2")
        #expect(AWSCredentialChain(environment: [:], httpClient: .shared).region == "us-east-1")
    }

    @Test("with no source and IMDS disabled, the error lists the sources to configure")
    func noSource() async throws {
        let chain = AWSCredentialChain(environment: ["AWS_EC2_METADATA_DISABLED": "true"], httpClient: .shared)
        let error = await #expect(throws: ObjectStoreError.self) { try await chain.credentials() }
        #expect(error?.kind == .credentials)
        #expect(error?.message.contains("AWS_WEB_IDENTITY_TOKEN_FILE") == true)
    }

    @Test("an IMDS that never answers fails within its deadline, naming IMDSv2")
    func silentInstanceMetadata() async throws {
        // A loopback server that accepts and never answers: the 5 s deadline ends the wait.
        try await ScriptedHTTPServer.run({ _ in .init(delayBeforeHeaders: .seconds(120)) }) { server in
            let chain = AWSCredentialChain(environment: ["AWS_EC2_METADATA_SERVICE_ENDPOINT": server.baseURL], httpClient: .shared)
            let start = ContinuousClock.now
            let error = await #expect(throws: ObjectStoreError.self) { try await chain.credentials() }
            // Generous for a loaded machine; without the deadline this would wait two minutes.
            #expect(ContinuousClock.now - start < .seconds(60))
            #expect(error?.kind == .credentials)
            #expect(error?.message.contains("instance metadata (IMDSv2) at \(server.baseURL)") == true, "\(error?.message ?? "")")
        }
    }

    @Test("the identity of container credentials names EKS Pod Identity or the ECS task role")
    func containerIdentity() async {
        let pod = AWSCredentialChain(environment: ["AWS_CONTAINER_CREDENTIALS_FULL_URI": "http://169.254.170.23/v1/credentials"], httpClient: .shared)
        #expect(await pod.identity() == "EKS Pod Identity")
        let ecs = AWSCredentialChain(environment: ["AWS_CONTAINER_CREDENTIALS_RELATIVE_URI": "/v2/credentials/abc"], httpClient: .shared)
        #expect(await ecs.identity() == "ECS task role")
    }

    @Test("a plain-http container endpoint on another host is refused before any request")
    func containerEndpointMustBeLocalOrHTTPS() async throws {
        let chain = AWSCredentialChain(
            environment: ["AWS_CONTAINER_CREDENTIALS_FULL_URI": "http://credentials.example.com/v1", "AWS_CONTAINER_AUTHORIZATION_TOKEN": "tok"],
            httpClient: .shared)
        let error = await #expect(throws: ObjectStoreError.self) { try await chain.credentials() }
        #expect(error?.message.contains("only https") == true)
    }

    @Test("credentials are cached until 5 minutes before expiry, then refreshed")
    func refreshBeforeExpiry() async throws {
        let clock = ManualClock()
        let fetches = Mutex(0)
        try await ScriptedHTTPServer.run({ _ in
            let serial = fetches.withLock { $0 += 1; return $0 }
            return .json(containerJSON(serial: serial, expiration: clock.now.addingTimeInterval(600)))
        }) { server throws in
            let chain = AWSCredentialChain(
                environment: ["AWS_CONTAINER_CREDENTIALS_FULL_URI": server.baseURL, "AWS_CONTAINER_AUTHORIZATION_TOKEN": "tok"],
                httpClient: .shared, now: { clock.now })
            #expect(try await chain.credentials().accessKeyID == "ASIA1")
            clock.advance(by: 299)  // 301 s left: still fresh
            #expect(try await chain.credentials().accessKeyID == "ASIA1")
            clock.advance(by: 2)  // 299 s left: within the margin
            #expect(try await chain.credentials().accessKeyID == "ASIA2")
            #expect(try await chain.credentials().accessKeyID == "ASIA2")
        }
        #expect(fetches.withLock { $0 } == 2)
    }

    @Test("concurrent callers share one refresh")
    func concurrentCallersShareOneRefresh() async throws {
        let fetches = Mutex(0)
        try await ScriptedHTTPServer.run({ _ in
            let serial = fetches.withLock { $0 += 1; return $0 }
            try? await Task.sleep(for: .milliseconds(200))  // a slow endpoint, so that callers overlap
            return .json(containerJSON(serial: serial, expiration: Date().addingTimeInterval(3600)))
        }) { server in
            let chain = AWSCredentialChain(
                environment: ["AWS_CONTAINER_CREDENTIALS_FULL_URI": server.baseURL, "AWS_CONTAINER_AUTHORIZATION_TOKEN": "tok"], httpClient: .shared)
            let keys = try await withThrowingTaskGroup(of: String.self) { group in
                for _ in 0..<20 { group.addTask { try await chain.credentials().accessKeyID } }
                return try await group.reduce(into: Set<String>()) { $0.insert($1) }
            }
            #expect(keys == ["ASIA1"])
        }
        #expect(fetches.withLock { $0 } == 1)
    }

    @Test("a failed refresh keeps credentials that have not expired; once they have, the error names the source, not the secrets")
    func failedRefresh() async throws {
        let clock = ManualClock()
        let fetches = Mutex(0)
        try await ScriptedHTTPServer.run({ request in
            guard fetches.withLock({ $0 += 1; return $0 }) == 1 else {
                return .json(#"{"code":"ServiceUnavailable","message":"agent restarting, token \#(request.header("Authorization") ?? "")"}"#, status: 503)
            }
            return .json(containerJSON(serial: 1, expiration: clock.now.addingTimeInterval(600)))
        }) { server in
            let chain = AWSCredentialChain(
                environment: ["AWS_CONTAINER_CREDENTIALS_FULL_URI": server.baseURL, "AWS_CONTAINER_AUTHORIZATION_TOKEN": "pod-token"],
                httpClient: .shared, now: { clock.now })
            let first = try await chain.credentials()
            clock.advance(by: 400)  // due for refresh, not expired
            #expect(try await chain.credentials() == first)
            clock.advance(by: 300)  // expired
            let error = await #expect(throws: ObjectStoreError.self) { try await chain.credentials() }
            #expect(error?.kind == .credentials)
            #expect(error?.isRetryable == true)
            #expect(error?.message.contains("container credentials from 127.0.0.1") == true)
            #expect(error?.message.contains("HTTP 503: ServiceUnavailable") == true)
            expectNoSecret(in: error?.message ?? "", secrets: ["pod-token"] + first.secrets)
        }
        #expect(fetches.withLock { $0 } == 3)
    }

    @Test("web identity re-reads the token file at each refresh and posts the role, session name and token to STS")
    func webIdentityRereadsToken() async throws {
        let clock = ManualClock()
        let scratch = try ScratchDirectory()
        defer { scratch.remove() }
        let tokenFile = try scratch.write("token", "token-one\n")
        let forms = Mutex<[[String: String]]>([])
        try await ScriptedHTTPServer.run({ request in
            forms.withLock { $0.append(request.formFields) }
            let expiration = ISO8601DateFormatter().string(from: clock.now.addingTimeInterval(3600))
            return .text("""
                <AssumeRoleWithWebIdentityResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">
                  <AssumeRoleWithWebIdentityResult><Credentials>
                    <AccessKeyId>ASIAWEB</AccessKeyId><SecretAccessKey>web&amp;secret</SecretAccessKey>
                    <SessionToken>web-session</SessionToken><Expiration>\(expiration)</Expiration>
                  </Credentials></AssumeRoleWithWebIdentityResult>
                </AssumeRoleWithWebIdentityResponse>
                """)
        }) { server in
            let chain = AWSCredentialChain(
                environment: [
                    "AWS_ROLE_ARN": "arn:aws:iam::123456789012:role/fraud", "AWS_WEB_IDENTITY_TOKEN_FILE": tokenFile,
                    "AWS_ROLE_SESSION_NAME": "fraud-server", "AWS_ENDPOINT_URL_STS": server.baseURL, "AWS_ENDPOINT_URL": "http://127.0.0.1:1",
                ],
                httpClient: .shared, now: { clock.now })
            let credentials = try await chain.credentials()
            #expect(credentials == AWSCredentials(
                accessKeyID: "ASIAWEB", secretAccessKey: "web&secret", sessionToken: "web-session", expiration: clock.now.addingTimeInterval(3600)))
            try "token-two".write(toFile: tokenFile, atomically: true, encoding: .utf8)
            clock.advance(by: 3400)
            _ = try await chain.credentials()
        }
        let sent = forms.withLock { $0 }
        #expect(sent.map { $0["WebIdentityToken"] } == ["token-one", "token-two"])
        #expect(sent.first?["Action"] == "AssumeRoleWithWebIdentity")
        #expect(sent.first?["RoleArn"] == "arn:aws:iam::123456789012:role/fraud")
        #expect(sent.first?["RoleSessionName"] == "fraud-server")
        #expect(sent.first?["Version"] == "2011-06-15")
    }

    @Test("an STS refusal is reported with its Code and Message, and without the token even when echoed")
    func stsErrorIsExplained() async throws {
        let token = "eyJ-web-identity-\(UUID().uuidString)"
        let scratch = try ScratchDirectory()
        defer { scratch.remove() }
        let tokenFile = try scratch.write("token", token)
        try await ScriptedHTTPServer.run({ _ in
            .text("""
                <ErrorResponse><Error><Type>Sender</Type><Code>InvalidIdentityToken</Code>
                <Message>No OpenIDConnect provider found for token \(token)</Message></Error></ErrorResponse>
                """, status: 400)
        }) { server in
            let chain = AWSCredentialChain(
                environment: ["AWS_ROLE_ARN": "arn:aws:iam::123456789012:role/fraud", "AWS_WEB_IDENTITY_TOKEN_FILE": tokenFile, "AWS_ENDPOINT_URL": server.baseURL],
                httpClient: .shared)
            let error = await #expect(throws: ObjectStoreError.self) { try await chain.credentials() }
            let message = error?.message ?? ""
            #expect(error?.kind == .credentials)
            #expect(error?.isRetryable == false)
            #expect(message.contains("role arn:aws:iam::123456789012:role/fraud"))
            #expect(message.contains("HTTP 400: InvalidIdentityToken: No OpenIDConnect provider found for token <redacted>"))
            expectNoSecret(in: message, secrets: [token])
        }
    }

    @Test("IMDS without a role attached says so")
    func instanceWithoutRole() async throws {
        try await ScriptedHTTPServer.run({ request in
            request.method == "PUT" ? .text("imds-token") : .text("", status: 404)
        }) { server in
            let chain = AWSCredentialChain(environment: ["AWS_EC2_METADATA_SERVICE_ENDPOINT": server.baseURL], httpClient: .shared)
            let error = await #expect(throws: ObjectStoreError.self) { try await chain.credentials() }
            #expect(error?.message.contains("GET /latest/meta-data/iam/security-credentials/ answered HTTP 404") == true)
            expectNoSecret(in: error?.message ?? "", secrets: ["imds-token"])
        }
    }

    @Test("timestamps with any number of fractional digits are read")
    func timestamps() {
        #expect(AWSCredentialHTTP.timestamp("2026-12-07T21:42:56Z") == Date(timeIntervalSince1970: 1_796_679_776))
        let fractional = AWSCredentialHTTP.timestamp("2026-12-07T21:42:56.728527Z")?.timeIntervalSince1970 ?? 0
        #expect(abs(fractional - 1_796_679_776.728527) < 0.000_01)
        #expect(AWSCredentialHTTP.timestamp("tomorrow") == nil)
    }
}
