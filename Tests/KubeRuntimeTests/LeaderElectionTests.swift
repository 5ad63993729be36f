import KubeAPI
import KubeClient
import KubeEmulatorTestSupport
import KubeRuntime
import TandemTestSupport
import Testing

@Suite("Leader election on a Lease")
struct LeaderElectionTests {
    static func options(_ identity: String) -> LeaderElectionOptions {
        LeaderElectionOptions(namespace: "default", leaseName: "tandem-operator", identity: identity,
                              leaseDuration: .seconds(2), renewDeadline: .milliseconds(1500), retryPeriod: .milliseconds(200))
    }

    @Test("two electors: exactly one leads; when it stops renewing the other takes over within the lease duration")
    func failover() async throws {
        try await withTestClusters(["one"]) { clusters in
            let client = clusters[0].client
            var first = Self.options("a")
            first.releaseOnStop = false  // a crashed leader releases nothing
            let a = LeaderElector(client: client, options: first)
            let b = LeaderElector(client: client, options: Self.options("b"))
            let leading = Tally()
            let aTask = Task { await a.run { leading.add("a"); await waitForCancellation() } }
            try await eventually("a leads", within: .seconds(30)) { a.isLeader }
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
                try await eventually("b takes over", within: .seconds(15)) { b.isLeader }
                let failover = ContinuousClock.now - stopped
                // b's work starts just after it holds the lease.
                try await eventually("b's work started") { leading.count("b") == 1 }
                print("leader failover after the leader stopped: \(failover)")
                #expect(failover < .seconds(15))
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

    @Test("a stopped leader releases the lease so a successor leads at once")
    func releaseOnStop() async throws {
        try await withTestClusters(["one"]) { clusters in
            let client = clusters[0].client
            let a = LeaderElector(client: client, options: Self.options("a"))
            let aTask = Task { await a.run { await waitForCancellation() } }
            try await eventually("a leads", within: .seconds(30)) { a.isLeader }
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
