import Foundation
import KubeAPI
import KubeClient
import KubeEmulator
import KubeEmulatorTestSupport
import Testing

@Suite("Several clusters in one process")
struct MultiClusterTests {
    @Test("two clients for two clusters with different CAs share one HTTPClient")
    func sharedHTTPClient() async throws {
        try await withTLSEmulator { first, _ in
            try await withTLSEmulator(configure: { $0.name = "second" }) { second, _ in
                let http = KubeClient.makeHTTPClient()
                do {
                    var configurations = [clientConfiguration(first), clientConfiguration(second)]
                    configurations[1].name = "second"
                    let clients = try configurations.map { try KubeClient(configuration: $0, httpClient: http) }
                    _ = try await clients[0].resource(.configMaps).create(configMap("only-in-first"))
                    _ = try await clients[1].resource(.configMaps).create(configMap("only-in-second"))
                    #expect(try await clients[0].resource(.configMaps).getIfExists("only-in-second") == nil)
                    #expect(try await clients[1].resource(.configMaps).getIfExists("only-in-first") == nil)
                    #expect(try await clients[1].resource(.configMaps).get("only-in-second").name == "only-in-second")
                    for client in clients { try await client.shutdown() }
                    try await http.shutdown()
                } catch {
                    try? await http.shutdown()
                    throw error
                }
            }
        }
    }

    @Test("tls-server-name is dialled at the server's address and verified as that name")
    func tlsServerName() async throws {
        try await withTLSEmulator { emulator, _ in
            var configuration = clientConfiguration(emulator)
            configuration.tls.serverName = "localhost"
            configuration.retry = .none
            let http = KubeClient.makeHTTPClient(for: [configuration])
            do {
                let client = try KubeClient(configuration: configuration, httpClient: http)
                #expect(try await client.resource(.configMaps).list().items.isEmpty)
                // NIOSSL also accepts the dialled IP's SAN, which every emulator certificate holds, so a
                // mismatching name cannot be shown to fail here; the wiring above is what is under test.
                try await http.shutdown()
            } catch {
                try? await http.shutdown()
                throw error
            }
        }
    }
}
