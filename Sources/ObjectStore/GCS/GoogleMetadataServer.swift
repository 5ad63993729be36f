import AsyncHTTPClient
import Foundation

/// The GCE/GKE metadata server: the default service account's token (on GKE, the Kubernetes
/// service account's via Workload Identity) and its email.
///
/// # Caveats
/// - Each call uses its own short-lived HTTP client with a 1-second connect timeout
///   (``GCSDefaults/metadataConnectTimeout``), so that a machine without a metadata server fails
///   fast instead of waiting for the shared client's connect timeout.
struct GoogleMetadataServer: GoogleTokenProvider {
    /// `host[:port]`: `GCE_METADATA_HOST`, else `GCE_METADATA_IP`, else `metadata.google.internal`.
    let host: String

    init(environment: [String: String]) {
        host = [environment["GCE_METADATA_HOST"], environment["GCE_METADATA_IP"]]
            .compactMap { $0 }
            .first { !$0.isEmpty } ?? GCSDefaults.metadataHost
    }

    /// `http://HOST/computeMetadata/v1/instance/service-accounts/default/` followed by `item`.
    func url(_ item: String) -> String {
        "http://\(host)/computeMetadata/v1/instance/service-accounts/default/\(item)"
    }

    func fetchToken(_ context: GoogleTokenContext) async throws(ObjectStoreError) -> GoogleAccessToken {
        let what = "metadata server at \(url("token"))"
        let now = context.now()
        let body = try await get("token", what: what, context: context)
        return try GoogleTokenExchange.accessToken(from: body, what: what, now: now)
    }

    /// The default service account's email, or nil when the metadata server cannot tell it.
    func identity(_ context: GoogleTokenContext) async -> String? {
        guard let body = try? await get("email", what: "metadata server", context: context) else { return nil }
        let email = String(decoding: body, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        return email.isEmpty ? nil : email
    }

    var description: String { "default service account of the metadata server at \(host)" }

    private func get(_ item: String, what: String, context: GoogleTokenContext) async throws(ObjectStoreError) -> [UInt8] {
        var request = HTTPClientRequest(url: url(item))
        request.headers.add(name: "Metadata-Flavor", value: "Google")
        return try await CredentialHTTP.withShortLivedClient(sharing: context.httpClient, connectTimeout: GCSDefaults.metadataConnectTimeout) {
            client throws(ObjectStoreError) in
            try await GoogleTokenExchange.send(request, to: what, client: client)
        }
    }
}
