import FraudModelAPI
import KubeAPI
import KubeEmulatorTestSupport
import Testing

@Suite struct TrafficSpecTests {
    static func model(traffic: JSONValue) -> JSONValue {
        var json = FraudModelDecodingTests.minimal
        json[path: ["spec", "traffic"]] = traffic
        return json
    }

    func problems(_ traffic: JSONValue) -> [FraudModelDecodingError.Problem] {
        do {
            _ = try FraudModel(json: Self.model(traffic: traffic))
            return []
        } catch {
            return error.problems
        }
    }

    @Test func absentTrafficStaysAbsent() throws {
        #expect(try FraudModel(json: FraudModelDecodingTests.minimal).spec.traffic == nil)
    }

    @Test func hostnameAloneGetsEveryDefault() throws {
        let traffic = try #require(try FraudModel(json: Self.model(traffic: ["hostname": "fraud.api.example.com"])).spec.traffic)
        #expect(traffic == TrafficSpec(hostname: "fraud.api.example.com"))
        #expect(traffic.policy == .weighted)
        #expect(traffic.service == TrafficServiceSpec(type: .loadBalancer, annotations: nil))
        #expect(traffic.drainDuringRollout)
        #expect(traffic.weight(for: "eks") == 1)
    }

    @Test func everyFieldDecodes() throws {
        let traffic = try #require(try FraudModel(json: Self.model(traffic: [
            "hostname": "fraud.api.example.com", "policy": "Failover", "primary": "eks", "weights": ["eks": 50, "gke": 0],
            "service": ["type": "NodePort", "annotations": ["external-dns.kubernetes.io/ttl": "60"]], "drainDuringRollout": false,
        ])).spec.traffic)
        #expect(traffic.policy == .failover)
        #expect(traffic.primary == "eks")
        #expect(traffic.weight(for: "eks") == 50)
        #expect(traffic.weight(for: "gke") == 0)
        #expect(traffic.weight(for: "aks") == 1)
        #expect(traffic.service.type == .nodePort)
        #expect(traffic.service.annotations == ["external-dns.kubernetes.io/ttl": "60"])
        #expect(!traffic.drainDuringRollout)
    }

    @Test func hostnameIsRequiredAndMustBeADNSName() {
        #expect(problems(["policy": "Weighted"]).map(\.field) == ["spec.traffic.hostname"])
        for bad in ["fraud", "Fraud.example.com", "fraud_api.example.com", "-fraud.example.com", "fraud.example.com.", "",
                    String(repeating: "a", count: 64) + ".example.com",
                    Array(repeating: String(repeating: "a", count: 63), count: 4).joined(separator: ".") + ".com"] {
            #expect(problems(["hostname": .string(bad)]).map(\.field) == ["spec.traffic.hostname"], "\(bad)")
        }
        for good in ["fraud.api.example.com", "a.b", "fraud-1.example.com"] {
            #expect(problems(["hostname": .string(good)]) == [], "\(good)")
        }
    }

    @Test func failoverNeedsAPrimaryThatIsADNSLabel() {
        let missing = problems(["hostname": "f.example.com", "policy": "Failover"])
        #expect(missing.map(\.field) == ["spec.traffic.primary"])
        #expect(missing.first?.message.hasPrefix("Required value") == true)
        #expect(problems(["hostname": "f.example.com", "policy": "Failover", "primary": "EKS"]).map(\.field) == ["spec.traffic.primary"])
        #expect(problems(["hostname": "f.example.com", "policy": "Failover", "primary": "eks"]) == [])
        #expect(problems(["hostname": "f.example.com", "policy": "Latency"]) == [])
    }

    @Test func weightsAreBetween0And255ForClusterNames() {
        #expect(problems(["hostname": "f.example.com", "weights": ["eks": 0, "gke": 255]]) == [])
        let found = problems(["hostname": "f.example.com", "weights": ["eks": 256, "gke": -1, "Bad_Name": 1]])
        #expect(found.map(\.field) == ["spec.traffic.weights.Bad_Name", "spec.traffic.weights.eks", "spec.traffic.weights.gke"])
        #expect(found.first { $0.field == "spec.traffic.weights.eks" }?.message == "must be between 0 and 255, got 256")
        #expect(problems(["hostname": "f.example.com", "weights": ["eks": "fifty"]]).map(\.field) == ["spec.traffic.weights.eks"])
    }

    @Test func routingAnnotationsAreRefusedUnderEitherPrefix() {
        for key in ["external-dns.kubernetes.io/aws-weight", "external-dns.alpha.kubernetes.io/hostname",
                    "external-dns.kubernetes.io/set-identifier", "external-dns.kubernetes.io/aws-failover",
                    "external-dns.alpha.kubernetes.io/aws-region"] {
            let found = problems(["hostname": "f.example.com", "service": ["annotations": [key: "x"]]])
            #expect(found.map(\.field) == ["spec.traffic.service.annotations[\(key)]"], "\(key)")
        }
        let allowed: JSONValue = [
            "external-dns.kubernetes.io/aws-health-check-id": "abc", "external-dns.kubernetes.io/ttl": "60",
            "service.beta.kubernetes.io/aws-load-balancer-scheme": "internal",
        ]
        #expect(problems(["hostname": "f.example.com", "service": ["annotations": allowed]]) == [])
    }

    @Test func externalDNSKeysThatPublishOtherRecordsAreRefused() {
        for key in ["external-dns.kubernetes.io/target", "external-dns.alpha.kubernetes.io/target",
                    "external-dns.kubernetes.io/internal-hostname", "external-dns.kubernetes.io/alias",
                    "external-dns.kubernetes.io/cloudflare-proxied"] {
            let found = problems(["hostname": "f.example.com", "service": ["annotations": [key: "x"]]])
            #expect(found.map(\.field) == ["spec.traffic.service.annotations[\(key)]"], "\(key)")
            #expect(found.first?.message.contains("aws-health-check-id and ttl") == true)
        }
    }

    @Test func exposureDefaultsToInternalAndSourceRangesMustBeCIDRs() throws {
        let defaulted = try #require(try FraudModel(json: Self.model(traffic: ["hostname": "f.example.com"])).spec.traffic)
        #expect(defaulted.exposure == .internal)
        let open = try #require(try FraudModel(json: Self.model(traffic: [
            "hostname": "f.example.com", "exposure": "Internet", "service": ["loadBalancerSourceRanges": ["203.0.113.0/24", "2001:db8::/32"]],
        ])).spec.traffic)
        #expect(open.exposure == .internet)
        #expect(open.service.loadBalancerSourceRanges == ["203.0.113.0/24", "2001:db8::/32"])
        #expect(problems(["hostname": "f.example.com", "exposure": "Public"]).map(\.field) == ["spec.traffic.exposure"])
        let bad: [JSONValue] = ["10.0.0.0", "10.0.0.0/33", "10.0.0/8", "2001:db8::/129", "fe80::1%eth0/64", "10.0.0.0/+8", " 10.0.0.0/8", "any"]
        let found = problems(["hostname": "f.example.com", "service": ["loadBalancerSourceRanges": .array(bad + ["0.0.0.0/0", "::/0"])]])
        #expect(found.map(\.field) == (0..<bad.count).map { "spec.traffic.service.loadBalancerSourceRanges[\($0)]" })
        #expect(found.first?.message == #""10.0.0.0" is not a CIDR such as "10.0.0.0/8" or "2001:db8::/32""#)
    }

    @Test func badEnumsAreNamed() {
        #expect(problems(["hostname": "f.example.com", "policy": "RoundRobin"]).map(\.field) == ["spec.traffic.policy"])
        #expect(problems(["hostname": "f.example.com", "service": ["type": "ExternalName"]]).map(\.field) == ["spec.traffic.service.type"])
    }

    @Test func trafficStatusIsWrittenAndReadLeniently() throws {
        var json = FraudModelDecodingTests.minimal
        json["status"] = ["traffic": [
            ["name": "eks", "endpoint": "nlb.amazonaws.com", "weight": "ten", "role": "PRIMARY", "state": "Serving"],
            ["nope": true],
        ]]
        let model = try FraudModel(json: json)
        #expect(model.status?.traffic == [ClusterTrafficStatus(name: "eks", endpoint: "nlb.amazonaws.com", role: .primary, state: .serving)])
        let row = ClusterTrafficStatus(name: "gke", endpoint: "34.1.2.3", weight: 0, state: .drained, reason: "Degraded", message: "m")
        let written = try model.updatingStatus(FraudModelStatus(traffic: [row]))
        #expect(written[path: ["status", "traffic"]]?.arrayValue?.first?["weight"] == 0)
        #expect(written[path: ["status", "traffic"]]?.arrayValue?.first?["state"] == "Drained")
        let cleared = try model.updatingStatus(FraudModelStatus())
        #expect(cleared[path: ["status", "traffic"]] == nil)
    }

    @Test func emulatorStoresTrafficDefaultsAndRejectsWhatTheSwiftTypesReject() async throws {
        try await withEmulator { client in
            let crd = try await client.post(FraudModelEmulatorTests.crds, FraudModelCRD.json)
            #expect(crd.status == 201, "\(crd.text)")
            var object = Self.model(traffic: ["hostname": "fraud.api.example.com"])
            object["metadata"] = ["name": "with-traffic"]
            let created = try await client.post(FraudModelEmulatorTests.fraudModels, object)
            #expect(created.status == 201, "\(created.text)")
            #expect(created.json[path: ["spec", "traffic"]] == [
                "hostname": "fraud.api.example.com", "policy": "Weighted", "drainDuringRollout": true, "service": ["type": "LoadBalancer"],
                "exposure": "Internal",
            ])
            #expect(try FraudModel(json: created.json).spec.traffic == TrafficSpec(hostname: "fraud.api.example.com"))
            let cases: [(JSONValue, Set<String>)] = [
                (["hostname": "fraud"], ["spec.traffic.hostname"]),
                (["hostname": "f.example.com", "weights": ["eks": 256]], ["spec.traffic.weights.eks"]),
                (["hostname": "f.example.com", "policy": "Random"], ["spec.traffic.policy"]),
                (["hostname": "f.example.com", "primary": "EKS"], ["spec.traffic.primary"]),
                (["policy": "Weighted"], ["spec.traffic.hostname"]),
            ]
            for (index, (traffic, fields)) in cases.enumerated() {
                var bad = Self.model(traffic: traffic)
                bad["metadata"] = ["name": .string("bad-traffic-\(index)")]
                let response = try await client.post(FraudModelEmulatorTests.fraudModels, bad)
                #expect(response.status == 422, "case \(index): \(response.text)")
                #expect(Set(response.statusObject?.causes.compactMap(\.field) ?? []) == fields, "case \(index): \(response.text)")
                #expect(Set(problems(traffic).map(\.field)) == fields, "case \(index)")
            }
        }
    }
}
