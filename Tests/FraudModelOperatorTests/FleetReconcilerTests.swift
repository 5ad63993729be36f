import FraudModelAPI
import FraudModelOperator
@testable import FraudModelPlanning
import KubeAPI
import KubeEmulatorTestSupport
import Testing

/// The FraudModel controller against two in-process emulators that simulate workloads.
@Suite(.serialized) struct FleetReconcilerTests {
    static let name = "fraud-detector"
    var deployment: String { "\(OperatorFleet.deployments)/\(Self.name)" }
    var service: String { "\(OperatorFleet.services)/\(Self.name)" }
    var fraudModel: String { "\(OperatorFleet.fraudModels)/\(Self.name)" }

    func isReady(_ object: JSONValue) -> Bool {
        object[path: ["status", "phase"]] == "Ready" && object[path: ["status", "readyClusters"]] == "2/2"
    }

    @Test func eachClusterServesFromItsRegistryAndEveryCopyShowsTheFleet() async throws {
        try await withOperatorFleet { fleet in
            try await fleet.createEverywhere(OperatorFleet.fraudModel(Self.name, version: "2.1.0"))
            for cluster in ["eks", "gke"] { try await fleet.eventually(cluster, fraudModel, within: .seconds(30), isReady) }
            let eks = try await fleet.eventually("eks", deployment) { _ in true }
            let gke = try await fleet.eventually("gke", deployment) { _ in true }
            #expect(eks[path: ["spec", "template", "spec", "containers"]]?[0]?["image"] == "123.dkr.ecr.us-east-1.amazonaws.com/fraud-detector:2.1.0")
            #expect(gke[path: ["spec", "template", "spec", "containers"]]?[0]?["image"] == "us-docker.pkg.dev/p/r/fraud-detector:2.1.0")
            let managers = eks[path: ["metadata", "managedFields"]]?.arrayValue?.compactMap { $0["manager"]?.stringValue } ?? []
            #expect(managers.contains("tandem-operator"))
            let svc = try await fleet.eventually("gke", service) { _ in true }
            #expect(svc[path: ["spec", "selector", "app.kubernetes.io/instance"]] == .string(Self.name))
            let copy = try await fleet.eventually("gke", fraudModel) { _ in true }
            let rows = copy[path: ["status", "clusters"]]?.arrayValue ?? []
            #expect(rows.compactMap { $0["name"]?.stringValue } == ["eks", "gke"])
            #expect(copy[path: ["status", "servingVersion"]] == "2.1.0")
            #expect(copy[path: ["status", "lastGoodVersion"]] == "2.1.0")
            #expect(copy[path: ["status", "replicas"]] == 2)
        }
    }

    @Test func aConvergedFleetCostsNoWritesAndOthersLabelsSurviveARollout() async throws {
        try await withOperatorFleet { fleet in
            try await fleet.createEverywhere(OperatorFleet.fraudModel(Self.name, version: "2.1.0"))
            for cluster in ["eks", "gke"] { try await fleet.eventually(cluster, fraudModel, within: .seconds(30), isReady) }
            let labelled = try await fleet.admins["eks"]!.patch(deployment, ["metadata": ["labels": ["team": "risk"]]])
            #expect(labelled.status == 200)
            try await Task.sleep(for: .seconds(1))
            let before = try await (fleet.operatorWrites(in: "eks"), fleet.operatorWrites(in: "gke"))
            try await Task.sleep(for: .seconds(3))
            let after = try await (fleet.operatorWrites(in: "eks"), fleet.operatorWrites(in: "gke"))
            #expect(before == after, "writes to a converged fleet: \(before) → \(after)")
            for (_, admin) in fleet.admins {
                let patched = try await admin.patch(fraudModel, ["spec": ["modelVersion": "2.2.0"]])
                #expect(patched.status == 200)
            }
            for cluster in ["eks", "gke"] {
                try await fleet.eventually(cluster, fraudModel, within: .seconds(30)) { isReady($0) && $0[path: ["status", "servingVersion"]] == "2.2.0" }
            }
            let eks = try await fleet.eventually("eks", deployment) { _ in true }
            #expect(eks[path: ["metadata", "labels", "team"]] == "risk")
            #expect(eks[path: ["spec", "template", "metadata", "labels", "app.kubernetes.io/version"]] == "2.2.0")
        }
    }

    @Test func aDeploymentTheOperatorDidNotCreateIsLeftAlone() async throws {
        try await withOperatorFleet { fleet in
            let foreign = Fixtures.deployment(Self.name, image: "someone/else:1", replicas: 1)
            let created = try await fleet.admins["eks"]!.post(OperatorFleet.deployments, foreign)
            #expect(created.status == 201)
            try await fleet.createEverywhere(OperatorFleet.fraudModel(Self.name, version: "2.1.0"))
            let events = try await fleet.eventually("eks", "/apis/events.k8s.io/v1/namespaces/default/events") { list in
                list["items"]?.arrayValue?.contains { $0["reason"] == "ObjectNotManaged" && $0["type"] == "Warning" } == true
            }
            let note = events["items"]?.arrayValue?.first { $0["reason"] == "ObjectNotManaged" }?["note"]?.stringValue ?? ""
            #expect(note.contains("Deployment default/\(Self.name)"))
            let eks = try await fleet.admins["eks"]!.get(deployment).json
            #expect(eks[path: ["spec", "template", "spec", "containers"]]?[0]?["image"] == "someone/else:1")
            #expect(eks[path: ["metadata", "ownerReferences"]] == nil)
            let copy = try await fleet.admins["eks"]!.get(fraudModel).json
            #expect(copy[path: ["status", "phase"]] != "Ready")
        }
    }

    @Test func anOrderNamingAnUnknownClusterIsDegradedInvalidSpec() async throws {
        try await withOperatorFleet { fleet in
            try await fleet.createEverywhere(OperatorFleet.fraudModel(Self.name, version: "2.1.0", rollout: ["order": ["eks", "aks"]]))
            let copy = try await fleet.eventually("eks", fraudModel) { $0[path: ["status", "phase"]] == "Degraded" }
            let degraded = copy[path: ["status", "conditions"]]?.arrayValue?.first { $0["type"] == "Degraded" }
            #expect(degraded?["reason"] == "InvalidSpec")
            #expect(degraded?["message"]?.stringValue?.contains("aks") == true)
            let missing = try await fleet.admins["eks"]!.get(deployment)
            #expect(missing.status == 404)
        }
    }

    @Test func anUnpullableVersionRollsEveryClusterBack() async throws {
        try await withOperatorFleet(unpullableImages: "broken") { fleet in
            try await fleet.createEverywhere(OperatorFleet.fraudModel(Self.name, version: "2.1.0", rollout: ["bakeSeconds": 1, "progressDeadlineSeconds": 2]))
            for cluster in ["eks", "gke"] { try await fleet.eventually(cluster, fraudModel, within: .seconds(30), isReady) }
            for (_, admin) in fleet.admins {
                _ = try await admin.patch(fraudModel, ["spec": ["modelVersion": "3.0.0-broken"]])
            }
            let copy = try await fleet.eventually("gke", fraudModel, within: .seconds(30)) {
                $0[path: ["status", "phase"]] == "Degraded" && $0[path: ["status", "failedVersion"]] == "3.0.0-broken"
            }
            let degraded = copy[path: ["status", "conditions"]]?.arrayValue?.first { $0["type"] == "Degraded" }
            #expect(degraded?["message"]?.stringValue?.contains("ImagePullBackOff") == true)
            for cluster in ["eks", "gke"] {
                try await fleet.eventually(cluster, deployment, within: .seconds(20)) {
                    $0[path: ["spec", "template", "metadata", "labels", "app.kubernetes.io/version"]] == "2.1.0"
                }
            }
            let gke = try await fleet.admins["gke"]!.get(deployment).json
            #expect(gke[path: ["spec", "template", "spec", "containers"]]?[0]?["image"] == "us-docker.pkg.dev/p/r/fraud-detector:2.1.0")
        }
    }

    @Test("back on the good version after a rollback, the converged fleet owes no write: repeated events' counts were written before the status said so")
    func nothingTrailsConvergenceAfterARollbackAndReturn() async throws {
        // Series counts are deferred for an hour: only the converged pass's flush can write them
        // in time; without it, the instance's last flush (as it stops) writes them after convergence.
        try await withMemberEmulators(["eks", "gke"], unpullableImages: "broken") { admins in
            let converged = try await withOperatorInstance(defaultMembers, admins: admins, eventFlushInterval: .seconds(3600)) { controller in
                let fleet = OperatorFleet(admins: admins, controller: controller)
                try await fleet.createEverywhere(OperatorFleet.fraudModel(Self.name, version: "2.1.0", rollout: ["bakeSeconds": 1, "progressDeadlineSeconds": 2]))
                for cluster in ["eks", "gke"] { try await fleet.eventually(cluster, fraudModel, within: .seconds(30), isReady) }
                for version in ["3.0.0-broken", "2.1.0", "3.0.0-broken", "2.1.0"] {
                    for (_, admin) in admins { _ = try await admin.patch(fraudModel, ["spec": ["modelVersion": .string(version)]]) }
                    for cluster in ["eks", "gke"] {
                        try await fleet.eventually(cluster, fraudModel, within: .seconds(30)) { object in
                            version == "2.1.0" ? isReady(object) : object[path: ["status", "failedVersion"]] == "3.0.0-broken"
                        }
                        try await fleet.eventually(cluster, deployment, within: .seconds(30)) {
                            $0[path: ["spec", "template", "metadata", "labels", "app.kubernetes.io/version"]] == "2.1.0"
                                && $0[path: ["status", "updatedReplicas"]] == $0[path: ["spec", "replicas"]]
                        }
                    }
                }
                try await Task.sleep(for: .seconds(2)) // the passes that follow the last status writes
                var writes: [String: Int] = [:]
                for (name, admin) in admins { writes[name] = try await OperatorFleet.operatorWrites(in: admin, includingEvents: true) }
                return writes
            }
            for (name, admin) in admins {
                let after = try await OperatorFleet.operatorWrites(in: admin, includingEvents: true)
                #expect(after == converged[name], "\(name): the operator wrote \(after - (converged[name] ?? 0)) times after the fleet converged")
            }
        }
    }

    @Test func anUnreachableClusterIsShownAndTheOtherKeepsBeingReconciled() async throws {
        try await withOperatorFleet { fleet in
            try await fleet.createEverywhere(OperatorFleet.fraudModel(Self.name, version: "2.1.0"))
            for cluster in ["eks", "gke"] { try await fleet.eventually(cluster, fraudModel, within: .seconds(30), isReady) }
            let gke = fleet.admins["gke"]!
            _ = try await gke.send(.POST, "/_emulator/outage", json: ["mode": "refuse"])
            _ = try await gke.send(.POST, "/_emulator/watches/close")
            let copy = try await fleet.eventually("eks", fraudModel) { object in
                object[path: ["status", "clusters"]]?.arrayValue?.contains { $0["name"] == "gke" && $0["reachable"] == false } == true
            }
            #expect(copy[path: ["status", "phase"]] != "Ready")
            // eks is still reconciled: a replica change reaches its Deployment while gke is away.
            _ = try await fleet.admins["eks"]!.patch(fraudModel, ["spec": ["replicas": 3]])
            try await fleet.eventually("eks", deployment) { $0[path: ["spec", "replicas"]] == 3 }
            _ = try await gke.send(.DELETE, "/_emulator/outage")
            try await fleet.eventually("eks", fraudModel, within: .seconds(30)) { object in
                object[path: ["status", "clusters"]]?.arrayValue?.allSatisfy { $0["reachable"] == true } == true
            }
        }
    }
}

/// One operator instance per cloud: each manages its own cluster and observes the other.
@Suite struct OperatorPerCloudTests {
    static let name = "fraud-detector"

    @Test func eachInstanceWritesOnlyItsOwnClusterAndTheRolloutStillGoesInOrder() async throws {
        let eksOwns = defaultMembers.map { member in
            var member = member
            member.mode = member.name == "eks" ? .manage : .observe
            return member
        }
        let gkeOwns = defaultMembers.map { member in
            var member = member
            member.mode = member.name == "gke" ? .manage : .observe
            return member
        }
        try await withMemberEmulators(["eks", "gke"]) { admins in
            try await withOperatorInstance(eksOwns, admins: admins, userAgent: "tandem-eks-instance") { _ in
                try await withOperatorInstance(gkeOwns, admins: admins, userAgent: "tandem-gke-instance") { controller in
                    let fleet = OperatorFleet(admins: admins, controller: controller)
                    let path = "\(OperatorFleet.fraudModels)/\(Self.name)"
                    try await fleet.createEverywhere(OperatorFleet.fraudModel(Self.name, version: "2.1.0", rollout: ["bakeSeconds": 2]))
                    for cluster in ["eks", "gke"] {
                        try await fleet.eventually(cluster, path, within: .seconds(30)) {
                            $0[path: ["status", "phase"]] == "Ready" && $0[path: ["status", "readyClusters"]] == "2/2"
                        }
                    }
                    for (_, admin) in admins { _ = try await admin.patch(path, ["spec": ["modelVersion": "2.2.0"]]) }
                    let deployment = "\(OperatorFleet.deployments)/\(Self.name)"
                    let version = ["spec", "template", "metadata", "labels", "app.kubernetes.io/version"]
                    try await fleet.eventually("eks", deployment) { $0[path: version] == "2.2.0" }
                    // gke's instance holds gke until eks has served 2.2.0 ready for the bake.
                    #expect(try await admins["gke"]!.get(deployment).json[path: version] == "2.1.0")
                    try await fleet.eventually("gke", deployment, within: .seconds(20)) { $0[path: version] == "2.2.0" }
                    for cluster in ["eks", "gke"] {
                        try await fleet.eventually(cluster, path, within: .seconds(20)) { $0[path: ["status", "servingVersion"]] == "2.2.0" }
                    }
                    // Each instance wrote its own cluster, and only its own.
                    #expect(try await fleet.operatorWrites(in: "eks", userAgent: "tandem-eks-instance") > 0)
                    #expect(try await fleet.operatorWrites(in: "gke", userAgent: "tandem-gke-instance") > 0)
                    #expect(try await fleet.operatorWrites(in: "gke", userAgent: "tandem-eks-instance") == 0)
                    #expect(try await fleet.operatorWrites(in: "eks", userAgent: "tandem-gke-instance") == 0)
                }
            }
        }
    }
}
