import AsyncHTTPClient
import Foundation
import HTTPTestSupport
import NIOCore
import Testing

@testable import ObjectStore

@Suite("GCS endpoint, request and response mapping")
struct GCSClientTests {
    @Test(arguments: [
        ([:], "https://storage.googleapis.com", false),
        (["STORAGE_EMULATOR_HOST": ""], "https://storage.googleapis.com", false),
        (["STORAGE_EMULATOR_HOST": "localhost:9023"], "http://localhost:9023", true),
        (["STORAGE_EMULATOR_HOST": "127.0.0.1:4443/"], "http://127.0.0.1:4443", true),
        (["STORAGE_EMULATOR_HOST": "http://gcs-emulator:9023"], "http://gcs-emulator:9023", true),
        (["STORAGE_EMULATOR_HOST": "https://fake-gcs.test:4443/storage/v1/"], "https://fake-gcs.test:4443", true),
        (["STORAGE_EMULATOR_HOST": "http://[::1]:9023"], "http://[::1]:9023", true),
    ] as [([String: String], String, Bool)])
    func theEndpointFollowsStorageEmulatorHostAsGoogleClientsDo(environment: [String: String], base: String, emulator: Bool) throws {
        let endpoint = try GCSEndpoint(environment: environment)
        #expect(endpoint.baseURL == base)
        #expect(endpoint.isEmulator == emulator)
    }

    @Test func aMalformedEmulatorHostIsRejected() {
        #expect(throws: ObjectStoreError.self) { try GCSEndpoint(environment: ["STORAGE_EMULATOR_HOST": "http://"]) }
    }

    @Test func theObjectNameIsFullyPercentEncodedSlashesToo() {
        let url = GCSEndpoint.production.downloadURL(bucket: "models", object: "fraud/v 2/modèle+1.json")
        #expect(url == "https://storage.googleapis.com/storage/v1/b/models/o/fraud%2Fv%202%2Fmod%C3%A8le%2B1.json?alt=media")
    }

    @Test func withTheEmulatorRequestsAreAnonymousAndNeedNoCredentials() async throws {
        // A credentials file that does not exist would fail any token fetch.
        let client = try GCSClient(
            environment: ["STORAGE_EMULATOR_HOST": "localhost:9023", "GOOGLE_APPLICATION_CREDENTIALS": "/nonexistent.json"],
            httpClient: .shared)
        let request = try await client.getRequest(.gcs(bucket: "models", object: "a/b.json"))
        #expect(request.url == "http://localhost:9023/storage/v1/b/models/o/a%2Fb.json?alt=media")
        #expect(request.method == .GET)
        #expect(request.headers["Authorization"].isEmpty)
        #expect(await client.identity() == "anonymous (STORAGE_EMULATOR_HOST)")
    }

    @Test func withCredentialsRequestsCarryTheBearerToken() async throws {
        try await ScriptedHTTPServer.run({ _ in tokenResponse("bearer-token-1") }) { server in
            let client = try GCSClient(environment: ["GCE_METADATA_HOST": server.hostAndPort], httpClient: .shared)
            let request = try await client.getRequest(.gcs(bucket: "models", object: "m.json"))
            #expect(request.url.hasPrefix("https://storage.googleapis.com/storage/v1/b/models/o/m.json"))
            #expect(request.headers["Authorization"] == ["Bearer bearer-token-1"])
        }
    }

    @Test func otherSchemesAreRefused() async throws {
        let client = GCSClient(endpoint: .production, credentials: nil)
        let error = try await #require(throws: ObjectStoreError.self) {
            try await client.getRequest(.s3(bucket: "b", key: "k"))
        }
        #expect(error.kind == .invalidURI)
        #expect(error.message.contains("s3://b/k"))
    }

    @Test func errorDetailIsGCSJSONErrorMessage() {
        let client = GCSClient(endpoint: .production, credentials: nil)
        let denied = #"{"error":{"code":403,"message":"sa@p.iam.gserviceaccount.com does not have storage.objects.get access to the Google Cloud Storage object.","errors":[]}}"#
        #expect(
            client.errorDetail(status: 403, body: ByteBuffer(string: denied))
                == "sa@p.iam.gserviceaccount.com does not have storage.objects.get access to the Google Cloud Storage object.")
        #expect(client.errorDetail(status: 404, body: ByteBuffer(string: "No such object: models/x")) == "No such object: models/x")
        #expect(client.errorDetail(status: 404, body: ByteBuffer()) == nil)
    }

    @Test func accessDeniedNamesTheObjectTheServiceAccountAndGCSMessageButNotTheToken() async throws {
        let seen = RecordedRequests()
        let denial = #"{"error":{"code":403,"message":"reader@p.iam.gserviceaccount.com does not have storage.objects.get access to the Google Cloud Storage object.","errors":[]}}"#
        // One server plays the metadata server and a GCS that refuses everything.
        try await GoogleMetadataServerTests.withMetadataServer({ request in
            seen.record(request)
            switch request.path {
            case GoogleMetadataServerTests.tokenPath: return tokenResponse("storage-bearer-token")
            case GoogleMetadataServerTests.emailPath: return .text("reader@p.iam.gserviceaccount.com")
            default: return .json(denial, status: 403)
            }
        }) { chain, server in
            let client = GCSClient(endpoint: GCSEndpoint(baseURL: server.baseURL, isEmulator: false), credentials: chain)
            let result = await fetchWithDownloader(.gcs(bucket: "models", object: "fraud/v1/model.json"), client: client)
            guard case .failure(let error) = result else {
                Issue.record("the download succeeded")
                return
            }
            #expect(error.kind == .accessDenied)
            #expect(error.message.contains("gs://models/fraud/v1/model.json"), "\(error.message)")
            #expect(error.message.contains("as reader@p.iam.gserviceaccount.com"), "\(error.message)")
            #expect(error.message.contains("does not have storage.objects.get access"), "\(error.message)")
            expectNoSecret(in: error.message, secrets: ["storage-bearer-token"])
            let download = try #require(seen.all.first { $0.path.hasPrefix("/storage/v1/") })
            #expect(download.uri == "/storage/v1/b/models/o/fraud%2Fv1%2Fmodel.json?alt=media")
            #expect(download.header("Authorization") == "Bearer storage-bearer-token")
        }
    }
}
