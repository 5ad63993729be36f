import Foundation

/// Where the Google Cloud Storage JSON API is reached: production or an emulator.
public struct GCSEndpoint: Sendable, Hashable {
    /// `scheme://host[:port]`, without a trailing slash.
    public let baseURL: String
    /// Whether this is an emulator named by `STORAGE_EMULATOR_HOST`: requests are then anonymous,
    /// as in Google's client libraries.
    public let isEmulator: Bool

    /// `https://storage.googleapis.com`.
    public static let production = GCSEndpoint(baseURL: GCSDefaults.storageBaseURL, isEmulator: false)

    /// An endpoint at `baseURL` (`scheme://host[:port]`; a trailing slash is dropped).
    public init(baseURL: String, isEmulator: Bool) {
        var base = baseURL
        while base.hasSuffix("/") { base.removeLast() }
        self.baseURL = base
        self.isEmulator = isEmulator
    }

    /// The endpoint `environment` selects: the emulator at `STORAGE_EMULATOR_HOST` when it is set
    /// and not empty, else ``production``.
    ///
    /// As google-cloud-go does, the variable may be `host:port` (then `http://` is assumed) or a URL
    /// with a scheme; any path in it is ignored.
    /// - Throws: ``ObjectStoreError`` (`.invalidURI`) when the variable is neither.
    public init(environment: [String: String]) throws(ObjectStoreError) {
        guard let host = environment["STORAGE_EMULATOR_HOST"], !host.isEmpty else {
            self = .production
            return
        }
        let withScheme = host.contains("://") ? host : "http://\(host)"
        guard let url = URLComponents(string: withScheme), let scheme = url.scheme, let hostName = url.host, !hostName.isEmpty else {
            throw ObjectStoreError(.invalidURI, "STORAGE_EMULATOR_HOST '\(host)': expected HOST:PORT or http://HOST:PORT")
        }
        let bracketed = hostName.contains(":") && !hostName.hasPrefix("[") ? "[\(hostName)]" : hostName
        self.init(baseURL: "\(scheme)://\(bracketed)\(url.port.map { ":\($0)" } ?? "")", isEmulator: true)
    }

    /// The JSON API media download of `object` in `bucket`:
    /// `{base}/storage/v1/b/BUCKET/o/OBJECT?alt=media`, the object name fully percent-encoded
    /// (slashes too), as the JSON API requires.
    public func downloadURL(bucket: String, object: String) -> String {
        "\(baseURL)/storage/v1/b/\(bucket.objectStoreEncoded(keepingSlashes: false))/o/\(object.objectStoreEncoded(keepingSlashes: false))?alt=media"
    }
}
