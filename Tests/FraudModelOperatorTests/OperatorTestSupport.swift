import AsyncHTTPClient
import FraudModelAPI
import FraudModelOperator
@testable import FraudModelPlanning
import KubeAPI
import KubeClient
import KubeEmulator
import KubeEmulatorTestSupport
import KubeRuntime
import Logging

/// Member clusters (in-process emulators simulating workloads) with the FraudModel CRD
/// installed, and the FraudModel controller running over them.
struct OperatorFleet: Sendable {
    /// Each member's emulator, through a raw HTTP client.
    let admins: [String: EmulatorTestClient]
    let controller: Controller

    static let fraudModels = "/apis/tandem.dev/v1alpha1/namespaces/default/fraudmodels"
    static let deployments = "/apis/apps/v1/namespaces/default/deployments"
    static let services = "/api/v1/namespaces/default/services"
    static let userAgent = "tandem-operator-test"

    /// A FraudModel named `name` with `spec` merged over a small valid one (bake 1 s).
    static func fraudModel(_ name: String, version: String, rollout: JSONValue = ["bakeSeconds": 1], extra: [String: JSONValue] = [:]) -> JSONValue {
        var spec: [String: JSONValue] = ["modelVersion": .string(version), "image": ["repository": "fraud-detector"], "replicas": 2, "rollout": rollout]
        spec.merge(extra) { $1 }
        return ["apiVersion": "tandem.dev/v1alpha1", "kind": "FraudModel", "metadata": ["name": .string(name)], "spec": .object(spec)]
    }

    /// Creates `object` (a FraudModel) in every member.
    func createEverywhere(_ object: JSONValue) async throws {
        for (name, admin) in admins {
            let response = try await admin.post(Self.fraudModels, object)
            guard response.status == 201 else { throw TestFailure("\(name): create returned \(response.status): \(response.text)") }
        }
    }

    /// The operator's writes (create, update, patch, delete; events aside unless `includingEvents`)
    /// counted by `cluster`'s emulator, from clients whose user agent starts with `userAgent`.
    func operatorWrites(in cluster: String, userAgent: String = Self.userAgent, includingEvents: Bool = false) async throws -> Int {
        try await Self.operatorWrites(in: admins[cluster]!, userAgent: userAgent, includingEvents: includingEvents)
    }

    /// The operator's writes counted by `admin`'s emulator (see the instance method).
    static func operatorWrites(in admin: EmulatorTestClient, userAgent: String = Self.userAgent, includingEvents: Bool = false) async throws -> Int {
        let counters = try await admin.get("/_emulator/counters").json
        return (counters["items"]?.arrayValue ?? []).filter { item in
            item["userAgent"]?.stringValue?.hasPrefix(userAgent) == true
                && ["create", "update", "patch", "delete"].contains(item["verb"]?.stringValue ?? "")
                && (includingEvents || item["resource"]?.stringValue != "events")
        }.reduce(0) { $0 + Int($1["count"]?.intValue ?? 0) }
    }

    /// Waits until `cluster`'s object at `path` satisfies `predicate`; returns it.
    @discardableResult
    func eventually(_ cluster: String, _ path: String, within timeout: Duration = .seconds(20), _ predicate: (JSONValue) -> Bool) async throws -> JSONValue {
        try await admins[cluster]!.eventually(path, within: timeout, predicate)
    }
}

/// The members of most tests: `eks` (aws) and `gke` (gcp), each with a registry, both managed.
let defaultMembers = [
    FleetMember(name: "eks", provider: "aws", region: "us-east-1", registry: "123.dkr.ecr.us-east-1.amazonaws.com"),
    FleetMember(name: "gke", provider: "gcp", region: "us-central1", registry: "us-docker.pkg.dev/p/r"),
]

/// Runs `body` with `members` and one operator instance managing them; everything is stopped afterwards.
func withOperatorFleet<Result: Sendable>(
    _ members: [FleetMember] = defaultMembers, unpullableImages: String? = nil,
    eventFlushInterval: Duration = KubeRuntimeDefaults.eventSeriesFlushInterval,
    _ body: @escaping @Sendable (OperatorFleet) async throws -> Result
) async throws -> Result {
    try await withMemberEmulators(members.map(\.name), unpullableImages: unpullableImages) { admins in
        try await withOperatorInstance(members, admins: admins, eventFlushInterval: eventFlushInterval) { controller in
            try await body(OperatorFleet(admins: admins, controller: controller))
        }
    }
}

/// Runs `body` with one emulator (simulating workloads, CRD installed) per name.
func withMemberEmulators<Result: Sendable>(
    _ names: [String], unpullableImages: String? = nil, _ body: @escaping @Sendable ([String: EmulatorTestClient]) async throws -> Result
) async throws -> Result {
    func nest(_ index: Int, _ built: [String: EmulatorTestClient]) async throws -> Result {
        guard index < names.count else { return try await body(built) }
        return try await withEmulator({ configuration in
            configuration.name = names[index]
            configuration.simulateWorkloads = true
            configuration.podReadySeconds = 0.2
            configuration.unpullableImages = unpullableImages
        }) { admin in
            let crd = try await admin.post("/apis/apiextensions.k8s.io/v1/customresourcedefinitions", FraudModelCRD.json)
            guard crd.status == 201 else { throw TestFailure("CRD create returned \(crd.status)") }
            return try await nest(index + 1, built.merging([names[index]: admin]) { $1 })
        }
    }
    return try await nest(0, [:])
}

/// Runs `body` while one operator instance (its own clients, informers and controller) runs
/// over `members`, reached through `admins`' emulators. When `body` returns, the instance stops
/// as a process does: its event recorders write what they still hold.
func withOperatorInstance<Result: Sendable>(
    _ members: [FleetMember], admins: [String: EmulatorTestClient], userAgent: String = OperatorFleet.userAgent,
    eventFlushInterval: Duration = KubeRuntimeDefaults.eventSeriesFlushInterval, _ body: @escaping @Sendable (Controller) async throws -> Result
) async throws -> Result {
    var logger = Logger(label: "operator-test")
    logger.logLevel = .error
    var clients: [KubeClient] = []
    var clusters: [Cluster] = []
    var recorders: [String: EventRecorder] = [:]
    for member in members {
        guard let admin = admins[member.name] else { throw TestFailure("no emulator for \(member.name)") }
        var configuration = KubeClientConfiguration(server: admin.emulator.url, namespace: "default", authentication: .none, name: member.name)
        configuration.userAgent = "\(userAgent)/1.0"
        configuration.requestTimeout = .seconds(2)
        let client = try KubeClient(configuration: configuration, logger: logger)
        clients.append(client)
        var options = InformerOptions()
        options.transform = ObjectTransforms.stripManagedFields
        clusters.append(Cluster(name: member.name, client: client, informerOptions: options, logger: logger))
        recorders[member.name] = EventRecorder(client: client, reportingController: "tandem.dev/tandem-operator", reportingInstance: "test",
                                              flushInterval: eventFlushInterval, logger: logger)
    }
    let set = ClusterSet(clusters)
    let (controller, _) = FraudModelController.make(
        members: members, clusters: set, namespace: nil, recorders: recorders,
        options: ControllerOptions(maxConcurrentReconciles: 2), settleTimeout: .seconds(5), logger: logger)
    let watcher = ReachabilityWatcher(clusters: set, controller: controller, namespace: nil, interval: .milliseconds(100))
    let result: Result
    do {
        result = try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { await set.run() }
            group.addTask { await controller.run() }
            group.addTask { await watcher.run() }
            for recorder in recorders.values { group.addTask { await recorder.run() } }
            defer { group.cancelAll() }
            return try await body(controller)
        }
    } catch {
        for client in clients { try? await client.shutdown() }
        throw error
    }
    for client in clients { try? await client.shutdown() }
    return result
}
