import Foundation
import KubeAPI
import KubeEmulatorTestSupport
import NIOCore
import Testing
@testable import KubeEmulator

/// Fail-closed authentication: who may call without credentials, which credentials are really
/// checked, the admin endpoint, and the loopback check.
@Suite("authentication fails closed")
struct AuthenticationEnforcementTests {
    @Test("TLS with neither a token nor client certificates refuses to start")
    func tlsNeedsAWayToAuthenticate() async throws {
        var configuration = KubeEmulatorConfiguration()
        configuration.tls = true
        await #expect(throws: KubeEmulatorConfigurationError.noWayToAuthenticate) { _ = try await KubeEmulator.start(configuration) }
        configuration.tls = false
        configuration.clientCertificateAuth = true
        await #expect(throws: KubeEmulatorConfigurationError.clientCertificatesNeedTLS) { _ = try await KubeEmulator.start(configuration) }
    }

    @Test("over TLS an anonymous request is 401 everywhere but health and version")
    func anonymousOverTLS() async throws {
        try await withEmulator({ $0.tls = true; $0.clientCertificateAuth = true }) { client in
            let anonymous = client.authenticating(with: nil)
            for path in ["/api/v1/namespaces", "/apis", "/api/v1/namespaces/default/pods", "/_emulator/counters", "/openapi/v3"] {
                let status = try await anonymous.get(path).status
                #expect(status == 401, "\(path)")
            }
            let health = try await anonymous.get("/healthz").text
            let version = try await anonymous.get("/version").status
            #expect(health == "ok" && version == 200)
        }
    }

    @Test("the generated client certificate is a cluster admin; its groups are what RBAC sees")
    func clientCertificateUser() async throws {
        try await withEmulator({ $0.tls = true; $0.clientCertificateAuth = true }) { client in
            let pki = try #require(client.emulator.pki)
            for (user, groups, expectedStatus) in [("admin", ["system:masters"], 200), ("dev", ["dev-team"], 403)] {
                let http = try EmulatorTestClient.makeHTTPClient(for: client.emulator, clientCertificate: try pki.issueClientCertificate(user: user, groups: groups))
                let withCertificate = EmulatorTestClient(emulator: client.emulator, http: http, token: "")
                let whoami = try await withCertificate.post("/apis/authentication.k8s.io/v1/selfsubjectreviews", ["apiVersion": "authentication.k8s.io/v1", "kind": "SelfSubjectReview"])
                let listed = try await withCertificate.get("/api/v1/namespaces/default/secrets")
                try await http.shutdown()
                #expect(whoami.json[path: ["status", "userInfo", "username"]] == .string(user))
                #expect(whoami.json[path: ["status", "userInfo", "groups"]] == .array((groups + ["system:authenticated"]).map { .string($0) }))
                #expect(listed.status == expectedStatus)
            }
        }
    }

    @Test("the --token user is admin in system:masters; a wrong token is 401, never anonymous")
    func tokenUser() async throws {
        try await withEmulator({ $0.tls = true; $0.token = "secret-token" }) { client in
            let whoami = try await client.post("/apis/authentication.k8s.io/v1/selfsubjectreviews", ["apiVersion": "authentication.k8s.io/v1", "kind": "SelfSubjectReview"])
            #expect(whoami.json[path: ["status", "userInfo", "username"]] == "admin")
            #expect(whoami.json[path: ["status", "userInfo", "groups"]] == ["system:masters", "system:authenticated"])
            #expect(try await client.send(.GET, "/healthz", authorization: "Bearer wrong").status == 401)
            #expect(try await client.send(.GET, "/healthz", authorization: "Basic YTpi").status == 401)
        }
    }

    @Test("plain HTTP: loopback without credentials is system:unsecured (system:masters), any other address is anonymous")
    func insecurePort() async throws {
        let authenticator = Authenticator(tls: false, token: nil, clientCertificates: false)
        let loopback = try SocketAddress(ipAddress: "127.0.0.1", port: 40000)
        #expect(authenticator.authenticate(authorization: nil, peer: nil, remote: loopback) == .user(.unsecured))
        #expect(authenticator.authenticate(authorization: nil, peer: nil, remote: try SocketAddress(ipAddress: "10.127.0.5", port: 40000)) == .anonymous)
        #expect(authenticator.authenticate(authorization: nil, peer: nil, remote: nil) == .anonymous)
        #expect(Authenticator(tls: true, token: "t", clientCertificates: false).authenticate(authorization: nil, peer: nil, remote: loopback) == .anonymous)
        try await withEmulator { client in
            let whoami = try await client.post("/apis/authentication.k8s.io/v1/selfsubjectreviews", ["apiVersion": "authentication.k8s.io/v1", "kind": "SelfSubjectReview"])
            #expect(whoami.json[path: ["status", "userInfo", "username"]] == "system:unsecured")
        }
    }

    @Test("loopback is an address check: 127/8, ::1 and ::ffff:127.x are loopback; 10.127.0.5, 2001:db8::1f, ::ffff:10.0.0.1 and names are not")
    func loopbackAddresses() throws {
        for address in ["127.0.0.1", "127.255.0.9", "::1", "::ffff:127.0.0.1", "0:0:0:0:0:0:0:1"] {
            #expect(LoopbackAddress.contains(ipAddress: address), "\(address)")
        }
        for address in ["10.127.0.5", "2001:db8::1f", "2001:db8::127.0.0.1", "::ffff:10.0.0.1", "::", "::2", "128.0.0.1", "localhost", "127.0.0.1.example", ""] {
            #expect(!LoopbackAddress.contains(ipAddress: address), "\(address)")
        }
        #expect(LoopbackAddress.contains(try SocketAddress(ipAddress: "::1", port: 1)))
        #expect(!LoopbackAddress.contains(try SocketAddress(ipAddress: "10.127.0.5", port: 1)))
        #expect(!LoopbackAddress.contains(nil))
    }

    @Test("the admin endpoint answers admins only: 401 anonymous, 403 for a service account, 200 for the token user")
    func adminEndpointNeedsAnAdmin() async throws {
        try await withEmulator({ $0.tls = true; $0.token = "secret-token" }) { client in
            #expect(try await client.authenticating(with: nil).get("/_emulator/counters").status == 401)
            let account = try await client.asServiceAccount("tester")
            let forbidden = try await account.get("/_emulator/counters")
            #expect(forbidden.status == 403)
            #expect(forbidden.statusObject?.message.hasPrefix(#"forbidden: User "system:serviceaccount:default:tester" cannot get path "/_emulator/counters""#) == true)
            #expect(try await client.get("/_emulator/counters").status == 200)
        }
    }

    @Test("an outage's durationSeconds out of range (1e17, 0, a string) is a 400 naming the field, and the server lives")
    func outageDuration() async throws {
        try await withEmulator { client in
            for duration: JSONValue in [.double(1e17), 0, -5, "soon"] {
                let response = try await client.post("/_emulator/outage", ["mode": "refuse", "durationSeconds": duration])
                #expect(response.status == 400, "\(duration)")
                #expect(response.text.contains("durationSeconds"))
            }
            #expect(try await client.get("/api/v1/namespaces").status == 200)
        }
    }
}
