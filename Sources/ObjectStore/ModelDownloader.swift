import AsyncHTTPClient
import Crypto
import Foundation
#if canImport(Glibc)
import Glibc
#endif
import Logging
import NIOCore

/// A model file on local disk, verified: what ``ModelDownloader/fetch(_:expectedSHA256:)`` returns.
public struct FetchedModel: Sendable, Equatable {
    /// Where it came from.
    public enum Origin: String, Sendable, Equatable {
        /// A `file://` URI: the file itself, not copied.
        case local
        /// The cache directory already held a file with the expected digest.
        case cache
        /// Downloaded by this call.
        case download
    }

    /// The file to parse.
    public let path: String
    /// Its SHA-256, lowercase hex.
    public let sha256: String
    /// Its size in bytes.
    public let bytes: Int64
    public let origin: Origin
    /// Attempts the download took (0 for a local file or a cache hit).
    public let attempts: Int
}

/// Fetches a model file from a storage URI to local disk: streamed to a temporary file under a
/// size limit, with timeouts and bounded retries with back-off, its SHA-256 computed as it
/// arrives and checked *before* anyone parses it.
///
/// With a cache directory, verified files are kept under their digest
/// (`CACHE/sha256/HEX`), and a fetch that names an expected digest already there costs no
/// download: a restarted replica, or the previous version after a rollback, is ready at once.
public struct ModelDownloader: Sendable {
    public let httpClient: HTTPClient
    public let policy: DownloadPolicy
    /// Where downloads land (and, without a cache, stay).
    public let directory: String
    /// Verified files by digest; nil keeps no cache.
    public let cacheDirectory: String?
    let store: @Sendable (ObjectURI) throws(ObjectStoreError) -> any ObjectStoreClient
    let logger: Logger

    /// - Parameters:
    ///   - httpClient: the client requests go through; build it with ``DownloadPolicy/httpClientConfiguration``.
    ///   - store: the client for a URI's scheme (``ObjectStores/client(for:)``).
    public init(
        httpClient: HTTPClient, policy: DownloadPolicy = DownloadPolicy(), directory: String, cacheDirectory: String? = nil,
        logger: Logger, store: @escaping @Sendable (ObjectURI) throws(ObjectStoreError) -> any ObjectStoreClient
    ) {
        self.httpClient = httpClient
        self.policy = policy
        self.directory = directory
        self.cacheDirectory = cacheDirectory
        self.logger = logger
        self.store = store
    }

    /// Fetches `uri`, verified against `expectedSHA256` (lowercase hex) when given.
    /// - Throws: ``ObjectStoreError``: `.checksumMismatch` (never retried), `.notFound`,
    ///   `.accessDenied`, `.tooLarge`, or the last retryable failure once attempts run out.
    public func fetch(_ uri: ObjectURI, expectedSHA256: String?) async throws(ObjectStoreError) -> FetchedModel {
        let expected = expectedSHA256?.lowercased()
        if case .file(let path) = uri {
            let local = try LocalModelFile.verify(path, maxBytes: policy.maxBytes)
            try Self.check(local.sha256, against: expected, uri: uri)
            return FetchedModel(path: path, sha256: local.sha256, bytes: local.bytes, origin: .local, attempts: 0)
        }
        if let expected, let cached = cachedFile(expected) { return cached }
        let client = try store(uri)
        var attempt = 1
        while true {
            do throws(ObjectStoreError) {
                let download = try await downloadOnce(uri, client: client)
                do {
                    try Self.check(download.sha256, against: expected, uri: uri)
                } catch {
                    try? FileManager.default.removeItem(atPath: download.path)
                    throw error
                }
                let path = keep(download.path, sha256: download.sha256)
                return FetchedModel(path: path, sha256: download.sha256, bytes: download.bytes, origin: .download, attempts: attempt)
            } catch where error.isRetryable && attempt < policy.maxAttempts && !Task.isCancelled {
                let pause = policy.backoff(after: attempt)
                logger.warning(
                    "model download failed; retrying",
                    metadata: ["uri": "\(uri)", "attempt": "\(attempt)", "retry_in": "\(pause)", "error": "\(error.message)"])
                try? await Task.sleep(for: pause)
                attempt += 1
            }
        }
    }

    private static func check(_ actual: String, against expected: String?, uri: ObjectURI) throws(ObjectStoreError) {
        guard let expected, expected != actual else { return }
        throw ObjectStoreError(.checksumMismatch, "\(uri) has sha256 \(actual), expected MODEL_SHA256 \(expected)")
    }

    /// One GET: streamed to a temporary file, hashed as it arrives.
    private func downloadOnce(_ uri: ObjectURI, client: any ObjectStoreClient) async throws(ObjectStoreError) -> (path: String, sha256: String, bytes: Int64) {
        let request = try await client.getRequest(uri)
        let response: HTTPClientResponse
        do {
            response = try await httpClient.execute(request, timeout: policy.attemptTimeout.timeAmount)
        } catch {
            throw await Self.transportError(error, uri: uri, client: client, during: "connecting")
        }
        guard response.status == .ok else {
            throw await Self.statusError(response, uri: uri, client: client)
        }
        let declared = response.headers.first(name: "content-length").flatMap { Int64($0) }
        if let declared, declared > policy.maxBytes {
            throw ObjectStoreError(.tooLarge, "\(uri) is \(declared) bytes, more than the limit of \(policy.maxBytes) (MODEL_MAX_BYTES)")
        }
        let path = "\(directory)/.download-\(UUID().uuidString)"
        let descriptor = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else {
            throw ObjectStoreError(.io, "cannot create \(path) for \(uri): \(String(cString: strerror(errno))) (MODEL_CACHE_DIR must be writable)")
        }
        let file = FileHandle(fileDescriptor: descriptor, closeOnDealloc: true)
        var hasher = SHA256()
        var received: Int64 = 0
        do throws(ObjectStoreError) {
            defer { try? file.close() }
            do {
                for try await chunk in response.body {
                    received += Int64(chunk.readableBytes)
                    if received > policy.maxBytes {
                        throw ObjectStoreError(.tooLarge, "\(uri) is more than the limit of \(policy.maxBytes) bytes (MODEL_MAX_BYTES)")
                    }
                    chunk.withUnsafeReadableBytes { hasher.update(bufferPointer: $0) }
                    do { try chunk.withUnsafeReadableBytes { try file.write(contentsOf: $0) } } catch {
                        throw ObjectStoreError(.io, "cannot write \(path) for \(uri): \(error)")
                    }
                }
            } catch let error as ObjectStoreError {
                throw error
            } catch {
                let failure = await Self.transportError(error, uri: uri, client: client, during: "after \(received) bytes")
                // Anything but a timeout once the body flows (a reset, an early EOF) cut the download short.
                throw failure.kind == .timeout ? failure : ObjectStoreError(.truncated, failure.message)
            }
            if let declared, received != declared {
                throw ObjectStoreError(.truncated, "\(uri) ended after \(received) of \(declared) bytes")
            }
        } catch {
            try? FileManager.default.removeItem(atPath: path)
            throw error
        }
        return (path, hasher.finalize().hexString, received)
    }

    private static func statusError(_ response: HTTPClientResponse, uri: ObjectURI, client: any ObjectStoreClient) async -> ObjectStoreError {
        var body = ByteBuffer()
        do {
            for try await var chunk in response.body where body.readableBytes < 65_536 {
                body.writeBuffer(&chunk)
            }
        } catch {}
        let status = Int(response.status.code)
        let detail = client.errorDetail(status: status, body: body).map { ": \($0)" } ?? ""
        let identity = await client.identity()
        let what = "GET \(uri) as \(identity): HTTP \(status)\(detail)"
        // The store's reading of its error body first: S3 answers a bad session token with 400.
        switch client.failureKind(status: status, body: body) ?? statusKind(status) {
        case .notFound: return ObjectStoreError(.notFound, "\(what) (no such object or bucket)")
        case .accessDenied: return ObjectStoreError(.accessDenied, "\(what) (access denied)")
        case let kind: return ObjectStoreError(kind, what)
        }
    }

    /// The kind of a failed response by its status alone (only `.unavailable` is retried).
    private static func statusKind(_ status: Int) -> ObjectStoreError.Kind {
        switch status {
        case 404: .notFound
        case 401, 403: .accessDenied
        case 408, 429, 500...599: .unavailable
        default: .io
        }
    }

    private static func transportError(_ error: any Error, uri: ObjectURI, client: any ObjectStoreClient, during: String) async -> ObjectStoreError {
        if let error = error as? ObjectStoreError { return error }
        let identity = await client.identity()
        let what = "GET \(uri) as \(identity) failed \(during)"
        if let error = error as? HTTPClientError {
            switch error {
            case .readTimeout, .connectTimeout, .deadlineExceeded, .tlsHandshakeTimeout, .getConnectionFromPoolTimeout:
                return ObjectStoreError(.timeout, "\(what): \(error)")
            case .remoteConnectionClosed, .bodyLengthMismatch:
                return ObjectStoreError(.truncated, "\(what): the connection closed early (\(error))")
            case .invalidURL, .emptyHost, .emptyScheme:
                return ObjectStoreError(.invalidURI, "\(what): \(error)")
            default:
                return ObjectStoreError(.unavailable, "\(what): \(error)", retryable: true)
            }
        }
        return ObjectStoreError(.unavailable, "\(what): \(error)", retryable: true)
    }

    // MARK: - cache

    private func cachedFile(_ sha256: String) -> FetchedModel? {
        guard let cacheDirectory else { return nil }
        let path = "\(cacheDirectory)/sha256/\(sha256)"
        guard FileManager.default.fileExists(atPath: path) else { return nil }
        // A cached file is verified again: a disk may rot, and a stale entry must never load.
        guard let local = try? LocalModelFile.verify(path, maxBytes: policy.maxBytes), local.sha256 == sha256 else {
            logger.warning("cached model does not match its digest; downloading again", metadata: ["path": "\(path)"])
            try? FileManager.default.removeItem(atPath: path)
            return nil
        }
        return FetchedModel(path: path, sha256: sha256, bytes: local.bytes, origin: .cache, attempts: 0)
    }

    /// Moves a verified download into the cache (renamed, so readers never see half a file).
    private func keep(_ path: String, sha256: String) -> String {
        guard let cacheDirectory else { return path }
        let folder = "\(cacheDirectory)/sha256"
        let target = "\(folder)/\(sha256)"
        do {
            try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
            if rename(path, target) == 0 { return target }
        } catch {}
        logger.warning("could not keep the model in the cache", metadata: ["cache": "\(cacheDirectory)"])
        return path
    }
}

extension SHA256.Digest {
    /// Lowercase hex.
    var hexString: String {
        map { byte in byte < 16 ? "0" + String(byte, radix: 16) : String(byte, radix: 16) }.joined()
    }
}
