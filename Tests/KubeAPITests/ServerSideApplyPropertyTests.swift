import Testing

@testable import KubeAPI
import TandemTestSupport

@Suite("server-side apply: properties")
struct ServerSideApplyPropertyTests {
    let now = ServerSideApplyFixtures.now

    /// A random Deployment-shaped configuration: labels, replicas, containers with env and ports, finalizers.
    func randomConfiguration(_ random: inout SplitMix) -> JSONValue {
        func pick<T>(_ values: [T]) -> T { values[Int(random.next() % UInt64(values.count))] }
        func some(_ values: [String]) -> [String] { values.filter { _ in random.next() % 2 == 0 } }
        var labels: [String: JSONValue] = [:]
        for key in some(["app", "tier", "team"]) { labels[key] = .string(pick(["a", "b"])) }
        var containers: [JSONValue] = []
        for name in some(["app", "sidecar", "proxy"]) {
            var container: [String: JSONValue] = ["name": .string(name), "image": .string(pick(["img:1", "img:2"]))]
            let env = some(["A", "B"]).map { JSONValue.object(["name": .string($0), "value": .string(pick(["x", "y"]))]) }
            if !env.isEmpty { container["env"] = .array(env) }
            let ports = some(["80", "443"]).map { JSONValue.object(["containerPort": .int(Int64($0)!)]) }
            if !ports.isEmpty { container["ports"] = .array(ports) }
            if random.next() % 3 == 0 { container["args"] = .array(some(["--a", "--b"]).map { .string($0) }) }
            containers.append(.object(container))
        }
        var metadata: [String: JSONValue] = ["name": "web", "namespace": "default"]
        if !labels.isEmpty { metadata["labels"] = .object(labels) }
        let finalizers = some(["example.com/a", "example.com/b"])
        if !finalizers.isEmpty { metadata["finalizers"] = .array(finalizers.map { .string($0) }) }
        var spec: [String: JSONValue] = [:]
        if random.next() % 2 == 0 { spec["replicas"] = .int(Int64(random.next() % 4)) }
        if !containers.isEmpty { spec["template"] = ["spec": ["containers": .array(containers)]] }
        var configuration: [String: JSONValue] = ["apiVersion": "apps/v1", "kind": "Deployment", "metadata": .object(metadata)]
        if !spec.isEmpty { configuration["spec"] = .object(spec) }
        return .object(configuration)
    }

    /// The object's fields, less those kube-apiserver never records, with structures that hold owned fields as members.
    func ownableFields(of object: JSONValue) -> FieldSet {
        let walker = ObjectFieldWalker(schema: .kubernetes)
        var bare = object
        bare[path: ["metadata", "managedFields"]] = nil
        return walker.ensuringNamedFieldsAreMembers(walker.fieldSet(of: bare)).subtracting(FieldOwnershipUpdater.strippedFields)
    }

    func ownedFields(of object: JSONValue) throws -> FieldSet {
        let walker = ObjectFieldWalker(schema: .kubernetes)
        let union = try ManagedFieldsEntry.entries(of: object).reduce(FieldSet()) { $0.union($1.fields) }
        return walker.ensuringNamedFieldsAreMembers(union).subtracting(FieldOwnershipUpdater.strippedFields)
    }

    @Test("applying the same configuration twice changes nothing the second time", arguments: 0..<100)
    func applyIsIdempotent(seed: UInt64) throws {
        var random = SplitMix(seed: seed)
        var live: JSONValue? = nil
        for manager in ["alice", "bob", "alice"] {
            let configuration = randomConfiguration(&random)
            let once = try ServerSideApply.apply(configuration, to: live, manager: manager, force: true, now: now)
            let twice = try ServerSideApply.apply(configuration, to: once, manager: manager, force: false, now: "2030-01-01T00:00:00Z")
            #expect(twice == once, "seed \(seed), manager \(manager)")
            live = once
        }
    }

    @Test("the union of all managers' fields is exactly the object's fields, after any mix of applies and updates", arguments: 0..<100)
    func ownershipCoversTheObject(seed: UInt64) throws {
        var random = SplitMix(seed: seed)
        var live: JSONValue? = nil
        for step in 0..<6 {
            let configuration = randomConfiguration(&random)
            let manager = ["alice", "bob", "carol"][Int(random.next() % 3)]
            if random.next() % 3 == 0 {
                // A PUT of the configuration as a whole (a client-side write).
                var replacement = configuration
                if let live { replacement[path: ["metadata", "managedFields"]] = live[path: ["metadata", "managedFields"]] }
                if let uid = live?[path: ["metadata", "uid"]] { replacement[path: ["metadata", "uid"]] = uid }
                let written = ServerSideApply.recordUpdate(from: live, to: replacement, manager: manager, now: now)
                live = written[path: ["metadata", "managedFields"]] == nil && live != nil ? live : written
            } else {
                var created = try ServerSideApply.apply(configuration, to: live, manager: manager, force: true, now: now)
                created[path: ["metadata", "uid"]] = "uid-1"
                live = created
            }
            let object = try #require(live)
            #expect(try ownedFields(of: object) == ownableFields(of: object), "seed \(seed), step \(step)")
        }
    }
}
