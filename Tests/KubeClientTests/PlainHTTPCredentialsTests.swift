import Foundation
import KubeAPI
import KubeClient
import KubeEmulator
import KubeEmulatorTestSupport
import Logging
import Testing

/// Credentials and plain-`http://` API servers: sent with a warning for a configuration built by
/// hand (client-go's `rest.Config`), withheld with a warning for a kubeconfig user (kubectl).
/// The plain-HTTP emulator refuses a wrong token (401) but lets loopback callers without
/// credentials in, which tells whether the token went out.
@Suite("Credentials over plain HTTP")
struct PlainHTTPCredentialsTests {
    static let token = "plain-http-secret-7c1e"

    @Test("a hand-built configuration sends its token to an http:// server, warning once per cluster without the token")
    func handBuiltSendsAndWarnsOnce() async throws {
        try await withEmulator({ $0.token = "the-real-token" }) { admin in
            var configuration = KubeClientConfiguration(server: admin.emulator.url, authentication: .token(Self.token), name: "plain")
            configuration.retry = .none
            #expect(configuration.credentialsOverPlainHTTP == .send)
            let logs = LogCapture()
            try await withClient(configuration, logger: logs.logger()) { client in
                for _ in 0..<2 {
                    let error = await #expect(throws: KubeError.self) { try await client.resource(.configMaps).list() }
                    #expect(error?.isUnauthorized == true, "the token was sent, and refused")
                }
            }
            let warnings = logs.all.filter { $0.level == .warning && $0.text.contains("plain-http") }
            #expect(warnings.count == 1)
            #expect(warnings.first?.text.contains("cluster=plain") == true)
            #expect(!logs.all.contains { $0.text.contains(Self.token) })
        }
    }

    @Test("a kubeconfig user's credentials are not sent to an http:// server (as kubectl): one warning, anonymous requests")
    func kubeconfigWithholds() async throws {
        try await withEmulator({ $0.token = "the-real-token" }) { admin in
            let kubeconfig = try Kubeconfig(yaml: """
            current-context: plain
            clusters: [{name: c, cluster: {server: "\(admin.emulator.url)"}}]
            users: [{name: u, user: {token: \(Self.token)}}]
            contexts: [{name: plain, context: {cluster: c, user: u}}]
            """)
            let configuration = try KubeClientConfiguration.fromKubeconfig(kubeconfig)
            #expect(configuration.credentialsOverPlainHTTP == .withhold)
            let logs = LogCapture()
            try await withClient(configuration, logger: logs.logger()) { client in
                // The emulator's plain-HTTP port lets loopback callers without credentials in.
                _ = try await client.resource(.configMaps).list()
            }
            #expect(admin.emulator.requestCount(code: 401) == 0, "no token reached the server")
            let warnings = logs.all.filter { $0.level == .warning && $0.text.contains("not sent") }
            #expect(warnings.count == 1)
            #expect(!logs.all.contains { $0.text.contains(Self.token) })
        }
    }
}
