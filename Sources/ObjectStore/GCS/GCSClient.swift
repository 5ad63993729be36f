import AsyncHTTPClient
import Foundation
import NIOCore

/// Google Cloud Storage through the JSON API's media download,
/// `GET {base}/storage/v1/b/BUCKET/o/OBJECT?alt=media`, without a Google SDK.
///
/// The downloader maps a failed response to ``ObjectStoreError`` (404 → `.notFound`, 401 and
/// 403 → `.accessDenied`, naming the object and ``identity()``), with ``errorDetail(status:body:)``.
///
/// Requests carry a bearer token from a ``GoogleCredentialChain``, or none when the endpoint is
/// an emulator (`STORAGE_EMULATOR_HOST`), as in Google's client libraries.
public struct GCSClient: ObjectStoreClient {
    /// Where requests go.
    public let endpoint: GCSEndpoint
    /// Where tokens come from; nil: anonymous requests.
    public let credentials: GoogleCredentialChain?

    /// A client for `endpoint` authorized by `credentials` (nil: anonymous).
    public init(endpoint: GCSEndpoint, credentials: GoogleCredentialChain?) {
        self.endpoint = endpoint
        self.credentials = credentials
    }

    /// The client `environment` configures: the emulator at `STORAGE_EMULATOR_HOST`, anonymously,
    /// when that is set; else `https://storage.googleapis.com` with a ``GoogleCredentialChain``
    /// reading `environment` and fetching tokens with `httpClient`.
    /// - Throws: ``ObjectStoreError`` (`.invalidURI`) when `STORAGE_EMULATOR_HOST` is malformed.
    public init(environment: [String: String] = ProcessInfo.processInfo.environment, httpClient: HTTPClient = .shared) throws(ObjectStoreError) {
        let endpoint = try GCSEndpoint(environment: environment)
        self.init(
            endpoint: endpoint,
            credentials: endpoint.isEmulator ? nil : GoogleCredentialChain(environment: environment, httpClient: httpClient)
        )
    }

    /// The authorized media download of a `gs://` object.
    /// - Throws: ``ObjectStoreError``: `.invalidURI` for a URI that is not `gs://`; `.credentials`
    ///   when no token could be obtained.
    public func getRequest(_ uri: ObjectURI) async throws(ObjectStoreError) -> HTTPClientRequest {
        guard case .gcs(let bucket, let object) = uri else {
            throw ObjectStoreError(.invalidURI, "the Google Cloud Storage client cannot fetch '\(uri)': expected gs://BUCKET/OBJECT")
        }
        var request = HTTPClientRequest(url: endpoint.downloadURL(bucket: bucket, object: object))
        if let credentials {
            request.headers.add(name: "Authorization", value: "Bearer \(try await credentials.accessToken())")
        }
        return request
    }

    /// The credential chain's identity, or "anonymous (STORAGE_EMULATOR_HOST)" / "anonymous".
    public func identity() async -> String {
        if let credentials { return await credentials.identity() }
        return endpoint.isEmulator ? "anonymous (STORAGE_EMULATOR_HOST)" : "anonymous"
    }

    /// GCS's own words for a failed download: the JSON API's `error.message` (or OAuth's
    /// `error: error_description`, or the start of a text body), nil when the body says nothing.
    public func errorDetail(status: Int, body: ByteBuffer) -> String? {
        let reason = GoogleTokenExchange.serverReason(Array(buffer: body))
        return reason.isEmpty ? nil : reason
    }
}
