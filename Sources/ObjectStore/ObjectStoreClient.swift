import AsyncHTTPClient
import NIOCore

/// A store that can hand out an authorized GET for one of its objects.
///
/// The downloader (``ModelDownloader``) executes the request, streams the body, and maps a
/// failed response to an ``ObjectStoreError`` naming the ``ObjectURI`` and ``identity()``, with
/// the store's own explanation from ``errorDetail(status:body:)``: its kind is the store's
/// ``failureKind(status:body:)``, else follows the status (404 `.notFound`, 401 and 403
/// `.accessDenied`, 408, 429 and 5xx `.unavailable`, anything else `.io`).
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

    /// What kind of failure a response is, where the store's error body says more than its
    /// status (S3 answers an expired session token with 400 `ExpiredToken`, a credential problem
    /// that no retry will cure), or nil to let the status decide. `body` is at most the first
    /// 64 KiB. Defaults to nil.
    func failureKind(status: Int, body: ByteBuffer) -> ObjectStoreError.Kind?
}

extension ObjectStoreClient {
    /// No explanation: the downloader reports the status alone.
    public func errorDetail(status: Int, body: ByteBuffer) -> String? { nil }

    /// nil: the downloader maps the status.
    public func failureKind(status: Int, body: ByteBuffer) -> ObjectStoreError.Kind? { nil }
}
