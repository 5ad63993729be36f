// The KubeRuntime benchmark (run through hack/bench/runtime.sh): with N Deployments (~2 KB of
// JSON each) in each of several API servers, measures the time to sync the caches (managedFields
// stripped), the throughput of a no-op reconciler, and this process's peak RSS.
//
//   kube-runtime-bench --server URL [--server URL …] [--deployments 2000] [--rounds 5] [--workers 1] [--populate-only]
import Foundation
import KubeAPI
import KubeClient
import KubeRuntime
import Logging
import Synchronization

struct Arguments {
    var servers: [String] = []
    var deployments = 2000
    var rounds = 5
    var workers = 1
    /// Create the Deployments and exit (so the measured run's RSS excludes building them).
    var populateOnly = false

    init(_ arguments: [String]) {
        var iterator = arguments.dropFirst().makeIterator()
        while let argument = iterator.next() {
            if argument == "--populate-only" {
                populateOnly = true
                continue
            }
            let value = iterator.next() ?? ""
            switch argument {
            case "--server": servers.append(value)
            case "--deployments": deployments = Int(value) ?? deployments
            case "--rounds": rounds = Int(value) ?? rounds
            case "--workers": workers = Int(value) ?? workers
            default:
                FileHandle.standardError.write(Data("unknown argument \(argument)\n".utf8))
                Foundation.exit(2)
            }
        }
        if servers.isEmpty {
            FileHandle.standardError.write(Data("usage: kube-runtime-bench --server URL [--server URL …] [--deployments N] [--rounds N] [--workers N]\n".utf8))
            Foundation.exit(2)
        }
    }
}

/// A Deployment of about 2 KB: labels, annotations and an env-heavy container.
func deployment(_ index: Int) -> JSONValue {
    let name = "app-\(index)"
    let env: [JSONValue] = (0..<12).map { ["name": .string("SETTING_\($0)"), "value": .string(String(repeating: "v", count: 60))] }
    return [
        "apiVersion": "apps/v1", "kind": "Deployment",
        "metadata": [
            "name": .string(name), "labels": ["app": .string(name), "tier": "bench"],
            "annotations": ["tandem.dev/description": .string(String(repeating: "benchmark object ", count: 12))],
        ],
        "spec": [
            "replicas": 2,
            "selector": ["matchLabels": ["app": .string(name)]],
            "template": [
                "metadata": ["labels": ["app": .string(name)]],
                "spec": ["containers": [["name": "app", "image": "registry.example/fraud-detector:2.1.0", "env": .array(env),
                                         "ports": [["containerPort": 8080]]]]],
            ],
        ],
    ]
}

func peakRSSMiB() -> Double {
    guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8) else { return 0 }
    for line in status.split(separator: "\n") where line.hasPrefix("VmHWM:") {
        let kilobytes = Double(line.split(separator: " ", omittingEmptySubsequences: true).dropFirst().first ?? "0") ?? 0
        return kilobytes / 1024
    }
    return 0
}

func seconds(_ duration: Duration) -> Double {
    let (whole, attoseconds) = duration.components
    return Double(whole) + Double(attoseconds) / 1e18
}

let arguments = Arguments(CommandLine.arguments)
var logger = Logger(label: "kube-runtime-bench")
logger.logLevel = .warning
let configurations = arguments.servers.enumerated().map { index, server in
    var configuration = KubeClientConfiguration(server: server, namespace: "default", name: "cluster-\(index)")
    configuration.userAgent = "kube-runtime-bench/1.0"
    return configuration
}
let http = KubeClient.makeHTTPClient(for: configurations)
let clients = try configurations.map { try KubeClient(configuration: $0, httpClient: http, logger: logger) }

// Populate (skipped for servers that already hold the objects).
let populateStarted = ContinuousClock.now
for client in clients {
    let deployments = client.resource(.deployments, namespace: "default")
    let existing = try await deployments.list(ListParameters(limit: 1)).metadata.remainingItemCount ?? 0
    guard existing + 1 < Int64(arguments.deployments) else { continue }
    try await withThrowingTaskGroup(of: Void.self) { group in
        var next = 0
        for _ in 0..<16 {
            group.addTask {}
        }
        while try await group.next() != nil, next < arguments.deployments {
            let index = next
            next += 1
            group.addTask { _ = try? await deployments.create(deployment(index)) }
        }
    }
}
print(String(format: "populated %d clusters × %d Deployments in %.1f s", clients.count, arguments.deployments, seconds(ContinuousClock.now - populateStarted)))
if arguments.populateOnly {
    try await http.shutdown().get()
    Foundation.exit(0)
}

let reconciled = Atomic<Int>(0)
let clusters = ClusterSet(clients.enumerated().map { index, client in
    Cluster(name: "cluster-\(index)", client: client, informerOptions: InformerOptions(transform: ObjectTransforms.stripManagedFields), logger: logger)
})
let controller = Controller(
    name: "bench", clusters: clusters,
    reconciler: ReconcileFunction { _ in
        reconciled.add(1, ordering: .relaxed)
        return .done
    },
    options: ControllerOptions(maxConcurrentReconciles: arguments.workers), logger: logger)
controller.watchPrimary(.deployments, namespace: "default")
let total = clients.count * arguments.deployments

await withTaskGroup(of: Void.self) { group in
    let started = ContinuousClock.now
    group.addTask { await clusters.run() }
    group.addTask { await controller.run() }
    while !clusters.clusters.allSatisfy(\.hasSynced) { try? await Task.sleep(for: .milliseconds(5)) }
    let synced = ContinuousClock.now - started
    print(String(format: "caches synced: %d objects in %.2f s", clusters.clusters.flatMap(\.allInformers).map(\.cache.count).reduce(0, +), seconds(synced)))
    while reconciled.load(ordering: .relaxed) < total { try? await Task.sleep(for: .milliseconds(1)) }
    print(String(format: "initial reconcile of %d keys done %.2f s after start", total, seconds(ContinuousClock.now - started)))

    let keys = clusters.clusters.flatMap { cluster in cluster.allInformers.flatMap(\.cache.keys) }
    let before = reconciled.load(ordering: .relaxed)
    let roundsStarted = ContinuousClock.now
    for _ in 0..<arguments.rounds {
        let target = reconciled.load(ordering: .relaxed) + keys.count
        for key in keys { controller.enqueue(key) }
        while reconciled.load(ordering: .relaxed) < target { try? await Task.sleep(for: .microseconds(200)) }
    }
    let elapsed = seconds(ContinuousClock.now - roundsStarted)
    let count = reconciled.load(ordering: .relaxed) - before
    print(String(format: "no-op reconciles: %d in %.2f s = %.0f/s (%d worker(s) per cluster)", count, elapsed, Double(count) / elapsed, arguments.workers))
    print(String(format: "peak RSS: %.1f MiB", peakRSSMiB()))
    controller.shutDown()
    group.cancelAll()
}
try await http.shutdown().get()
