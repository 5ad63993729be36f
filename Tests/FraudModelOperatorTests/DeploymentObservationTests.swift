import FraudModelOperator
@testable import FraudModelPlanning
import KubeAPI
import Testing

@Suite struct DeploymentObservationTests {
    func deployment(label: String?, image: String, generation: Int64 = 2, observed: Int64 = 2, pde: Bool = false) throws -> Deployment {
        var template: JSONValue = ["spec": ["containers": [["name": "sidecar", "image": "envoy:1"], ["name": "fraud-server", "image": .string(image)]]]]
        if let label { template[path: ["metadata", "labels", "app.kubernetes.io/version"]] = .string(label) }
        var conditions: [JSONValue] = [["type": "Available", "status": "True"]]
        if pde { conditions.append(["type": "Progressing", "status": "False", "reason": "ProgressDeadlineExceeded"]) }
        let json: JSONValue = [
            "metadata": ["name": "fraud-detector", "generation": .int(generation)],
            "spec": ["replicas": 3, "template": template],
            "status": ["observedGeneration": .int(observed), "replicas": 3, "readyReplicas": 2, "updatedReplicas": 3, "availableReplicas": 2, "conditions": .array(conditions)],
        ]
        return try json.decode(as: Deployment.self)
    }

    @Test func readsVersionImageCountsAndConditions() throws {
        let observed = DeploymentObservation(deployment: try deployment(label: "2.1.0", image: "reg:5000/fraud-detector:2.1.0", pde: true))
        var expected = DeploymentObservation(
            version: "2.1.0", image: "reg:5000/fraud-detector:2.1.0", replicas: 3, readyReplicas: 2, updatedReplicas: 3,
            availableReplicas: 2, isCurrent: true, progressDeadlineExceeded: true)
        expected.totalReplicas = 3
        #expect(observed == expected)
    }

    /// Mid rolling update, ready counts old pods too: every replica is updated and as many are
    /// ready, but an old pod still answers, so the new version is not yet served alone.
    @Test func oldPodsStillRunningMeanNotFullyReady() throws {
        let json: JSONValue = [
            "metadata": ["name": "fraud-detector", "generation": 2],
            "spec": ["replicas": 2, "template": ["spec": ["containers": [["name": "fraud-server", "image": "r/f:2.2.0"]]]]],
            "status": ["observedGeneration": 2, "replicas": 3, "readyReplicas": 2, "updatedReplicas": 2, "availableReplicas": 2],
        ]
        var observed = DeploymentObservation(deployment: try json.decode(as: Deployment.self))
        #expect(!observed.isFullyReady)
        observed.totalReplicas = 2
        #expect(observed.isFullyReady)
    }

    @Test func versionFallsBackToTheImageTag() throws {
        #expect(DeploymentObservation(deployment: try deployment(label: nil, image: "reg:5000/fraud-detector:2.2.0")).version == "2.2.0")
        #expect(DeploymentObservation(deployment: try deployment(label: nil, image: "reg:5000/fraud-detector")).version == nil)
        #expect(DeploymentObservation(deployment: try deployment(label: nil, image: "r/f@sha256:abc")).version == nil)
    }

    @Test func staleStatusIsNotCurrent() throws {
        #expect(DeploymentObservation(deployment: try deployment(label: "1", image: "f:1", generation: 3, observed: 2)).isCurrent == false)
    }

    @Test func stuckReasonComesFromWaitingContainers() {
        let pods: [JSONValue] = [
            ["status": ["containerStatuses": [["state": ["running": .emptyObject]]]]],
            ["status": ["containerStatuses": [["state": ["waiting": ["reason": "ContainerCreating"]]]]]],
            ["status": ["containerStatuses": [["state": ["waiting": ["reason": "ImagePullBackOff", "message": "Back-off pulling image"]]]]]],
        ]
        let stuck = DeploymentObservation.stuck(in: pods)
        #expect(stuck?.reason == "ImagePullBackOff")
        #expect(stuck?.message == "Back-off pulling image")
        #expect(DeploymentObservation.stuck(in: Array(pods.prefix(2))) == nil)
    }
}
