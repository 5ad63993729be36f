import Foundation
import KubeAPI
import KubeClient
import KubeEmulator
import KubeEmulatorTestSupport
import Testing

@Suite("Retries, rate limiting and timeouts")
struct ResilienceTests {
    @Test("an idempotent list is retried on injected 503s until it succeeds")
    func retriesServiceUnavailable() async throws {
        try await withTLSEmulator { emulator, admin in
            try await admin.installWidgetCRD()
            try await injectFault(admin, ["verb": "list", "resource": "widgets", "status": 503, "count": 2])
            try await withClient(clientConfiguration(emulator)) { client in
                let list = try await client.resource(widgets).list()
                #expect(list.items.isEmpty)
                #expect(emulator.requestCount(verb: "list", resource: "widgets", code: 503) == 2)
                #expect(emulator.requestCount(verb: "list", resource: "widgets", code: 200) == 1)
            }
        }
    }

    @Test("a 429 is retried after its Retry-After, even for a create")
    func retriesTooManyRequests() async throws {
        try await withTLSEmulator { emulator, admin in
            try await injectFault(admin, ["verb": "create", "resource": "configmaps", "status": 429, "count": 1, "retryAfterSeconds": 1])
            try await withClient(clientConfiguration(emulator)) { client in
                let started = ContinuousClock.now
                let created = try await client.resource(.configMaps).create(configMap("throttled"))
                #expect(created.name == "throttled")
                #expect(ContinuousClock.now - started >= .seconds(1))
                #expect(emulator.requestCount(verb: "create", resource: "configmaps") == 2)
                #expect(emulator.requestCount(verb: "create", resource: "configmaps", code: 429) == 1)
            }
        }
    }

    @Test("a 5xx answer to a create is not retried (it is not idempotent)")
    func noRetryForCreate() async throws {
        try await withTLSEmulator { emulator, admin in
            try await injectFault(admin, ["verb": "create", "resource": "configmaps", "status": 503, "count": 1])
            try await withClient(clientConfiguration(emulator)) { client in
                let error = try await #require(throws: KubeError.self) { try await client.resource(.configMaps).create(configMap("once")) }
                #expect(error.isServerError && error.code == 503)
                #expect(emulator.requestCount(verb: "create", resource: "configmaps") == 1)
            }
        }
    }

    @Test("retries stop after maxAttempts and surface the last error")
    func boundedAttempts() async throws {
        try await withTLSEmulator { emulator, admin in
            try await injectFault(admin, ["verb": "get", "resource": "configmaps", "status": 503])
            var configuration = clientConfiguration(emulator)
            configuration.retry.maxAttempts = 3
            try await withClient(configuration) { client in
                let error = try await #require(throws: KubeError.self) { try await client.resource(.configMaps).get("x") }
                #expect(error.isServerError)
                #expect(emulator.requestCount(verb: "get", resource: "configmaps") == 3)
            }
        }
    }

    @Test("retries stop at the deadline even with attempts left")
    func boundedByDeadline() async throws {
        try await withTLSEmulator { emulator, admin in
            // Retry-After 2 s within a 3 s deadline: one retry fits (when the first answer takes under
            // a second), a second one never can, although nine attempts remain.
            try await injectFault(admin, ["verb": "get", "resource": "configmaps", "status": 429, "retryAfterSeconds": 2])
            var configuration = clientConfiguration(emulator)
            configuration.retry = RetryPolicy(maxAttempts: 10, initialBackoff: .milliseconds(10), deadline: .seconds(3))
            try await withClient(configuration) { client in
                let started = ContinuousClock.now
                let error = try await #require(throws: KubeError.self) { try await client.resource(.configMaps).get("x") }
                #expect(error.isTooManyRequests && error.retryAfter == .seconds(2))
                // Nine more attempts 2 s apart would take 18 s; generous for a loaded machine.
                #expect(ContinuousClock.now - started < .seconds(10))
                #expect((1...2).contains(emulator.requestCount(verb: "get", resource: "configmaps")))
            }
        }
    }

    /// Issue 16, item 1, through the wire: a peer's (or a proxy's) absurd Retry-After neither
    /// traps the process nor holds the request past its deadline.
    @Test("a 429 with Retry-After 1e10 s from the server is reported, not waited for or trapped on")
    func hugeRetryAfter() async throws {
        try await withTLSEmulator { emulator, admin in
            try await injectFault(admin, ["verb": "get", "resource": "configmaps", "status": 429, "retryAfterSeconds": 10_000_000_000])
            var configuration = clientConfiguration(emulator)
            configuration.retry = RetryPolicy(maxAttempts: 5, initialBackoff: .milliseconds(10), deadline: .seconds(3))
            try await withClient(configuration) { client in
                let started = ContinuousClock.now
                let error = try await #require(throws: KubeError.self) { try await client.resource(.configMaps).get("x") }
                #expect(error.isTooManyRequests)
                #expect(ContinuousClock.now - started < .seconds(10), "the 3 s deadline holds")
                #expect(emulator.requestCount(verb: "get", resource: "configmaps") == 1, "no retry can fit: none is made")
            }
        }
    }

    @Test("a connection refused is retried, then reported as a transport error")
    func connectionRefused() async throws {
        var configuration = KubeClientConfiguration(server: "https://127.0.0.1:1", authentication: .token("t"))
        configuration.retry = RetryPolicy(maxAttempts: 2, initialBackoff: .milliseconds(10))
        try await withClient(configuration) { client in
            let error = try await #require(throws: KubeClientError.self) { try await client.resource(.configMaps).get("x") }
            guard case .transport = error else { Issue.record("expected a transport error, got \(error)"); return }
        }
    }

    @Test("a server that never answers hits the request timeout")
    func requestTimeout() async throws {
        try await withTLSEmulator { emulator, admin in
            try await injectFault(admin, ["verb": "get", "resource": "configmaps", "latencyMs": 10000])
            var configuration = clientConfiguration(emulator)
            configuration.requestTimeout = .milliseconds(300)
            configuration.retry = .none
            try await withClient(configuration) { client in
                let started = ContinuousClock.now
                let error = try await #require(throws: KubeClientError.self) { try await client.resource(.configMaps).get("x") }
                guard case .timeout = error else { Issue.record("expected a timeout, got \(error)"); return }
                // The answer would take 10 s: well under that, even on a loaded machine, is the timeout's doing.
                #expect(ContinuousClock.now - started < .seconds(8))
            }
        }
    }

    @Test("the token bucket spaces requests beyond the burst at 1/qps")
    func rateLimit() async throws {
        try await withTLSEmulator { emulator, _ in
            var configuration = clientConfiguration(emulator)
            configuration.rateLimit = RateLimit(qps: 10, burst: 2)
            try await withClient(configuration) { client in
                let started = ContinuousClock.now
                for _ in 0..<6 { _ = try await client.resource(.configMaps).list() }
                // 2 immediately, then 4 at 100 ms intervals.
                #expect(ContinuousClock.now - started >= .milliseconds(350))
            }
        }
    }

    @Test("backoff grows exponentially, is capped, jittered, and honours Retry-After")
    func backoffShape() {
        let policy = RetryPolicy(initialBackoff: .milliseconds(500), maxBackoff: .seconds(5), multiplier: 2, jitter: 0.2)
        #expect(policy.delay(beforeRetry: 1, random: 0.5) == .milliseconds(500))
        #expect(policy.delay(beforeRetry: 2, random: 0.5) == .seconds(1))
        #expect(policy.delay(beforeRetry: 10, random: 0.5) == .seconds(5))
        #expect(policy.delay(beforeRetry: 1, random: 0) == .milliseconds(400))
        #expect(policy.delay(beforeRetry: 1, retryAfter: .seconds(3), random: 0.5) == .seconds(3))
        #expect(RetryPolicy.isRetryable(code: 429, idempotent: false))
        #expect(RetryPolicy.isRetryable(code: 503, idempotent: true) && !RetryPolicy.isRetryable(code: 503, idempotent: false))
        #expect(!RetryPolicy.isRetryable(code: 409, idempotent: true) && !RetryPolicy.isRetryable(code: 501, idempotent: true))
    }

    @Test("one Backoff: symmetric and additive jitter, a cap that holds past any overflow, waits from the network clamped")
    func oneBackoff() {
        let symmetric = Backoff(initial: .milliseconds(800), maximum: .seconds(30), factor: 2, jitter: .symmetric(0.5))
        #expect(symmetric.delay(afterFailures: 1, random: 0.5) == .milliseconds(800))
        #expect(symmetric.delay(afterFailures: 1, random: 0) == .milliseconds(400))
        #expect(symmetric.delay(afterFailures: 3, random: 0.5) == .milliseconds(3200))
        #expect(symmetric.delay(afterFailures: 5_000, random: 0.5) == .seconds(30), "a huge failure count stays at the cap")
        let additive = Backoff(initial: .seconds(1), maximum: .seconds(8), factor: 3, jitter: .additive(1))
        #expect(additive.delay(afterFailures: 2, random: 0.5) == .milliseconds(4500))
        #expect(Backoff(initial: .milliseconds(5), maximum: .seconds(1000)).delay(afterFailures: 4) == .milliseconds(40))
        // A peer's Retry-After of 1e10 s (or a NaN from arithmetic) must not trap the process.
        #expect(Backoff.duration(seconds: 1e10) == Backoff.longest)
        #expect(Backoff.duration(seconds: .nan) == .zero && Backoff.duration(seconds: -3) == .zero)
        #expect(RetryPolicy().delay(beforeRetry: 1, retryAfter: .seconds(10_000_000_000), random: 0.5) == Backoff.longest)
    }
}
