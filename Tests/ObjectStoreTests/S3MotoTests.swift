import AsyncHTTPClient
import Foundation
import HTTPTestSupport
import Logging
import Synchronization
import Testing

@testable import ObjectStore

/// S3Client and AWSCredentialChain against moto (S3, STS, IAM) checking every signature, through
/// the real download path (``ModelDownloader``). Serialized: one test lets an unsigned STS call
/// through, which must not be spent by another.
@Suite("S3 against moto with signature checking", .serialized, .motoServer)
struct S3MotoTests {
    let moto: S3MotoServer
    let model = "s3://\(S3MotoServer.readableBucket)/fraud/model-v1.onnx"

    init() throws {
        moto = try #require(S3MotoServer.current)
    }

    @Test("long-term keys from the environment sign a GET that moto accepts")
    func staticKeys() async throws {
        let environment = moto.environment(["AWS_ACCESS_KEY_ID": moto.user.accessKeyID, "AWS_SECRET_ACCESS_KEY": moto.user.secretAccessKey])
        #expect(try await fetch(model, environment) == "fraud model v1")
    }

    @Test("a wrong secret is access denied (SignatureDoesNotMatch), naming the object and identity, not the secret")
    func wrongSecret() async throws {
        let wrongSecret = "wrong/\(UUID().uuidString)"
        let environment = moto.environment(["AWS_ACCESS_KEY_ID": moto.user.accessKeyID, "AWS_SECRET_ACCESS_KEY": wrongSecret])
        let error = try await fetchError(model, environment)
        #expect(error.kind == .accessDenied)
        #expect(error.message.contains(model))
        #expect(error.message.contains("static keys from AWS_ACCESS_KEY_ID"))
        #expect(error.message.contains("SignatureDoesNotMatch"))
        expectNoSecret(in: error.message, secrets: [wrongSecret, moto.user.secretAccessKey])
    }

    @Test("a session token from AWS_SESSION_TOKEN is sent and signed; a wrong one is access denied (InvalidToken) without being quoted")
    func sessionToken() async throws {
        let session = moto.session
        var environment = moto.environment([
            "AWS_ACCESS_KEY_ID": session.accessKeyID, "AWS_SECRET_ACCESS_KEY": session.secretAccessKey, "AWS_SESSION_TOKEN": try #require(session.sessionToken),
        ])
        #expect(try await fetch(model, environment) == "fraud model v1")

        environment["AWS_SESSION_TOKEN"] = "tampered-\(UUID().uuidString)"
        let error = try await fetchError(model, environment)
        // S3 answers 400 InvalidToken: a credential problem (S3Client.failureKind), not an I/O error.
        #expect(error.kind == .accessDenied)
        #expect(error.message.contains("HTTP 400: InvalidToken"))
        #expect(!error.isRetryable)
        expectNoSecret(in: error.message, secrets: session.secrets + [environment["AWS_SESSION_TOKEN"]!])
    }

    @Test("web identity: the token file is exchanged at moto's STS for the role, whose credentials moto accepts")
    func webIdentity() async throws {
        let scratch = try ScratchDirectory()
        defer { scratch.remove() }
        let tokenFile = try scratch.write("token", "eyJhbGciOiJSUzI1NiJ9.web-identity-\(UUID().uuidString)")
        let environment = moto.environment([
            "AWS_ROLE_ARN": moto.roleARN, "AWS_WEB_IDENTITY_TOKEN_FILE": tokenFile, "AWS_ROLE_SESSION_NAME": "fraud-server",
        ])
        let chain = AWSCredentialChain(environment: environment, httpClient: .shared)
        try await moto.allowOneUnsignedAction()

        #expect(try await fetch(model, environment, chain: chain) == "fraud model v1")
        let credentials = try await chain.credentials()
        #expect(credentials.accessKeyID.hasPrefix("ASIA"))
        #expect(credentials.sessionToken != nil && credentials.expiration != nil)
        #expect(await chain.identity() == "role arn:aws:iam::123456789012:role/fraud (web identity)")
    }

    @Test("container credentials (EKS Pod Identity style): the token file is sent as Authorization")
    func containerCredentials() async throws {
        let token = "pod-identity-\(UUID().uuidString)"
        let scratch = try ScratchDirectory()
        defer { scratch.remove() }
        let tokenFile = try scratch.write("token", token + "\n")
        let seen = Mutex<[String?]>([])
        let json = try sessionJSON()
        try await ScriptedHTTPServer.run({ request in
            seen.withLock { $0.append(request.header("Authorization")) }
            guard request.path == "/v1/credentials", request.header("Authorization") == token else {
                return .json(#"{"code":"AccessDeniedException","message":"bad token"}"#, status: 401)
            }
            return .json(json)
        }) { server in
            let environment = moto.environment([
                "AWS_CONTAINER_CREDENTIALS_FULL_URI": "\(server.baseURL)/v1/credentials", "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE": tokenFile,
            ])
            let chain = AWSCredentialChain(environment: environment, httpClient: .shared)
            let content = try await fetch(model, environment, chain: chain)
            #expect(content == "fraud model v1")
            let identity = await chain.identity()
            #expect(identity == "container credentials from 127.0.0.1")
        }
        #expect(seen.withLock { $0 } == [token])
    }

    @Test("IMDSv2: a session token is PUT for, then sent with the role and credential requests")
    func instanceMetadata() async throws {
        let imdsToken = "imds-\(UUID().uuidString)"
        let json = try sessionJSON()
        let seen = Mutex<[String]>([])
        try await ScriptedHTTPServer.run({ request in
            seen.withLock { $0.append("\(request.method) \(request.path)") }
            if request.method == "PUT", request.path == "/latest/api/token", request.header("X-aws-ec2-metadata-token-ttl-seconds") != nil {
                return .text(imdsToken)
            }
            guard request.method == "GET", request.header("X-aws-ec2-metadata-token") == imdsToken else { return .text("", status: 401) }
            switch request.path {
            case "/latest/meta-data/iam/security-credentials/": return .text("fraud-node\n")
            case "/latest/meta-data/iam/security-credentials/fraud-node": return .json(json)
            default: return .text("", status: 404)
            }
        }) { server in
            var environment = moto.environment(["AWS_EC2_METADATA_SERVICE_ENDPOINT": server.baseURL + "/"])
            environment["AWS_EC2_METADATA_DISABLED"] = nil
            let chain = AWSCredentialChain(environment: environment, httpClient: .shared)
            let before = await chain.identity()
            #expect(before == "instance role (IMDSv2 at \(server.baseURL))")
            let content = try await fetch(model, environment, chain: chain)
            #expect(content == "fraud model v1")
            let after = await chain.identity()
            #expect(after == "instance role fraud-node (IMDSv2)")
        }
        #expect(seen.withLock { $0 } == [
            "PUT /latest/api/token", "GET /latest/meta-data/iam/security-credentials/", "GET /latest/meta-data/iam/security-credentials/fraud-node",
        ])
    }

    @Test("a missing key is not found (404 NoSuchKey), naming the object and identity")
    func missingObject() async throws {
        let environment = moto.environment(["AWS_ACCESS_KEY_ID": moto.user.accessKeyID, "AWS_SECRET_ACCESS_KEY": moto.user.secretAccessKey])
        let uri = "s3://\(S3MotoServer.readableBucket)/fraud/no-such-model.onnx"
        let error = try await fetchError(uri, environment)
        #expect(error.kind == .notFound)
        #expect(error.message.contains(uri))
        #expect(error.message.contains("static keys from AWS_ACCESS_KEY_ID"))
        #expect(error.message.contains("NoSuchKey"))
        expectNoSecret(in: error.message, secrets: [moto.user.secretAccessKey])
    }

    @Test("keys with spaces, non-ASCII letters, '+', '%' and parentheses are encoded once and signed as sent")
    func awkwardKeys() async throws {
        let environment = moto.environment(["AWS_ACCESS_KEY_ID": moto.user.accessKeyID, "AWS_SECRET_ACCESS_KEY": moto.user.secretAccessKey])
        let uri = "s3://\(S3MotoServer.readableBucket)/dir with space/ünïcødé model+v1 (50%).onnx"
        #expect(try await fetch(uri, environment) == "a model under an awkward key")
    }

    @Test("a bucket outside the user's policy is access denied (AccessDenied)")
    func bucketOutsidePolicy() async throws {
        let environment = moto.environment(["AWS_ACCESS_KEY_ID": moto.user.accessKeyID, "AWS_SECRET_ACCESS_KEY": moto.user.secretAccessKey])
        let error = try await fetchError("s3://private-models/fraud/model-v1.onnx", environment)
        #expect(error.kind == .accessDenied)
        #expect(error.message.contains("AccessDenied"))
    }

    // MARK: - Helpers

    /// Downloads `uri` in one attempt with an ``S3Client`` configured by `environment`, and returns its content.
    private func fetch(_ uri: String, _ environment: [String: String], chain: AWSCredentialChain? = nil) async throws -> String {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("s3-moto-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let client = try S3Client(environment: environment, credentials: chain ?? AWSCredentialChain(environment: environment, httpClient: .shared))
        let downloader = ModelDownloader(
            httpClient: .shared, policy: DownloadPolicy(maxAttempts: 1), directory: directory, logger: Logger(label: "S3MotoTests"),
            store: { _ in client })
        let fetched = try await downloader.fetch(try ObjectURI(parsing: uri), expectedSHA256: nil)
        return try String(contentsOfFile: fetched.path, encoding: .utf8)
    }

    /// The error of downloading `uri`, which must fail.
    private func fetchError(_ uri: String, _ environment: [String: String]) async throws -> ObjectStoreError {
        let error = await #expect(throws: ObjectStoreError.self) { _ = try await fetch(uri, environment) }
        return try #require(error)
    }

    /// The role session as a container endpoint or IMDS serves it.
    private func sessionJSON() throws -> String {
        let session = moto.session
        let expiration = ISO8601DateFormatter().string(from: try #require(session.expiration))
        return #"{"Code":"Success","Type":"AWS-HMAC","AccessKeyId":"\#(session.accessKeyID)","SecretAccessKey":"\#(session.secretAccessKey)","Token":"\#(session.sessionToken ?? "")","Expiration":"\#(expiration)"}"#
    }
}
