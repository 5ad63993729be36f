import FraudModelAPI
import FraudModelOperator
@testable import FraudModelPlanning
import KubeAPI
import KubeEmulatorTestSupport
import Testing

/// Services carry the ExternalDNS annotations of `spec.traffic`, and follow rollout health.
@Suite(.serialized) struct TrafficReconcileTests {
    static let name = "fraud-detector"
    static let weight = "external-dns.kubernetes.io/aws-weight"
    var service: String { "\(OperatorFleet.services)/\(Self.name)" }
    var fraudModel: String { "\(OperatorFleet.fraudModels)/\(Self.name)" }

    func weight(_ service: JSONValue) -> String? {
        service[path: ["metadata", "annotations", Self.weight]]?.stringValue
    }

    @Test func weightsDrainAClusterWhileItRollsAndWhileItIsUnready() async throws {
        try await withOperatorFleet { fleet in
            let traffic: JSONValue = ["hostname": "fraud.api.example.com", "policy": "Weighted", "weights": ["eks": 50, "gke": 50]]
            try await fleet.createEverywhere(OperatorFleet.fraudModel(Self.name, version: "2.1.0", rollout: ["bakeSeconds": 2], extra: ["traffic": traffic]))
            for cluster in ["eks", "gke"] {
                let ready = try await fleet.eventually(cluster, service, within: .seconds(30)) { weight($0) == "50" }
                #expect(ready[path: ["spec", "type"]] == "LoadBalancer")
                #expect(ready[path: ["metadata", "annotations", "external-dns.kubernetes.io/hostname"]] == "fraud.api.example.com")
                #expect(ready[path: ["metadata", "annotations", "external-dns.kubernetes.io/set-identifier"]] == .string(cluster))
            }
            let eksService = try await fleet.admins["eks"]!.get(service).json
            #expect(eksService[path: ["metadata", "annotations", "service.beta.kubernetes.io/aws-load-balancer-type"]] == "external")
            let gkeService = try await fleet.admins["gke"]!.get(service).json
            #expect(gkeService[path: ["metadata", "annotations", "networking.gke.io/load-balancer-type"]] == "Internal", "Internal by default")

            // A rollout drains the moving cluster only, then gives its weight back.
            for (_, admin) in fleet.admins { _ = try await admin.patch(fraudModel, ["spec": ["modelVersion": "2.2.0"]]) }
            try await fleet.eventually("eks", service, within: .seconds(10)) { weight($0) == "0" }
            #expect(weight(try await fleet.admins["gke"]!.get(service).json) == "50")
            try await fleet.eventually("eks", service, within: .seconds(20)) { weight($0) == "50" }
            try await fleet.eventually("gke", service, within: .seconds(20)) { weight($0) == "0" }
            try await fleet.eventually("gke", service, within: .seconds(20)) { weight($0) == "50" }
            let copy = try await fleet.eventually("eks", fraudModel) { $0[path: ["status", "servingVersion"]] == "2.2.0" }
            let trafficReady = copy[path: ["status", "conditions"]]?.arrayValue?.first { $0["type"] == "TrafficReady" }
            #expect(trafficReady?["status"] == "True")
            #expect(copy[path: ["status", "traffic"]]?.arrayValue?.count == 2)

            // gke's pods stop being ready (their image can no longer be pulled): gke is drained.
            let gke = fleet.admins["gke"]!
            _ = try await gke.send(.POST, "/_emulator/images", json: ["unpullable": "fraud-detector:2.2.0"])
            let pods = try await gke.get("/api/v1/namespaces/default/pods?labelSelector=app.kubernetes.io/instance%3D\(Self.name)").json
            for pod in pods["items"]?.arrayValue ?? [] {
                _ = try await gke.delete("/api/v1/namespaces/default/pods/\(pod.name ?? "")")
            }
            try await fleet.eventually("gke", service, within: .seconds(20)) { weight($0) == "0" }
            #expect(weight(try await fleet.admins["eks"]!.get(service).json) == "50")
        }
    }
}
