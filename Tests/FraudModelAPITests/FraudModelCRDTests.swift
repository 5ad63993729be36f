import FraudModelAPI
import KubeAPI
import Testing

@Suite struct FraudModelCRDTests {
    @Test func committedCRDMatchesTheSwiftTypes() throws {
        let committed = try TestPaths.read("crds/tandem.dev_fraudmodels.yaml")
        let generated = try FraudModelCRD.yaml()
        #expect(committed == generated, "crds/tandem.dev_fraudmodels.yaml is stale: run hack/generate-crd.sh")
    }

    @Test func namesAndSubresources() {
        let spec = FraudModelCRD.json["spec"]
        #expect(spec?["group"] == "tandem.dev")
        #expect(spec?[path: ["names", "shortNames"]] == ["fm"])
        #expect(spec?[path: ["names", "categories"]] == ["tandem", "all"])
        let version = spec?["versions"]?[0]
        #expect(version?["name"] == "v1alpha1")
        #expect(version?[path: ["subresources", "status"]] == .emptyObject)
        #expect(version?[path: ["subresources", "scale", "specReplicasPath"]] == ".spec.replicas")
        #expect(version?[path: ["subresources", "scale", "statusReplicasPath"]] == ".status.replicas")
        let columns = version?["additionalPrinterColumns"]?.arrayValue?.map { "\($0["name"]!.stringValue!)=\($0["jsonPath"]!.stringValue!)" }
        #expect(columns == [
            "Version=.spec.modelVersion", "Serving=.status.servingVersion", "Phase=.status.phase",
            "Clusters=.status.readyClusters", "Age=.metadata.creationTimestamp",
        ])
    }

    @Test func everyFieldHasADescription() {
        var missing: [String] = []
        func walk(_ node: JSONValue, _ path: String) {
            if node["description"]?.stringValue?.isEmpty != false { missing.append(path) }
            for (key, child) in node["properties"]?.objectValue ?? [:] { walk(child, "\(path).\(key)") }
            if let items = node["items"] { walk(items, "\(path)[]") }
            if let values = node["additionalProperties"], values.objectValue != nil { walk(values, "\(path){}") }
        }
        walk(FraudModelCRD.json["spec"]!["versions"]![0]![path: ["schema", "openAPIV3Schema"]]!, "")
        #expect(missing == [])
    }

    /// Every field the Swift types write is in the schema, and the schema has no field the types do not know.
    @Test func schemaAndSwiftTypesHaveTheSameFields() throws {
        let spec = FraudModelSpec(
            modelVersion: "1", image: ImageSpec(repository: "r", tag: "t"), modelSHA256: String(repeating: "a", count: 64),
            resources: ResourceRequirements(limits: ["cpu": "1"], requests: ["cpu": "1"]), model: ModelSource(path: "p", storageURI: "s3://b/k", format: "f"),
            clusters: [ClusterOverride(name: "eks", replicas: 1, registry: "r", model: ClusterModelSource(storageURI: "s3://b/k"))],
            rollout: RolloutSpec(order: ["eks"]),
            traffic: TrafficSpec(
                hostname: "fraud.example.com", primary: "eks", weights: ["eks": 1],
                service: TrafficServiceSpec(annotations: ["a": "b"], loadBalancerSourceRanges: ["10.0.0.0/8"])))
        let status = FraudModelStatus(
            observedGeneration: 1, phase: .ready, servingVersion: "1", readyClusters: "1/1", lastGoodVersion: "1", failedVersion: "2",
            failedRetry: "x", failedRevision: "d",
            revisions: [ServedRevision(
                revision: ModelRevision(
                    version: "1", repository: "r", imageTag: "t", modelSHA256: "s", modelPath: "p", storageURI: "s3://b/k",
                    clusterStorageURIs: ["eks": "s3://b/k"], modelFormat: "f", threshold: 0.5),
                servedAt: "t")],
            replicas: 1,
            clusters: [ClusterStatus(
                name: "eks", provider: "aws", region: "r", desiredVersion: "1", desiredRevision: "d", servingVersion: "1", image: "i", replicas: 1, readyReplicas: 1,
                updatedReplicas: 1, phase: .ready, message: "m", lastTransitionTime: "t")],
            traffic: [ClusterTrafficStatus(
                name: "eks", endpoint: "e", weight: 1, role: .primary, region: "r", state: .serving, reason: "Healthy", message: "m")],
            conditions: [Condition(type: "Ready", status: .true, reason: "R", message: "m", observedGeneration: 1, lastTransitionTime: "t")])
        func paths(_ value: JSONValue, _ prefix: String) -> Set<String> {
            switch value {
            case .object(let members):
                return members.reduce(into: Set<String>()) { result, member in
                    let path = "\(prefix).\(member.key)"
                    result.insert(path)
                    result.formUnion(paths(member.value, path))
                }
            case .array(let elements): return elements.reduce(into: Set<String>()) { $0.formUnion(paths($1, "\(prefix)[]")) }
            default: return []
            }
        }
        func schemaPaths(_ node: JSONValue, _ prefix: String) -> Set<String> {
            var result: Set<String> = []
            for (key, child) in node["properties"]?.objectValue ?? [:] {
                result.insert("\(prefix).\(key)")
                result.formUnion(schemaPaths(child, "\(prefix).\(key)"))
            }
            if let items = node["items"] { result.formUnion(schemaPaths(items, "\(prefix)[]")) }
            return result
        }
        let schema = FraudModelCRD.json["spec"]!["versions"]![0]![path: ["schema", "openAPIV3Schema"]]!
        // limits, requests, weights, annotations and clusterStorageUris are maps: their keys are data, not fields.
        let maps = [".limits.", ".requests.", ".weights.", ".annotations.", ".clusterStorageUris."]
        let written = paths(try JSONValue(encoding: spec), "spec").union(paths(try JSONValue(encoding: status), "status"))
            .filter { path in !maps.contains { path.contains($0) } }
        let published = schemaPaths(schema["properties"]!["spec"]!, "spec").union(schemaPaths(schema["properties"]!["status"]!, "status"))
        #expect(written.subtracting(published) == [])
        #expect(published.subtracting(written) == [])
    }

    @Test func schemaDefaultsAreTheSwiftDefaults() throws {
        let spec = FraudModelCRD.json["spec"]!["versions"]![0]![path: ["schema", "openAPIV3Schema", "properties", "spec", "properties"]]!
        #expect(spec[path: ["replicas", "default"]] == .int(Int64(FraudModelDefaults.replicas)))
        #expect(spec[path: ["port", "default"]] == .int(Int64(FraudModelDefaults.port)))
        #expect(spec[path: ["threshold", "default"]]?.doubleValue == FraudModelDefaults.threshold)
        #expect(spec[path: ["rollout", "properties", "bakeSeconds", "default"]] == .int(Int64(FraudModelDefaults.bakeSeconds)))
        #expect(spec[path: ["rollout", "properties", "onFailure", "enum"]] == ["RollbackAll", "RollbackFailed", "Pause"])
        #expect(spec[path: ["rollout", "properties", "strategy", "enum"]] == ["Sequential", "Parallel"])
        let traffic = spec[path: ["traffic", "properties"]]
        #expect(traffic?[path: ["policy", "default"]] == .string(FraudModelDefaults.trafficPolicy.rawValue))
        #expect(traffic?[path: ["policy", "enum"]] == ["Failover", "Latency", "Weighted"])
        #expect(traffic?[path: ["drainDuringRollout", "default"]] == .bool(FraudModelDefaults.drainDuringRollout))
        #expect(traffic?[path: ["service", "properties", "type", "default"]] == .string(FraudModelDefaults.trafficServiceType.rawValue))
        #expect(traffic?[path: ["service", "default"]] == .emptyObject)
        #expect(traffic?[path: ["weights", "additionalProperties", "maximum"]] == 255)
        #expect(spec[path: ["traffic", "required"]] == ["hostname"])
    }
}
