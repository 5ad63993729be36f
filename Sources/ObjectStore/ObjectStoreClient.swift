import AsyncHTTPClient
import NIOCore

/// A store that can hand out an authorized GET for one of its objects.
///
/// The downloader (``ModelDownloader``) executes the request, streams the body, and maps the
/// response status to an ``ObjectStoreError`` naming the ``ObjectURI`` and ``identity()``,
/// with the store's own explanation from ``errorDetail(status:body:)``.
public protocol ObjectStoreClient: Sendable {
    /// The signed or authorized GET of the object, built afresh for each attempt (credentials
    /// are fetched or refreshed here as needed).
    /// - Throws: ``ObjectStoreError`` (`.credentials`) when no credentials could be obtained.
    func getRequest(_ uri: ObjectURI) async throws(ObjectStoreError) -> HTTPClientRequest

    /// Who requests are made as — a role ARN, a service account, "anonymous" — for error
    /// messages and logs. Never a secret.
    func identity() async -> String

    /// The store's own words for a failed response (S3's XML `Code: Message`, GCS's JSON
    /// `error.message`), or nil. `body` is at most the first 64 KiB.
    func errorDetail(status: Int, body: ByteBuffer) -> String?
}

extension ObjectStoreClient {
    public func errorDetail(status: Int, body: ByteBuffer) -> String? { nil }
}
