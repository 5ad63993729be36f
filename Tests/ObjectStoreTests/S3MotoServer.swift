import AsyncHTTPClient
import Foundation
import JSONCore
import Testing

@testable import ObjectStore

/// A moto server (S3, STS, IAM) with signature checking on, prepared by
/// `Fixtures/aws/moto_setup.py`: a user and a role that may read ``readableBucket`` only, the
/// ``objects``, and a session of the role.
///
/// Signature checking: moto verifies SigV4 (with botocore's signer, against the IAM users and
/// STS sessions it knows) once `INITIAL_NO_AUTH_ACTION_COUNT` actions have been served without.
/// The server starts with 0; the setup script lifts that for its own calls and sets it back to 0.
struct S3MotoServer: SuiteEmulator {
    /// The bucket the user and the role may read.
    static let readableBucket = "models"
    /// What the setup uploads: bucket → key → content.
    static let objects: [String: [String: String]] = [
        readableBucket: [
            "fraud/model-v1.onnx": "fraud model v1",
            "dir with space/ünïcødé model+v1 (50%).onnx": "a model under an awkward key",
        ],
        "private-models": ["fraud/model-v1.onnx": "not for this role"],
    ]

    let emulator: EmulatorProcess
    /// The IAM user's long-term key.
    let user: AWSCredentials
    /// A session of the role (`ASIA…`, with a session token).
    let session: AWSCredentials
    /// `arn:aws:iam::123456789012:role/fraud`.
    let roleARN: String

    /// The server of the running suite (see ``EmulatorSuiteTrait``).
    @TaskLocal static var current: S3MotoServer?
    static var suiteInstance: TaskLocal<S3MotoServer?> { $current }

    /// The environment pointing S3 and STS at this server, plus `variables`.
    func environment(_ variables: [String: String] = [:]) -> [String: String] {
        ["AWS_ENDPOINT_URL": emulator.baseURL, "AWS_REGION": "us-east-1", "AWS_EC2_METADATA_DISABLED": "true"].merging(variables) { $1 }
    }

    /// Lets exactly the next action through without a signature, as AWS does for
    /// `AssumeRoleWithWebIdentity` (moto checks every action once checking is on).
    func allowOneUnsignedAction() async throws {
        var request = HTTPClientRequest(url: "\(emulator.baseURL)/moto-api/reset-auth")
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "text/plain")
        request.body = .bytes(.init(string: "1"))
        let response = try await HTTPClient.shared.execute(request, timeout: .seconds(10))
        _ = try await response.body.collect(upTo: 1 << 16)
        #expect(response.status == .ok)
    }

    /// Starts moto, runs the setup script, and runs `body` with the server.
    static func run(_ body: @Sendable (S3MotoServer) async throws -> Void) async throws {
        let venv = try EmulatorProcess.pythonEnvironment(providing: "moto_server")
        let configuration = EmulatorProcess.Configuration(
            executable: "\(venv)/bin/moto_server",
            arguments: { ["-H", "127.0.0.1", "-p", String($0)] },
            environment: ["INITIAL_NO_AUTH_ACTION_COUNT": "0"],
            readinessPath: "/moto-api/"
        )
        try await EmulatorProcess.run(configuration) { emulator in
            let output = try await EmulatorProcess.output(
                of: "\(venv)/bin/python",
                [EmulatorProcess.fixture("aws/moto_setup.py"), emulator.baseURL, EmulatorProcess.manifest(objects), readableBucket])
            let json = try JSONValue(parsing: output)
            func credentials(_ object: JSONValue?) throws -> AWSCredentials {
                let object = try #require(object)
                return AWSCredentials(
                    accessKeyID: try #require(object["accessKeyId"]?.stringValue),
                    secretAccessKey: try #require(object["secretAccessKey"]?.stringValue),
                    sessionToken: object["sessionToken"]?.stringValue,
                    expiration: object["expiration"]?.stringValue.flatMap(AWSCredentialHTTP.timestamp))
            }
            let server = S3MotoServer(
                emulator: emulator, user: try credentials(json["user"]), session: try credentials(json["session"]),
                roleARN: try #require(json["roleArn"]?.stringValue))
            try await body(server)
        }
    }
}

extension Trait where Self == EmulatorSuiteTrait<S3MotoServer> {
    /// A moto server for the suite's tests.
    static var motoServer: Self { Self() }
}
