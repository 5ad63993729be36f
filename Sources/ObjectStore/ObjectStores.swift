import AsyncHTTPClient

/// The client for each kind of storage URI, configured from the environment the way the
/// clouds' SDKs read it (credential chains, endpoints, emulators).
///
/// Each cloud's client is made once, so its credentials are cached across downloads; nothing
/// is fetched until a URI of that cloud is. A variable that cannot be used (an endpoint that
/// is not a URL) is reported when a URI needs it, not before.
public struct ObjectStores: Sendable {
    let http = HTTPObjectClient()
    let s3: Result<S3Client, ObjectStoreError>
    let gcs: Result<GCSClient, ObjectStoreError>

    /// - Parameters:
    ///   - environment: the process environment (`AWS_*`, `GOOGLE_APPLICATION_CREDENTIALS`,
    ///     `STORAGE_EMULATOR_HOST`, `GCE_METADATA_HOST`, …).
    ///   - httpClient: the client credential requests go through.
    public init(environment: [String: String], httpClient: HTTPClient) {
        s3 = Result { () throws(ObjectStoreError) in try S3Client(environment: environment, httpClient: httpClient) }
        gcs = Result { () throws(ObjectStoreError) in try GCSClient(environment: environment, httpClient: httpClient) }
    }

    /// The client that fetches `uri`.
    /// - Throws: ``ObjectStoreError`` (`.invalidURI`) when that cloud's configuration is unusable,
    ///   or for a `file://` URI, which is read in place.
    public func client(for uri: ObjectURI) throws(ObjectStoreError) -> any ObjectStoreClient {
        switch uri {
        case .http: return http
        case .s3: return try s3.get()
        case .gcs: return try gcs.get()
        case .file: throw ObjectStoreError(.invalidURI, "\(uri) is read from disk, not fetched")
        }
    }
}
