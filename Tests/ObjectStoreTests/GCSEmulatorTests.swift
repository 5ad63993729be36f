import AsyncHTTPClient
import Crypto
import Foundation
import Logging
import Testing

@testable import ObjectStore

@Suite("GCS downloads from gcp-storage-emulator", .gcsEmulator)
struct GCSEmulatorTests {
    static func emulator() throws -> GCSEmulator { try #require(GCSEmulator.current) }

    @Test func objectNamesWithSlashesSpacesAndUnicodeDownloadIntact() async throws {
        let emulator = try Self.emulator()
        let client = try GCSClient(environment: emulator.environment(), httpClient: .shared)
        for (bucket, objects) in GCSEmulator.objects {
            for (name, content) in objects {
                let request = try await client.getRequest(.gcs(bucket: bucket, object: name))
                let response = try await HTTPClient.shared.execute(request, timeout: .seconds(30))
                let body = try await response.body.collect(upTo: 1 << 20)
                #expect(response.status == .ok, "gs://\(bucket)/\(name)")
                #expect(String(buffer: body) == content, "gs://\(bucket)/\(name)")
            }
        }
    }

    @Test func theDownloaderFetchesAGSURIAndChecksItsDigest() async throws {
        let emulator = try Self.emulator()
        let name = "dir with space/ünïcødé model+v1 (50%).json"
        let content = try #require(GCSEmulator.objects["models"]?[name])
        let digest = SHA256.hash(data: Array(content.utf8)).map { String(format: "%02x", $0) }.joined()
        let uri = try ObjectURI(parsing: "gs://models/\(name)")
        let fetched = try await fetchWithDownloader(uri, client: try GCSClient(environment: emulator.environment()), expectedSHA256: digest).get()
        #expect(fetched.content == Array(content.utf8))
        #expect(fetched.model.sha256 == digest)
    }

    @Test(arguments: ["gs://models/fraud/v9/missing.json", "gs://no-such-bucket/fraud/v1/model.json"])
    func aMissingObjectOrBucketIsNotFoundNamingItAndTheIdentity(_ text: String) async throws {
        let emulator = try Self.emulator()
        let uri = try ObjectURI(parsing: text)
        let result = await fetchWithDownloader(uri, client: try GCSClient(environment: emulator.environment()))
        guard case .failure(let error) = result else {
            Issue.record("\(text) was downloaded")
            return
        }
        #expect(error.kind == .notFound)
        #expect(error.message.contains(text), "\(error.message)")
        #expect(error.message.contains("anonymous (STORAGE_EMULATOR_HOST)"), "\(error.message)")
    }
}

/// Fetches `uri` with a ``ModelDownloader`` over `client` (one attempt), returning the file's
/// content, in a scratch directory removed afterwards.
func fetchWithDownloader(
    _ uri: ObjectURI, client: GCSClient, expectedSHA256: String? = nil
) async -> Result<(model: FetchedModel, content: [UInt8]), ObjectStoreError> {
    let directory = NSTemporaryDirectory() + "gcs-downloads-\(UUID().uuidString)"
    try? FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(atPath: directory) }
    let downloader = ModelDownloader(
        httpClient: .shared, policy: DownloadPolicy(maxAttempts: 1), directory: directory,
        logger: Logger(label: "gcs-test"), store: { _ in client })
    do throws(ObjectStoreError) {
        let model = try await downloader.fetch(uri, expectedSHA256: expectedSHA256)
        let content = FileManager.default.contents(atPath: model.path).map(Array.init) ?? []
        return .success((model, content))
    } catch {
        return .failure(error)
    }
}
