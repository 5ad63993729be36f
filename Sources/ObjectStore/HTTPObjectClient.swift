import AsyncHTTPClient

/// Plain `https://` (or `http://`) URLs, fetched without credentials.
public struct HTTPObjectClient: ObjectStoreClient {
    public init() {}

    public func getRequest(_ uri: ObjectURI) async throws(ObjectStoreError) -> HTTPClientRequest {
        guard case .http(let url) = uri else {
            throw ObjectStoreError(.invalidURI, "\(uri) is not an http(s) URL")
        }
        return HTTPClientRequest(url: url.absoluteString)
    }

    public func identity() async -> String { "anonymous" }
}
