import AsyncHTTPClient

/// The client for each kind of storage URI, configured from the environment the way the
/// clouds' SDKs read it (credential chains, endpoints, emulators).
public struct ObjectStores: Sendable {
    let http = HTTPObjectClient()

    /// - Parameters:
    ///   - environment: the process environment (credentials are looked up lazily, on first use).
    ///   - httpClient: the client credential requests go through.
    public init(environment: [String: String], httpClient: HTTPClient) {}

    /// The client that fetches `uri`.
    public func client(for uri: ObjectURI) throws(ObjectStoreError) -> any ObjectStoreClient {
        switch uri {
        case .http: return http
        case .s3, .gcs: throw ObjectStoreError(.invalidURI, "\(uri): not supported yet")
        case .file: throw ObjectStoreError(.invalidURI, "\(uri) is read from disk, not fetched")
        }
    }
}
