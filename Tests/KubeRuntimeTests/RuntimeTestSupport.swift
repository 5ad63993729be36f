import Foundation
import KubeAPI
import KubeClient
import KubeEmulator
import KubeEmulatorTestSupport
import KubeRuntime
import Logging
import Metrics
import Synchronization
import TandemTestSupport

/// The user agent of the runtime clients in tests (to count their requests at the emulator).
let runtimeTestUserAgent = "tandem-runtime-test"

/// A client configuration for an in-process emulator, with short timeouts and retries so
/// outages are noticed in seconds.
func runtimeClientConfiguration(_ emulator: KubeEmulator, name: String) -> KubeClientConfiguration {
    var configuration = KubeClientConfiguration(
        server: emulator.url, namespace: "default",
        authentication: emulator.configuration.token.map { .token($0) } ?? .none, name: name)
    configuration.retry = RetryPolicy(maxAttempts: 2, initialBackoff: .milliseconds(20), maxBackoff: .milliseconds(100), deadline: .seconds(3))
    configuration.requestTimeout = .seconds(2)
    configuration.userAgent = "\(runtimeTestUserAgent)/1.0"
    return configuration
}

/// Informer options that retry fast (20 ms → 200 ms backoff, 2–4 s watches) and list in pages of 7.
func fastInformerOptions(transform: (@Sendable (JSONValue) -> JSONValue)? = nil) -> InformerOptions {
    InformerOptions(transform: transform, watchTimeoutSeconds: 2...4,
                    backoff: ExponentialBackoff(initial: .milliseconds(20), maximum: .milliseconds(200), jitter: 0.2), pageSize: 7)
}

/// One emulated member cluster in a test.
struct TestCluster: Sendable {
    let emulator: KubeEmulator
    let admin: EmulatorTestClient
    let client: KubeClient
    let cluster: Cluster
}

/// Runs `body` with `names.count` emulators, each with a runtime `Cluster`; everything is shut down afterwards.
///
/// - Parameters:
///   - configureClient: adjusts each cluster's client configuration (after `runtimeClientConfiguration`).
///   - metricsFactory: where the clients record `rest_client_*`; nil uses the global `MetricsSystem`.
func withTestClusters<Result: Sendable>(
    _ names: [String], configure: @escaping @Sendable (inout KubeEmulatorConfiguration) -> Void = { _ in },
    configureClient: @escaping @Sendable (inout KubeClientConfiguration) -> Void = { _ in },
    metricsFactory: (any MetricsFactory)? = nil,
    _ body: @escaping @Sendable ([TestCluster]) async throws -> Result
) async throws -> Result {
    func nest(_ index: Int, _ built: [TestCluster]) async throws -> Result {
        guard index < names.count else { return try await body(built) }
        return try await withEmulator(configure) { admin in
            var configuration = runtimeClientConfiguration(admin.emulator, name: names[index])
            configureClient(&configuration)
            let http = KubeClient.makeHTTPClient(for: [configuration], connectTimeout: .seconds(1))
            do {
                var logger = Logger(label: "runtime-test")
                logger.logLevel = .error
                let client = try KubeClient(configuration: configuration, httpClient: http, logger: logger, metricsFactory: metricsFactory)
                let cluster = Cluster(name: names[index], client: client, informerOptions: fastInformerOptions(), logger: logger)
                let result = try await nest(index + 1, built + [TestCluster(emulator: admin.emulator, admin: admin, client: client, cluster: cluster)])
                try await http.shutdown()
                return result
            } catch {
                try? await http.shutdown()
                throw error
            }
        }
    }
    return try await nest(0, [])
}

/// Runs `work` while `background` runs in a child task, cancelling the background afterwards.
func whileRunning<Result: Sendable>(_ background: @escaping @Sendable () async -> Void, _ work: () async throws -> Result) async throws -> Result {
    try await withThrowingTaskGroup(of: Void.self) { group in
        group.addTask { await background() }
        defer { group.cancelAll() }
        return try await work()
    }
}


/// Waits until `informer` has delivered every change up to the emulator's current resourceVersion
/// (call it after the last write; `Informer.state` moves only after the handlers ran).
func waitUntilCaughtUp(_ informer: Informer, _ emulator: KubeEmulator, within timeout: Duration = .seconds(30)) async throws {
    let target = emulator.currentResourceVersion
    try await eventually("the informer to reach resourceVersion \(target) (at \(informer.state))", within: timeout) {
        informer.state.resourceVersion.flatMap { Int64($0) }.map { $0 >= target } ?? false
    }
}

/// A ConfigMap named `name` with `data`.
func configMap(_ name: String, data: [String: String] = [:], labels: [String: String] = [:]) -> JSONValue {
    var object: JSONValue = ["apiVersion": "v1", "kind": "ConfigMap", "metadata": ["name": .string(name)]]
    if !data.isEmpty { object["data"] = .object(data.mapValues { .string($0) }) }
    if !labels.isEmpty { object[path: ["metadata", "labels"]] = .object(labels.mapValues { .string($0) }) }
    return object
}

/// Thread-safe tallies for handlers and reconcilers.
final class Tally: Sendable {
    private let counts = Mutex<[String: Int]>([:])

    func add(_ key: String, _ amount: Int = 1) { counts.withLock { $0[key, default: 0] += amount } }
    func count(_ key: String) -> Int { counts.withLock { $0[key, default: 0] } }
    var all: [String: Int] { counts.withLock { $0 } }
}

/// A one-shot gate: `wait()` returns once `open()` was called (at once after that).
final class Gate: Sendable {
    private let state = Mutex<(isOpen: Bool, waiters: [CheckedContinuation<Void, Never>])>((false, []))

    func wait() async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let isOpen = state.withLock { state in
                if !state.isOpen { state.waiters.append(continuation) }
                return state.isOpen
            }
            if isOpen { continuation.resume() }
        }
    }

    func open() {
        let waiters = state.withLock { state in
            state.isOpen = true
            defer { state.waiters = [] }
            return state.waiters
        }
        for waiter in waiters { waiter.resume() }
    }
}

/// Another holder takes the Lease `name` in `default` with a fresh 60 s term, retrying while the
/// current holder's renewals win the race (409).
func takeLease(_ name: String, as holder: String, client: KubeClient) async throws {
    let leases = client.resource(.leases, namespace: "default", as: Lease.self)
    for _ in 0..<50 {
        var lease = try await leases.get(name)
        lease.spec?.holderIdentity = holder
        lease.spec?.leaseDurationSeconds = 60
        do {
            _ = try await leases.replace(lease)
            return
        } catch let status as KubeStatus where status.isConflict {
            continue
        }
    }
    throw TestFailure("could not take lease \(name): every attempt conflicted")
}
