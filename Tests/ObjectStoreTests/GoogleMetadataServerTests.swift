import Foundation
import HTTPTestSupport
import Synchronization
import Testing

@testable import ObjectStore

@Suite("Google metadata server credentials and token caching")
struct GoogleMetadataServerTests {
    static let tokenPath = "/computeMetadata/v1/instance/service-accounts/default/token"
    static let emailPath = "/computeMetadata/v1/instance/service-accounts/default/email"
    static let email = "fraud-server@tandem-test.iam.gserviceaccount.com"

    /// A metadata server that, like Google's, refuses requests without `Metadata-Flavor: Google`,
    /// and numbers the tokens it issues.
    static func handler(_ seen: RecordedRequests, expiresIn: Int = 3600, latency: Duration = .zero) -> ScriptedHTTPServer.Script {
        { request in
            seen.record(request)
            guard request.header("Metadata-Flavor") == "Google" else {
                return .text("Missing required header: Metadata-Flavor", status: 403)
            }
            switch request.path {
            case tokenPath:
                // Simulated latency, so that concurrent callers overlap with the fetch.
                if latency > .zero { try? await Task.sleep(for: latency) }
                return tokenResponse("metadata-token-\(seen.count(path: tokenPath))", expiresIn: expiresIn)
            case emailPath:
                return .text(email)
            default:
                return .text("not found", status: 404)
            }
        }
    }

    /// Runs `body` with a chain whose metadata server, named by `variable`, is `script`'s.
    static func withMetadataServer<T: Sendable>(
        _ script: @escaping ScriptedHTTPServer.Script, variable: String = "GCE_METADATA_HOST", now: @escaping @Sendable () -> Date = { Date() },
        _ body: @Sendable (GoogleCredentialChain, ScriptedHTTPServer) async throws -> T
    ) async throws -> T {
        try await ScriptedHTTPServer.run(script) { server in
            try await body(GoogleCredentialChain(environment: [variable: server.hostAndPort], httpClient: .shared, now: now), server)
        }
    }

    @Test func fetchesTheDefaultServiceAccountTokenWithTheMetadataFlavorHeader() async throws {
        let seen = RecordedRequests()
        try await Self.withMetadataServer(Self.handler(seen)) { chain, _ throws in
            #expect(try await chain.accessToken() == "metadata-token-1")
            #expect(await chain.identity() == Self.email)
            #expect(seen.all.allSatisfy { $0.method == "GET" && $0.header("Metadata-Flavor") == "Google" })
        }
    }

    @Test func gceMetadataIPIsUsedWhenTheHostIsNotSet() async throws {
        try await Self.withMetadataServer(Self.handler(RecordedRequests()), variable: "GCE_METADATA_IP") { chain, _ throws in
            #expect(try await chain.accessToken() == "metadata-token-1")
        }
        #expect(GoogleMetadataServer(environment: [:]).host == "metadata.google.internal")
    }

    @Test func anUnreachableMetadataServerFailsFastWithARetryableErrorNamingIt() async throws {
        // A port that was just free: nothing listens there.
        let port = try await ScriptedHTTPServer.run({ _ in .text("") }) { $0.port }
        let chain = GoogleCredentialChain(environment: ["GCE_METADATA_HOST": "127.0.0.1:\(port)"], httpClient: .shared)
        let started = ContinuousClock.now
        let error = try await #require(throws: ObjectStoreError.self) { try await chain.accessToken() }
        #expect(ContinuousClock.now - started < .seconds(5))
        #expect(error.kind == .credentials)
        #expect(error.isRetryable)
        #expect(error.message.contains("metadata server at http://127.0.0.1:\(port)\(Self.tokenPath)"), "\(error.message)")
        #expect(await chain.identity() == "default service account of the metadata server at 127.0.0.1:\(port)")
    }

    @Test func aTokenIsReusedUntilFiveMinutesBeforeExpiryThenRefreshed() async throws {
        let seen = RecordedRequests()
        let clock = ManualClock()
        try await Self.withMetadataServer(Self.handler(seen), now: { clock.now }) { chain, _ in
            var tokens = [try await chain.accessToken()]
            clock.advance(by: 3600 - 301)
            tokens.append(try await chain.accessToken())
            clock.advance(by: 2)
            tokens.append(try await chain.accessToken())
            tokens.append(try await chain.accessToken())
            #expect(tokens == ["metadata-token-1", "metadata-token-1", "metadata-token-2", "metadata-token-2"])
            #expect(seen.count(path: Self.tokenPath) == 2)
        }
    }

    @Test func concurrentCallersShareOneRefresh() async throws {
        let seen = RecordedRequests()
        try await Self.withMetadataServer(Self.handler(seen, latency: .milliseconds(200))) { chain, _ in
            let tokens = try await withThrowingTaskGroup(of: String.self) { group in
                for _ in 0..<20 { group.addTask { try await chain.accessToken() } }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            #expect(Set(tokens) == ["metadata-token-1"])
            #expect(seen.count(path: Self.tokenPath) == 1)
        }
    }

    @Test func aFailedRefreshIsRetriedByTheNextCaller() async throws {
        let failNext = Mutex(true)
        try await Self.withMetadataServer({ _ in
            if failNext.withLock({ let fail = $0; $0 = false; return fail }) {
                return .text("metadata server overloaded", status: 503)
            }
            return tokenResponse("metadata-token-after-503")
        }) { chain, _ in
            let error = try await #require(throws: ObjectStoreError.self) { try await chain.accessToken() }
            #expect(error.isRetryable)
            #expect(error.message.contains("HTTP 503: metadata server overloaded"))
            #expect(try await chain.accessToken() == "metadata-token-after-503")
        }
    }

    @Test func aFailedRefreshKeepsATokenThatHasNotExpired() async throws {
        let clock = ManualClock()
        let overloaded = Mutex(false)
        try await Self.withMetadataServer({ _ in
            overloaded.withLock { $0 } ? .text("metadata server overloaded", status: 503) : tokenResponse("metadata-token-1", expiresIn: 600)
        }, now: { clock.now }) { chain, _ in
            #expect(try await chain.accessToken() == "metadata-token-1")
            overloaded.withLock { $0 = true }
            clock.advance(by: 400)  // due for refresh, not expired
            #expect(try await chain.accessToken() == "metadata-token-1")
            clock.advance(by: 300)  // expired
            let error = try await #require(throws: ObjectStoreError.self) { try await chain.accessToken() }
            #expect(error.message.contains("HTTP 503: metadata server overloaded"))
        }
    }
}
