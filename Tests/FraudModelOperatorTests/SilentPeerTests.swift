import AsyncHTTPClient
import Foundation
import FraudModelOperator
import KubeAPI
import KubeEmulatorTestSupport
import Logging
import Synchronization
import TandemTestSupport
import Testing

/// A whole `tandem-operator` process, with its production defaults, over two member clusters, one
/// of which stops answering without closing anything.
@Suite struct SilentPeerTests {
    static let name = "fraud-detector"
    static let fraudModel = "\(OperatorFleet.fraudModels)/\(name)"

    @Test func aSilentMemberIsShownUnreachableInStatusAndMetricsWithin30Seconds() async throws {
        try await withMemberEmulators(["eks", "gke"]) { admins in
            try await withTCPRelay(to: admins["gke"]!.emulator.port) { relay in
                try await Self.silence(gkeBehind: relay, admins: admins)
            }
        }
    }

    /// Runs the operator over `admins`' emulators, gke's reached through `relay`, then silences the relay.
    static func silence(gkeBehind relay: TCPRelay, admins: [String: EmulatorTestClient]) async throws {
        let folder = NSTemporaryDirectory() + "operator-silent-peer-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        for (cluster, server) in [("eks", admins["eks"]!.emulator.url), ("gke", "http://127.0.0.1:\(relay.port)")] {
            try kubeconfig(server: server).write(toFile: "\(folder)/\(cluster).kubeconfig", atomically: true, encoding: .utf8)
        }
        try """
        clusters:
        - {name: eks, provider: aws, region: us-east-1, kubeconfig: ./eks.kubeconfig, registry: 123.dkr.ecr.us-east-1.amazonaws.com}
        - {name: gke, provider: gcp, region: us-central1, kubeconfig: ./gke.kubeconfig, registry: us-docker.pkg.dev/p/r}
        """.write(toFile: "\(folder)/clusters.yaml", atomically: true, encoding: .utf8)
        let configuration = try OperatorConfiguration.load(path: "\(folder)/clusters.yaml")
        var logger = Logger(label: "operator-test")
        logger.logLevel = .error
        let metricsPort = ListeningPort()
        let process = try OperatorProcess(options: OperatorOptions(configuration: configuration, metricsAddress: ("127.0.0.1", 0)),
                                          logger: logger) { kind, port in
            if kind == "metrics" { metricsPort.set(port) }
        }
        let running = Task { try await process.run() }
        defer { running.cancel() }
        for (cluster, admin) in admins {
            let created = try await admin.post(OperatorFleet.fraudModels, OperatorFleet.fraudModel(name, version: "2.1.0"))
            guard created.status == 201 else { throw TestFailure("\(cluster): create returned \(created.status)") }
        }
        let eks = admins["eks"]!
        try await eks.eventually(fraudModel, within: .seconds(60)) { object in
            rows(of: object).count == 2 && rows(of: object).allSatisfy { $0["reachable"] == true }
        }
        relay.silence()
        let silenced = ContinuousClock.now
        let copy = try await eks.eventually(fraudModel, within: .seconds(30)) { object in
            rows(of: object).contains { $0["name"] == "gke" && $0["reachable"] == false }
        }
        print("a silent member shown unreachable in status after \(ContinuousClock.now - silenced)")
        #expect(rows(of: copy).first { $0["name"] == "gke" }?["phase"] == "Unreachable")
        let port = try #require(metricsPort.value)
        let metrics = try await scrape(port: port)
        #expect(metrics.contains("tandem_cluster_reachable{cluster=\"gke\"} 0"), "\(metrics.split(separator: "\n").filter { $0.contains("reachable") })")
        #expect(metrics.contains("tandem_cluster_reachable{cluster=\"eks\"} 1"))
        running.cancel()
        _ = await running.result
    }

    /// The rows of `status.clusters`.
    static func rows(of object: JSONValue) -> [JSONValue] {
        object[path: ["status", "clusters"]]?.arrayValue ?? []
    }

    /// A kubeconfig for a plain-HTTP emulator: loopback callers need no credentials.
    static func kubeconfig(server: String) -> String {
        """
        apiVersion: v1
        kind: Config
        current-context: member
        clusters: [{name: member, cluster: {server: "\(server)"}}]
        contexts: [{name: member, context: {cluster: member, user: "", namespace: default}}]
        """
    }

    /// The text of `/metrics` on `port`.
    static func scrape(port: Int) async throws -> String {
        let response = try await HTTPClient.shared.execute(HTTPClientRequest(url: "http://127.0.0.1:\(port)/metrics"), timeout: .seconds(10))
        return String(buffer: try await response.body.collect(upTo: 4 * 1024 * 1024))
    }
}

/// The port a server reported it listens on.
private final class ListeningPort: Sendable {
    private let port = Mutex<Int?>(nil)
    func set(_ value: Int) { port.withLock { $0 = value } }
    var value: Int? { port.withLock { $0 } }
}
