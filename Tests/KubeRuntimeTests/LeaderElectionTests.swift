import Foundation
import KubeAPI
import KubeClient
import KubeEmulatorTestSupport
import KubeRuntime
import Logging
import Synchronization
import TandemTestSupport
import Testing

@Suite("Leader election on a Lease")
struct LeaderElectionTests {
    static func options(_ identity: String) -> LeaderElectionOptions {
        LeaderElectionOptions(namespace: "default", leaseName: "tandem-operator", identity: identity,
                              leaseDuration: .seconds(2), renewDeadline: .milliseconds(1500), retryPeriod: .milliseconds(200))
    }

    /// Longer timings for a leader that must keep its lease on a loaded machine: a renewal may
    /// take seconds when every core is busy, and a leader stops renewDeadline after its last one.
    static func patientOptions(_ identity: String) -> LeaderElectionOptions {
        LeaderElectionOptions(namespace: "default", leaseName: "tandem-operator", identity: identity,
                              leaseDuration: .seconds(8), renewDeadline: .seconds(6), retryPeriod: .milliseconds(300))
    }

    @Test("two electors: exactly one leads; when it stops renewing the other takes over within the lease duration")
    func failover() async throws {
        try await withTestClusters(["one"]) { clusters in
            let client = clusters[0].client
            var first = Self.patientOptions("a")
            first.releaseOnStop = false  // a crashed leader releases nothing
            let a = LeaderElector(client: client, options: first)
            let b = LeaderElector(client: client, options: Self.patientOptions("b"))
            let leading = Tally()
            let aTask = Task { await a.run { leading.add("a"); await waitForCancellation() } }
            try await eventually("a leads", within: .seconds(60)) { a.isLeader }
            try await whileRunning({ _ = await b.run { leading.add("b"); await waitForCancellation() } }) {
                for _ in 0..<10 {
                    #expect(!(a.isLeader && b.isLeader))
                    try await Task.sleep(for: .milliseconds(100))
                }
                #expect(!b.isLeader, "b waits while a renews")
                aTask.cancel()
                let stopped = ContinuousClock.now
                #expect(await aTask.value == .stopped)
                #expect(!a.isLeader)
                try await eventually("b takes over", within: .seconds(20)) { b.isLeader }
                let failover = ContinuousClock.now - stopped
                // b's work starts just after it holds the lease.
                try await eventually("b's work started") { leading.count("b") == 1 }
                print("leader failover after the leader stopped: \(failover)")
                #expect(failover < .seconds(20))
                #expect(leading.count("a") == 1 && leading.count("b") == 1)
                let lease = try await client.resource(.leases, namespace: "default", as: Lease.self).get("tandem-operator")
                #expect(lease.spec?.holderIdentity == "b")
                #expect(lease.spec?.leaseTransitions == 1)
            }
        }
    }

    @Test("a leader that cannot renew stops its work at once and reports the loss")
    func lossStopsWork() async throws {
        try await withTestClusters(["one"]) { clusters in
            let client = clusters[0].client
            let elector = LeaderElector(client: client, options: Self.options("a"))
            let work = Tally()
            let outcome = try await withThrowingTaskGroup(of: LeaderElector.Outcome.self) { group in
                group.addTask {
                    await elector.run {
                        work.add("started")
                        await waitForCancellation()
                        work.add("cancelled")
                    }
                }
                try await eventually("leading", within: .seconds(30)) { elector.isLeader && work.count("started") == 1 }
                // Another holder takes the lease with a fresh renewal: renewals now fail.
                try await takeLease("tandem-operator", as: "thief", client: client)
                let outcome = try await group.next()!
                return outcome
            }
            #expect(outcome == .lost)
            #expect(work.count("cancelled") == 1)
            #expect(!elector.isLeader)
        }
    }

    /// leaseDuration 4 s, renewDeadline 3 s, retryPeriod 1.2 s; no release (a cut-off leader cannot).
    static func slowed(_ identity: String) -> LeaderElectionOptions {
        var options = LeaderElectionOptions(namespace: "default", leaseName: "slowed", identity: identity, leaseDuration: .seconds(4),
                                            renewDeadline: .seconds(3), retryPeriod: .milliseconds(1200))
        options.releaseOnStop = false
        return options
    }

    @Test("a leader whose API server answers slowly, then not at all, stops renewDeadline after its last renewal started: never two leaders at once")
    func slowedLeaderStopsInTime() async throws {
        // renewDeadline 3 s < leaseDuration 4 s; answers slowed by 250 ms each (a renewal takes
        // 0.5 s, and succeeds). Counting a renewal from its answer, and checking the deadline only
        // after an attempt failed, the leader would act at least a retryPeriod (1.2 s) too long.
        try await withTestClusters(["one"]) { clusters in
            let emulator = clusters[0].emulator
            try await withTCPRelay(to: emulator.port) { relay in
                var configuration = runtimeClientConfiguration(emulator, name: "one")
                configuration.server = "http://127.0.0.1:\(relay.port)"
                var logger = Logger(label: "runtime-test")
                logger.logLevel = .error
                let http = KubeClient.makeHTTPClient(for: [configuration], connectTimeout: .seconds(1))
                let acting = ActingLog()
                let renewals = RenewalLog()
                // Shut down on every path: an HTTPClient dropped unshut traps in debug builds, and a
                // failed expectation inside would otherwise turn into a crash of the whole run.
                do {
                    let a = LeaderElector(client: try KubeClient(configuration: configuration, httpClient: http, logger: logger), options: Self.slowed("a"))
                    let b = LeaderElector(client: clusters[0].client, options: Self.slowed("b"))
                    let aRun = Task { await a.run { await acting.act("a") } }
                    defer { aRun.cancel() }
                    try await eventually("a leads", within: .seconds(60)) { acting.started("a") != nil }
                    try await whileRunning({ _ = await b.run { await acting.act("b") } }) {
                        try await whileRunning({ await renewals.follow("slowed", of: "a", through: clusters[0].admin) }) {
                            relay.delayAnswers(by: .milliseconds(250))
                            let before = renewals.count
                            try await eventually("a renews over the slowed link", within: .seconds(30)) { renewals.count >= before + 1 }
                            relay.silence()
                            try await eventually("b takes over", within: .seconds(30)) { acting.started("b") != nil }
                        }
                        #expect(try await withDeadline(.seconds(10), "a's run") { await aRun.value } == .lost)
                    }
                } catch {
                    try? await http.shutdown()
                    throw error
                }
                try await http.shutdown()
                let aStopped = try #require(acting.stopped("a"))
                let bStarted = try #require(acting.started("b"))
                let lastRenewal = try #require(renewals.last)
                print("a stopped \(aStopped.timeIntervalSince(lastRenewal)) s after its last renewal started; b started \(bStarted.timeIntervalSince(aStopped)) s later")
                #expect(aStopped < bStarted, "two leaders acted at once")
                #expect(aStopped.timeIntervalSince(lastRenewal) < 3.5, "a acted past renewDeadline after its last renewal's start")
            }
        }
    }

    @Test("a stopped leader releases the lease so a successor leads at once")
    func releaseOnStop() async throws {
        try await withTestClusters(["one"]) { clusters in
            let client = clusters[0].client
            let a = LeaderElector(client: client, options: Self.options("a"))
            let aTask = Task { await a.run { await waitForCancellation() } }
            try await eventually("a leads", within: .seconds(60)) { a.isLeader }
            aTask.cancel()
            _ = await aTask.value
            let lease = try await client.resource(.leases, namespace: "default", as: Lease.self).get("tandem-operator")
            #expect(lease.spec?.holderIdentity == "")
            let b = LeaderElector(client: client, options: Self.options("b"))
            try await whileRunning({ _ = await b.run { await waitForCancellation() } }) {
                try await eventually("b leads without waiting for expiry", within: .milliseconds(1900)) { b.isLeader }
            }
        }
    }
}

/// Suspends until the task is cancelled.
func waitForCancellation() async {
    while !Task.isCancelled {
        try? await Task.sleep(for: .seconds(3600))
    }
}

/// When each candidate's `whileLeading` started and when it saw its cancellation.
final class ActingLog: Sendable {
    private let log = Mutex<[String: (started: Date, stopped: Date?)]>([:])

    /// Acts as `name` until cancelled.
    func act(_ name: String) async {
        log.withLock { $0[name] = (Date(), nil) }
        await waitForCancellation()
        log.withLock { $0[name]?.stopped = Date() }
    }

    func started(_ name: String) -> Date? { log.withLock { $0[name]?.started } }
    func stopped(_ name: String) -> Date? { log.withLock { $0[name]?.stopped } }
}

/// The `renewTime`s a holder committed to a Lease, read by polling it.
final class RenewalLog: Sendable {
    private let times = Mutex<[Date]>([])

    var count: Int { times.withLock { $0.count } }
    var last: Date? { times.withLock { $0.last } }

    /// Polls Lease `name` in `default` until cancelled, recording each new `renewTime` of `holder`.
    func follow(_ name: String, of holder: String, through admin: EmulatorTestClient) async {
        while !Task.isCancelled {
            if let lease = try? await admin.get("/apis/coordination.k8s.io/v1/namespaces/default/leases/\(name)").json,
               lease[path: ["spec", "holderIdentity"]]?.stringValue == holder,
               let renewed = lease[path: ["spec", "renewTime"]]?.stringValue.flatMap(Self.microTime) {
                times.withLock { if $0.last != renewed { $0.append(renewed) } }
            }
            try? await Task.sleep(for: .milliseconds(20))
        }
    }

    /// A MicroTime (`2026-01-02T03:04:05.123456Z`) as a date.
    static func microTime(_ text: String) -> Date? {
        let parts = text.dropLast().split(separator: ".")
        guard let whole = ISO8601DateFormatter().date(from: "\(parts[0])Z") else { return nil }
        return whole + (parts.count > 1 ? (Double("0.\(parts[1])") ?? 0) : 0)
    }
}
