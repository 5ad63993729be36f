import Foundation
import KubeAPI
import Testing
@testable import KubeNodeAgent

@Suite("Container environment and command")
struct ContainerEnvironmentTests {
    let pod: JSONValue = [
        "metadata": ["name": "web-1", "namespace": "fraud", "uid": "u-1", "labels": ["app": "web"]],
        "spec": ["nodeName": "emulated-node", "serviceAccountName": "server"],
        "status": ["podIP": "10.201.0.7"],
    ]
    let configMap: JSONValue = ["data": ["LEVEL": "debug", "MODE": "fast"]]
    let secret: JSONValue = ["data": ["TOKEN": .string(Data("s3cr3t".utf8).base64EncodedString())]]

    func environment() -> ContainerEnvironment {
        ContainerEnvironment(pod: pod, lookup: { resource, namespace, name in
            guard namespace == "fraud" else { return nil }
            if resource == .configMaps, name == "settings" { return configMap }
            if resource == .secrets, name == "creds" { return secret }
            return nil
        })
    }

    @Test("$(VAR) expands defined names, $$ escapes, unknown names stay as written")
    func expansion() {
        let variables = ["A": "1", "B": "two"]
        #expect(ContainerEnvironment.expand("x$(A)y$(B)", with: variables) == "x1ytwo")
        #expect(ContainerEnvironment.expand("$$(A) $(C) $ $", with: variables) == "$(A) $(C) $ $")
        #expect(ContainerEnvironment.expand("$(A", with: variables) == "$(A")
    }

    @Test("image ENV, service variables, envFrom and env combine in kubelet's order, later ones winning")
    func buildsInOrder() throws {
        let container: JSONValue = [
            "envFrom": [["configMapRef": ["name": "settings"], "prefix": "CFG_"]],
            "env": [
                ["name": "MODEL_PATH", "value": "/override/$(CFG_LEVEL)"],
                ["name": "POD", "valueFrom": ["fieldRef": ["fieldPath": "metadata.name"]]],
                ["name": "IP", "valueFrom": ["fieldRef": ["fieldPath": "status.podIP"]]],
                ["name": "APP", "valueFrom": ["fieldRef": ["fieldPath": "metadata.labels['app']"]]],
                ["name": "TOKEN", "valueFrom": ["secretKeyRef": ["name": "creds", "key": "TOKEN"]]],
                ["name": "GREETING", "value": "hello $(POD) on $(KUBERNETES_SERVICE_HOST)"],
            ],
        ]
        let image = ImageCatalog.Image(reference: "x", command: ["/x"], env: [("MODEL_PATH", "/models/model.json"), ("PATH", "/bin")])
        let built = try environment().build(container: container, image: image, serviceVariables: [("KUBERNETES_SERVICE_HOST", "10.201.255.1")])
        let values = Dictionary(built, uniquingKeysWith: { _, last in last })
        #expect(built.first?.0 == "MODEL_PATH")
        #expect(values["MODEL_PATH"] == "/override/debug")
        #expect(values["CFG_MODE"] == "fast")
        #expect(values["POD"] == "web-1")
        #expect(values["IP"] == "10.201.0.7")
        #expect(values["APP"] == "web")
        #expect(values["TOKEN"] == "s3cr3t")
        #expect(values["GREETING"] == "hello web-1 on 10.201.255.1")
        #expect(values["PATH"] == "/bin")
        #expect(values["HOSTNAME"] == "web-1")
        #expect(Set(built.map(\.0)).count == built.count)
    }

    @Test("a missing ConfigMap or key is CreateContainerConfigError's message; optional ones are skipped")
    func missingReferences() throws {
        let image = ImageCatalog.Image(reference: "x", command: ["/x"])
        #expect(throws: ContainerConfigError.self) {
            try environment().build(container: ["envFrom": [["configMapRef": ["name": "absent"]]]], image: image, serviceVariables: [])
        }
        do {
            _ = try environment().build(container: ["env": [["name": "X", "valueFrom": ["configMapKeyRef": ["name": "settings", "key": "NOPE"]]]]],
                                        image: image, serviceVariables: [])
            Issue.record("expected an error")
        } catch {
            #expect(error.description == "couldn't find key NOPE in ConfigMap fraud/settings")
        }
        let optional = try environment().build(
            container: ["env": [["name": "X", "valueFrom": ["secretKeyRef": ["name": "absent", "key": "K", "optional": true]]]]],
            image: image, serviceVariables: [])
        #expect(!optional.contains { $0.0 == "X" })
    }

    @Test("command replaces ENTRYPOINT and drops CMD; args alone replace CMD")
    func entrypointAndCmd() {
        let image = ImageCatalog.Image(reference: "x", command: ["/entry"], args: ["cmd-arg"])
        #expect(PodWorker.argv(container: [:], image: image) == ["/entry", "cmd-arg"])
        #expect(PodWorker.argv(container: ["args": ["a"]], image: image) == ["/entry", "a"])
        #expect(PodWorker.argv(container: ["command": ["/other"]], image: image) == ["/other"])
        #expect(PodWorker.argv(container: ["command": ["/other"], "args": ["b"]], image: image) == ["/other", "b"])
    }

    @Test("crash-loop back-off messages use Go's duration format")
    func goDurations() {
        #expect(PodWorker.goDuration(.seconds(10)) == "10s")
        #expect(PodWorker.goDuration(.seconds(80)) == "1m20s")
        #expect(PodWorker.goDuration(.seconds(300)) == "5m0s")
    }
}

@Suite("Resource quantities")
struct QuantityTests {
    @Test("binary and decimal suffixes, milli-units and plain numbers", arguments: [
        ("128Mi", 134_217_728.0), ("1Gi", 1_073_741_824), ("500M", 500_000_000), ("2k", 2000),
        ("500m", 0.5), ("1", 1), ("0.25", 0.25), ("1e3", 1000),
    ])
    func parses(text: String, value: Double) {
        #expect(Quantity.parse(text) == value)
    }

    @Test("numbers as JSON numbers; nonsense is nil")
    func jsonAndNonsense() {
        #expect(Quantity.parse(.int(2)) == 2)
        #expect(Quantity.parse("lots") == nil)
        #expect(Quantity.parse(JSONValue?.none) == nil)
    }
}
