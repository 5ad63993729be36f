import FraudModelAPI
import FraudModelOperator
@testable import FraudModelPlanning
import KubeAPI
import Testing

/// The Deployment and Service the operator applies, and when it skips applying.
@Suite struct ServingResourceTests {
    func model(_ spec: JSONValue, uid: String = "uid-1") throws -> FraudModel {
        try FraudModel(json: [
            "apiVersion": "tandem.dev/v1alpha1", "kind": "FraudModel",
            "metadata": ["name": "fraud-detector", "namespace": "fraud", "uid": .string(uid), "generation": 2],
            "spec": spec,
        ])
    }

    func target(_ model: FraudModel) -> DeploymentTarget {
        DeploymentTarget(revision: ModelRevision(spec: model.spec), image: "123.dkr.ecr.us-east-1.amazonaws.com/fraud-detector:2.2.0", replicas: 4)
    }

    @Test func deploymentRunsTheTargetWithTheModelSettingsAndRestrictedPods() throws {
        let fraudModel = try model([
            "modelVersion": "2.2.0", "image": ["repository": "fraud-detector", "pullPolicy": "Always"],
            "modelSHA256": .string(String(repeating: "ab", count: 32)), "threshold": 0.7, "port": 9090,
            "model": ["path": "/models/m.json", "format": "xgboost_json"],
            "resources": ["limits": ["cpu": "1"]],
        ])
        let target = target(fraudModel)
        let deployment = ServingDeployment.configuration(for: fraudModel, target: target)
        #expect(deployment[path: ["metadata", "name"]] == "fraud-detector")
        #expect(deployment[path: ["metadata", "namespace"]] == "fraud")
        let labels = deployment[path: ["metadata", "labels"]]
        #expect(labels?["app.kubernetes.io/name"] == "fraud-server")
        #expect(labels?["app.kubernetes.io/instance"] == "fraud-detector")
        #expect(labels?["app.kubernetes.io/version"] == "2.2.0")
        #expect(labels?["app.kubernetes.io/managed-by"] == "tandem-operator")
        let owner = deployment[path: ["metadata", "ownerReferences"]]?[0]
        #expect(owner?["kind"] == "FraudModel" && owner?["uid"] == "uid-1" && owner?["controller"] == true)
        #expect(deployment[path: ["spec", "replicas"]] == 4)
        #expect(deployment[path: ["spec", "selector", "matchLabels"]] == ["app.kubernetes.io/name": "fraud-server", "app.kubernetes.io/instance": "fraud-detector"])
        #expect(deployment[path: ["spec", "strategy", "rollingUpdate", "maxUnavailable"]] == 0)
        #expect(deployment[path: ["spec", "template", "metadata", "labels", "app.kubernetes.io/version"]] == "2.2.0")
        let container = try #require(deployment[path: ["spec", "template", "spec", "containers"]]?[0])
        #expect(container["name"] == "fraud-server")
        #expect(container["image"] == .string(target.image))
        #expect(container["imagePullPolicy"] == "Always")
        #expect(container[path: ["readinessProbe", "httpGet", "path"]] == "/v2/health/ready")
        #expect(container[path: ["livenessProbe", "httpGet", "path"]] == "/v2/health/live")
        for probe in ["readinessProbe", "livenessProbe", "startupProbe"] {
            #expect((container[path: [probe, "timeoutSeconds"]]?.intValue ?? 0) >= 2, "\(probe) has a timeout")
        }
        #expect(container[path: ["startupProbe", "httpGet", "path"]] == "/v2/health/live")
        #expect(container[path: ["startupProbe", "failureThreshold"]] == 90, "3 minutes to load a model before liveness counts")
        #expect(container["ports"]?[0]?["containerPort"] == 9090)
        #expect(container["ports"]?[1] == ["name": "metrics", "containerPort": 9091, "protocol": "TCP"])
        #expect(container[path: ["resources", "limits", "cpu"]] == "1")
        #expect(container[path: ["resources", "requests"]] == nil, "with limits alone, Kubernetes makes the requests equal to them")
        var environment: [String: String] = [:]
        for variable in container["env"]?.arrayValue ?? [] {
            environment[variable["name"]?.stringValue ?? ""] = variable["value"]?.stringValue
        }
        #expect(environment == [
            "MODEL_NAME": "fraud-detector", "MODEL_VERSION": "2.2.0", "MODEL_SHA256": String(repeating: "ab", count: 32),
            "THRESHOLD": "0.7", "PORT": "9090", "METRICS_PORT": "9091", "MODEL_PATH": "/models/m.json", "MODEL_FORMAT": "xgboost_json",
            "SHUTDOWN_DELAY_SECONDS": "5",
        ])
        #expect(deployment[path: ["spec", "template", "spec", "terminationGracePeriodSeconds"]] == 30)
        #expect(deployment[path: ["spec", "template", "metadata", "annotations", "tandem.dev/revision"]] == .string(target.revision.digest))
        #expect(container[path: ["securityContext", "allowPrivilegeEscalation"]] == false)
        #expect(container[path: ["securityContext", "readOnlyRootFilesystem"]] == true)
        #expect(container[path: ["securityContext", "capabilities", "drop"]] == ["ALL"])
        #expect(deployment[path: ["spec", "template", "spec", "securityContext", "runAsNonRoot"]] == true)
        #expect(deployment[path: ["spec", "template", "spec", "securityContext", "seccompProfile", "type"]] == "RuntimeDefault")
    }

    @Test func withoutModelSourceTheImageDefaultsApply() throws {
        let fraudModel = try model(["modelVersion": "2.2.0", "image": ["repository": "r"]])
        let deployment = ServingDeployment.configuration(for: fraudModel, target: target(fraudModel))
        let names = deployment[path: ["spec", "template", "spec", "containers"]]?[0]?["env"]?.arrayValue?.compactMap { $0["name"]?.stringValue }
        #expect(names == ["MODEL_NAME", "MODEL_VERSION", "THRESHOLD", "PORT", "METRICS_PORT", "SHUTDOWN_DELAY_SECONDS"])
        let resources = deployment[path: ["spec", "template", "spec", "containers"]]?[0]?["resources"]
        #expect(resources == ["requests": ["cpu": "250m", "memory": "256Mi"]], "without spec.resources the pod still requests room")
    }

    @Test func theDeploymentRunsTheTargetRevisionNotTheLiveSpecsModelSettings() throws {
        // A rollback: the spec asks for 2.3.0 with its checksum and threshold; the target is
        // the last good revision, which must run with its own.
        let fraudModel = try model([
            "modelVersion": "2.3.0", "image": ["repository": "fraud-detector"], "threshold": 0.9, "port": 9090,
            "modelSHA256": .string(String(repeating: "cd", count: 32)), "model": ["path": "/models/new.txt", "format": "lightgbm_text"],
        ])
        let good = ModelRevision(
            version: "2.2.0", repository: "fraud-detector", modelSHA256: String(repeating: "ab", count: 32), modelPath: "/models/old.json",
            modelFormat: "xgboost_json", threshold: 0.4)
        let deployment = ServingDeployment.configuration(for: fraudModel, target: DeploymentTarget(revision: good, image: "reg/fraud-detector:2.2.0", replicas: 2))
        let container = try #require(deployment[path: ["spec", "template", "spec", "containers"]]?[0])
        var environment: [String: String] = [:]
        for variable in container["env"]?.arrayValue ?? [] {
            environment[variable["name"]?.stringValue ?? ""] = variable["value"]?.stringValue
        }
        #expect(environment["MODEL_VERSION"] == "2.2.0")
        #expect(environment["MODEL_SHA256"] == String(repeating: "ab", count: 32))
        #expect(environment["MODEL_PATH"] == "/models/old.json")
        #expect(environment["MODEL_FORMAT"] == "xgboost_json")
        #expect(environment["THRESHOLD"] == "0.4")
        #expect(environment["PORT"] == "9090", "the port is not part of a revision: it follows the live spec")
        #expect(container["image"] == "reg/fraud-detector:2.2.0")
        // What the operator reads back from that Deployment is the same revision.
        let observed = DeploymentObservation(deployment: try Deployment(kubeJSON: deployment), registry: "reg")
        #expect(observed.revision == good)
    }

    @Test func serviceSelectsThePodsOnPort80WithTheTrafficShape() throws {
        let fraudModel = try model(["modelVersion": "2.2.0", "image": ["repository": "r"]])
        let plain = ServingService.configuration(for: fraudModel, version: "2.2.0", traffic: nil)
        #expect(plain[path: ["spec", "type"]] == "ClusterIP")
        #expect(plain[path: ["metadata", "annotations"]] == nil)
        #expect(plain[path: ["spec", "selector"]] == ["app.kubernetes.io/name": "fraud-server", "app.kubernetes.io/instance": "fraud-detector"])
        #expect(plain[path: ["spec", "ports"]]?[0]?["port"] == 80)
        #expect(plain[path: ["spec", "ports"]]?[0]?["targetPort"] == "http")
        #expect(plain[path: ["spec", "ports"]]?.arrayValue?.count == 1, "only predictions pass the Service; metrics stay on the pods")
        #expect(plain[path: ["spec", "loadBalancerSourceRanges"]] == nil)
        let balanced = ServingService.configuration(
            for: fraudModel, version: "2.2.0",
            traffic: ServiceTraffic(cluster: "eks", type: .loadBalancer, annotations: ["a": "b"], loadBalancerSourceRanges: ["203.0.113.0/24"]))
        #expect(balanced[path: ["spec", "type"]] == "LoadBalancer")
        #expect(balanced[path: ["metadata", "annotations", "a"]] == "b")
        #expect(balanced[path: ["spec", "loadBalancerSourceRanges"]] == ["203.0.113.0/24"])
    }

    @Test func aLiveObjectIsCurrentOnlyWithTheSameHashAndNoDrift() throws {
        let fraudModel = try model(["modelVersion": "2.2.0", "image": ["repository": "r"], "resources": ["requests": ["cpu": "1000m"]]])
        let stamped = AppliedConfiguration.stamped(ServingDeployment.configuration(for: fraudModel, target: target(fraudModel)))
        #expect(!AppliedConfiguration.isCurrent(nil, stamped: stamped))
        // What the server returns: defaults added, quantities canonicalised, others' labels.
        var live = stamped
        live[path: ["metadata", "labels", "team"]] = "risk"
        live[path: ["metadata", "uid"]] = "d-1"
        live[path: ["spec", "revisionHistoryLimit"]] = 10
        live[path: ["spec", "template", "spec", "containers"]] = .array([
            {
                var container = stamped[path: ["spec", "template", "spec", "containers"]]![0]!
                container["terminationMessagePath"] = "/dev/termination-log"
                container[path: ["resources", "requests", "cpu"]] = "1"
                return container
            }(),
            ["name": "istio-proxy", "image": "istio/proxyv2"],
        ])
        #expect(AppliedConfiguration.isCurrent(live, stamped: stamped))
        // Someone changed an owned field: drift.
        var drifted = live
        drifted[path: ["spec", "replicas"]] = 1
        #expect(!AppliedConfiguration.isCurrent(drifted, stamped: stamped))
        // A new desired configuration: a different hash.
        let newer = AppliedConfiguration.stamped(ServingDeployment.configuration(
            for: fraudModel, target: DeploymentTarget(revision: ModelRevision(version: "2.3.0", repository: "r"), image: "r:2.3.0", replicas: 4)))
        #expect(!AppliedConfiguration.isCurrent(live, stamped: newer))
        #expect(stamped[path: ["metadata", "annotations", "tandem.dev/config-hash"]] != newer[path: ["metadata", "annotations", "tandem.dev/config-hash"]])
    }
}
