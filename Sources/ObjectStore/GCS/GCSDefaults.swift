import NIOCore

/// Every default of the Google Cloud Storage client and its credential chain, in one place.
enum GCSDefaults {
    /// The JSON API's base URL when `STORAGE_EMULATOR_HOST` is not set.
    static let storageBaseURL = "https://storage.googleapis.com"
    /// The OAuth scope asked for with a service-account key and when impersonating: read-only
    /// object access is all a model download needs.
    static let readOnlyScope = "https://www.googleapis.com/auth/devstorage.read_only"
    /// The scope of the STS token exchange (workload identity federation), as Google's libraries ask.
    static let cloudPlatformScope = "https://www.googleapis.com/auth/cloud-platform"
    /// The metadata server's host when neither `GCE_METADATA_HOST` nor `GCE_METADATA_IP` is set.
    static let metadataHost = "metadata.google.internal"
    /// How long to wait for a TCP connection to the metadata server: 1 second, so a machine
    /// without one fails fast.
    static let metadataConnectTimeout = TimeAmount.seconds(1)
    /// The deadline of one request to a token endpoint, the metadata server or a subject-token URL: 30 seconds.
    static let tokenRequestTimeout = TimeAmount.seconds(30)
    /// A cached token is refreshed once it is this close to expiry: 5 minutes.
    static let refreshMargin: Double = 300
    /// The lifetime asked for a signed JWT assertion and an impersonated token: 1 hour (Google's maximum).
    static let tokenLifetime: Int = 3600
    /// The largest token-endpoint or metadata response read: 1 MiB.
    static let maximumResponseBytes = 1 << 20
}
