import AsyncHTTPClient
import Crypto
import Foundation
import HTTPTestSupport
import Logging
import ObjectStore
import Testing

/// The generic download path: streaming, size limit, timeouts, retries, checksum before use, cache.
@Suite("model downloads: limits, retries, checksum, cache")
struct ModelDownloaderTests {
    static let model = Array((0..<300_000).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ 7) })
    static let digest = SHA256.hash(data: model).map { String(format: "%02x", $0) }.joined()

    /// Fast retries so the tests spend their time on behaviour, not back-off.
    static let policy = DownloadPolicy(
        maxBytes: 1_000_000, connectTimeout: .seconds(10), readTimeout: .seconds(20), attemptTimeout: .seconds(60),
        maxAttempts: 3, initialBackoff: .milliseconds(20), maxBackoff: .milliseconds(50))

    /// A fresh directory (and cache) per test, removed at the end.
    static func withDownloader<T: Sendable>(
        policy: DownloadPolicy = policy, cache: Bool = false, _ body: @Sendable (ModelDownloader, String) async throws -> T
    ) async throws -> T {
        let directory = NSTemporaryDirectory() + "downloads-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let client = HTTPClient(eventLoopGroupProvider: .singleton, configuration: policy.httpClientConfiguration)
        let downloader = ModelDownloader(
            httpClient: client, policy: policy, directory: directory, cacheDirectory: cache ? directory + "/cache" : nil,
            logger: Logger(label: "test"), store: { _ in HTTPObjectClient() })
        do {
            let result = try await body(downloader, directory)
            try await client.shutdown()
            try? FileManager.default.removeItem(atPath: directory)
            return result
        } catch {
            try? await client.shutdown()
            try? FileManager.default.removeItem(atPath: directory)
            throw error
        }
    }

    static func uri(_ server: ScriptedHTTPServer, _ path: String = "/models/model.json") throws -> ObjectURI {
        try ObjectURI(parsing: server.baseURL + path)
    }

    /// Files left in `directory` besides the cache: a failed download must leave none.
    static func leftovers(_ directory: String) -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []).filter { $0 != "cache" }
    }

    @Test("a download streams to disk, hashed as it arrives, and matches the expected digest")
    func downloadsAndVerifies() async throws {
        try await ScriptedHTTPServer.run({ _ in .init(body: Self.model, chunkSize: 7_000) }) { server in
            try await Self.withDownloader { downloader, _ in
                let fetched = try await downloader.fetch(Self.uri(server), expectedSHA256: Self.digest.uppercased())
                #expect(fetched.sha256 == Self.digest)
                #expect(fetched.bytes == Int64(Self.model.count))
                #expect(fetched.origin == .download && fetched.attempts == 1)
                #expect(try Data(contentsOf: URL(fileURLWithPath: fetched.path)) == Data(Self.model))
            }
        }
    }

    @Test("a wrong checksum fails at once, without retry, and leaves no file behind")
    func wrongChecksum() async throws {
        try await ScriptedHTTPServer.run({ _ in .init(body: Self.model) }) { server in
            try await Self.withDownloader { downloader, directory in
                let wrong = String(repeating: "ab", count: 32)
                let error = await #expect(throws: ObjectStoreError.self) { try await downloader.fetch(Self.uri(server), expectedSHA256: wrong) }
                #expect(error?.kind == .checksumMismatch)
                #expect(error?.message.contains(Self.digest) == true && error?.message.contains(wrong) == true)
                #expect(server.requestCount == 1)
                #expect(Self.leftovers(directory).isEmpty)
            }
        }
    }

    @Test("404 and 403 are final and name the object and the identity; 503 is retried")
    func statusMapping() async throws {
        try await ScriptedHTTPServer.run({ request in
            switch request.uri {
            case "/missing": .init(status: 404, body: Array("no such key".utf8))
            case "/denied": .init(status: 403)
            default: request.number <= 3 ? .init(status: 503) : .init(body: Self.model)
            }
        }) { server in
            try await Self.withDownloader { downloader, _ in
                let missing = await #expect(throws: ObjectStoreError.self) { try await downloader.fetch(Self.uri(server, "/missing"), expectedSHA256: nil) }
                #expect(missing?.kind == .notFound)
                #expect(missing?.message.contains("\(server.baseURL)/missing") == true && missing?.message.contains("anonymous") == true)
                let denied = await #expect(throws: ObjectStoreError.self) { try await downloader.fetch(Self.uri(server, "/denied"), expectedSHA256: nil) }
                #expect(denied?.kind == .accessDenied)
                #expect(server.requestCount == 2, "neither was retried")
                // Request 3 answers 503, request 4 the model.
                let fetched = try await downloader.fetch(Self.uri(server, "/flaky"), expectedSHA256: Self.digest)
                #expect(fetched.attempts == 2)
            }
        }
    }

    @Test("a download cut short is retried; when every attempt is cut, the error says so")
    func truncated() async throws {
        try await ScriptedHTTPServer.run({ request in
            request.uri == "/always-cut" || request.number == 1
                ? .init(body: Array(Self.model.prefix(1000)), declaredLength: Self.model.count)
                : .init(body: Self.model)
        }) { server in
            try await Self.withDownloader { downloader, directory in
                let fetched = try await downloader.fetch(Self.uri(server), expectedSHA256: Self.digest)
                #expect(fetched.attempts == 2)
                let error = await #expect(throws: ObjectStoreError.self) { try await downloader.fetch(Self.uri(server, "/always-cut"), expectedSHA256: nil) }
                #expect(error?.kind == .truncated, "\(error?.message ?? "")")
                #expect(server.requestCount == 2 + Self.policy.maxAttempts)
                #expect(Self.leftovers(directory).count == 1, "only the good download: \(Self.leftovers(directory))")
            }
        }
    }

    @Test("a body over the limit fails without retry, whether declared or chunked")
    func tooLarge() async throws {
        let big = [UInt8](repeating: 1, count: 1_200_000)
        try await ScriptedHTTPServer.run({ request in .init(body: big, chunked: request.uri == "/chunked") }) { server in
            try await Self.withDownloader { downloader, directory in
                for path in ["/declared", "/chunked"] {
                    let error = await #expect(throws: ObjectStoreError.self) { try await downloader.fetch(Self.uri(server, path), expectedSHA256: nil) }
                    #expect(error?.kind == .tooLarge, "\(path)")
                    #expect(error?.message.contains("1000000") == true)
                }
                #expect(server.requestCount == 2)
                #expect(Self.leftovers(directory).isEmpty)
            }
        }
    }

    @Test("a server that goes silent times out and is retried; a slow but steady one completes")
    func slowServers() async throws {
        try await ScriptedHTTPServer.run({ request in
            switch request.uri {
            case "/silent": .init(body: Self.model, delayBeforeHeaders: .seconds(120))
            default: .init(body: Self.model, chunkSize: 30_000, delayBetweenChunks: .milliseconds(100))
            }
        }) { server in
            try await Self.withDownloader { downloader, _ in
                let steady = try await downloader.fetch(Self.uri(server, "/steady"), expectedSHA256: Self.digest)
                #expect(steady.attempts == 1, "each pause is shorter than the read timeout")
            }
            let impatient = {
                var policy = Self.policy
                policy.readTimeout = .seconds(1)
                return policy
            }()
            try await Self.withDownloader(policy: impatient) { downloader, _ in
                let error = await #expect(throws: ObjectStoreError.self) { try await downloader.fetch(Self.uri(server, "/silent"), expectedSHA256: nil) }
                #expect(error?.kind == .timeout)
                #expect(server.requestCount == 1 + impatient.maxAttempts)
            }
        }
    }

    @Test("the cache serves a known digest without a download, and a rotten entry is fetched again")
    func cache() async throws {
        try await ScriptedHTTPServer.run({ _ in .init(body: Self.model) }) { server in
            try await Self.withDownloader(cache: true) { downloader, directory in
                let first = try await downloader.fetch(Self.uri(server), expectedSHA256: Self.digest)
                #expect(first.origin == .download && first.path == "\(directory)/cache/sha256/\(Self.digest)")
                let second = try await downloader.fetch(Self.uri(server), expectedSHA256: Self.digest)
                #expect(second.origin == .cache && server.requestCount == 1)
                try Data("rotten".utf8).write(to: URL(fileURLWithPath: first.path))
                let third = try await downloader.fetch(Self.uri(server), expectedSHA256: Self.digest)
                #expect(third.origin == .download && server.requestCount == 2)
                #expect(try Data(contentsOf: URL(fileURLWithPath: third.path)) == Data(Self.model))
            }
        }
    }

    @Test("file:// is read in place and verified; a presigned URL's query never reaches an error")
    func localFilesAndRedaction() async throws {
        try await Self.withDownloader { downloader, directory in
            let path = directory + "/model bin"
            try Data(Self.model).write(to: URL(fileURLWithPath: path))
            let local = try await downloader.fetch(ObjectURI(parsing: "file://" + path), expectedSHA256: Self.digest)
            #expect(local.origin == .local && local.path == path)
            let wrong = await #expect(throws: ObjectStoreError.self) {
                try await downloader.fetch(ObjectURI(parsing: "file://" + path), expectedSHA256: String(repeating: "0", count: 64))
            }
            #expect(wrong?.kind == .checksumMismatch)
        }
        try await ScriptedHTTPServer.run({ _ in .init(status: 403) }) { server in
            try await Self.withDownloader { downloader, _ in
                let secret = "X-Amz-Signature=deadbeefcafe"
                let error = await #expect(throws: ObjectStoreError.self) {
                    try await downloader.fetch(ObjectURI(parsing: "\(server.baseURL)/m.json?\(secret)"), expectedSHA256: nil)
                }
                #expect(error?.kind == .accessDenied)
                #expect(error?.message.contains("deadbeef") == false, "\(error?.message ?? "")")
            }
        }
    }

    @Test("storage URIs: every scheme parses; mistakes are named")
    func uris() throws {
        #expect(try ObjectURI(parsing: "s3://fraud-models/a/b/model.json") == .s3(bucket: "fraud-models", key: "a/b/model.json"))
        #expect(try ObjectURI(parsing: "gs://fraud-models/m.txt") == .gcs(bucket: "fraud-models", object: "m.txt"))
        #expect(try ObjectURI(parsing: "file:///models/m.json") == .file(path: "/models/m.json"))
        for (text, words) in [
            ("s3://bucket", "no object key"), ("gs:///key", "bucket name is empty"), ("s3://bucket/", "key is empty"),
            ("ftp://host/x", "unsupported scheme 'ftp'"), ("file://relative/x", "absolute path"), ("models/m.json", "expected s3://"),
            ("s3://bad bucket/key", "not a bucket name"),
        ] {
            #expect(throws: ObjectStoreError.self, "\(text)") { try ObjectURI(parsing: text) }
            do { _ = try ObjectURI(parsing: text) } catch { #expect(error.message.contains(words), "\(text): \(error.message)") }
        }
    }
}
