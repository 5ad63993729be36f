import AsyncHTTPClient
import NIOCore
import Foundation
import KubeAPI
import KubeEmulator
import KubeEmulatorTestSupport
import Testing

/// Pods that run for real: needs root, as CI and the dev machines run; traffic goes only to
/// loopback load-balancer addresses and to the emulator's own pod network.
@Suite("Pods run for real (kube-emulator --run-pods)", .serialized)
struct RunPodsTests {
    @Test("a fraud-server Deployment is Ready only once /v2/health/ready answers, and its LoadBalancer serves predictions")
    func fraudServerServes() async throws {
        try await RunPods.withCluster { client in
            _ = try await client.post("/apis/apps/v1/namespaces/default/deployments", RunPods.fraudDeployment("good"))
            _ = try await client.post("/apis/apps/v1/namespaces/default/deployments", RunPods.fraudDeployment("bad", sha256: String(repeating: "0", count: 64), replicas: 1))
            _ = try await client.post("/api/v1/namespaces/default/services", RunPods.loadBalancer("good"))
            try await client.eventually("/apis/apps/v1/namespaces/default/deployments/good", within: .seconds(30)) {
                $0[path: ["status", "readyReplicas"]]?.intValue == 2
            }
            let service = try await client.eventually("/api/v1/namespaces/default/services/good") {
                $0[path: ["status", "loadBalancer", "ingress"]]?.arrayValue?.first?["ip"] != nil
            }
            let address = try #require(service[path: ["status", "loadBalancer", "ingress"]]?.arrayValue?.first?["ip"]?.stringValue)
            #expect(address.hasPrefix("127."))
            try await client.eventually("/api/v1/namespaces/default/endpoints/good") {
                ($0["subsets"]?.arrayValue?.first?["addresses"]?.arrayValue?.count ?? 0) == 2
            }
            let row = Array(repeating: "0.5", count: 30).joined(separator: ",")
            var request = HTTPClientRequest(url: "http://\(address)/predict")
            request.method = .POST
            request.headers.add(name: "content-type", value: "application/json")
            request.body = .bytes(ByteBuffer(string: "[[\(row)]]"))
            let response = try await client.http.execute(request, timeout: .seconds(10))
            let body = String(buffer: try await response.body.collect(upTo: 1 << 20))
            #expect(response.status.code == 200, "\(body)")
            #expect(body.contains("\"model_version\":\"2.1.0\""), "\(body)")

            // The checksum mismatch never passes its readiness probe, though its process runs.
            let pods = try await client.get("/api/v1/namespaces/default/pods?labelSelector=app%3Dbad").json
            let bad = try #require(pods["items"]?.arrayValue?.first)
            #expect(!RunPods.isReady(bad))
            #expect(RunPods.containerStatus(bad)[path: ["state", "running"]] != nil)
        }
    }

    @Test("a crashing container restarts with a growing back-off and reports CrashLoopBackOff and its last exit")
    func crashLoop() async throws {
        try await RunPods.withCluster { client in
            _ = try await client.post("/api/v1/namespaces/default/pods", RunPods.pod("crash", containers: [[
                "name": "main", "image": "shell:1", "command": ["/bin/sh", "-c", "echo attempt; exit 3"],
            ]]))
            let crashed = try await client.eventually("/api/v1/namespaces/default/pods/crash", within: .seconds(20)) {
                (RunPods.containerStatus($0)["restartCount"]?.intValue ?? 0) >= 3
            }
            let status = RunPods.containerStatus(crashed)
            #expect(status[path: ["lastState", "terminated", "exitCode"]]?.intValue == 3)
            #expect(status[path: ["lastState", "terminated", "reason"]]?.stringValue == "Error")
            let waiting = try await client.eventually("/api/v1/namespaces/default/pods/crash") {
                RunPods.containerStatus($0)[path: ["state", "waiting", "reason"]]?.stringValue == "CrashLoopBackOff"
            }
            let message = RunPods.containerStatus(waiting)[path: ["state", "waiting", "message"]]?.stringValue ?? ""
            #expect(message.hasPrefix("back-off ") && message.contains("restarting failed container=main pod=crash_default("), "\(message)")
            // Restarts slow down: 0 s, 0.5 s, 1 s, 2 s, 2 s … so 3 more restarts take more than 3 s.
            let started = ContinuousClock.now
            let before = RunPods.containerStatus(crashed)["restartCount"]?.intValue ?? 0
            try await client.eventually("/api/v1/namespaces/default/pods/crash", within: .seconds(20)) {
                (RunPods.containerStatus($0)["restartCount"]?.intValue ?? 0) >= before + 3
            }
            #expect(ContinuousClock.now - started > .seconds(3))
            let logs = try await client.get("/api/v1/namespaces/default/pods/crash/log?previous=true")
            #expect(logs.text == "attempt\n")
            let events = try await client.get("/api/v1/namespaces/default/events?fieldSelector=involvedObject.name%3Dcrash").json
            let reasons = Set((events["items"]?.arrayValue ?? []).compactMap { $0["reason"]?.stringValue })
            #expect(reasons.isSuperset(of: ["Pulled", "Created", "Started", "BackOff"]), "\(reasons)")
            let startedEvent = (events["items"]?.arrayValue ?? []).first { $0["reason"] == "Started" }
            #expect((startedEvent?["count"]?.intValue ?? 0) >= 3, "repeats are counted on one Event")
        }
    }

    @Test("kubelet's waiting reasons: unknown image, missing executable, missing ConfigMap")
    func waitingReasons() async throws {
        try await RunPods.withCluster { client in
            _ = try await client.post("/api/v1/namespaces/default/pods", RunPods.pod("unknown-image", containers: [["name": "c", "image": "nowhere:9"]]))
            _ = try await client.post("/api/v1/namespaces/default/pods", RunPods.pod("no-binary", containers: [[
                "name": "c", "image": "shell:1", "command": ["/does/not/exist"],
            ]]))
            _ = try await client.post("/api/v1/namespaces/default/pods", RunPods.pod("no-config", containers: [[
                "name": "c", "image": "shell:1", "envFrom": [["configMapRef": ["name": "absent"]]],
            ]]))
            let pulling = try await client.eventually("/api/v1/namespaces/default/pods/unknown-image") {
                RunPods.containerStatus($0)[path: ["state", "waiting", "reason"]]?.stringValue == "ImagePullBackOff"
            }
            #expect(RunPods.containerStatus(pulling)[path: ["state", "waiting", "message"]]?.stringValue == "Back-off pulling image \"nowhere:9\"")
            let missing = try await client.eventually("/api/v1/namespaces/default/pods/no-binary") {
                RunPods.containerStatus($0)[path: ["lastState", "terminated", "reason"]]?.stringValue == "StartError"
            }
            #expect(RunPods.containerStatus(missing)[path: ["lastState", "terminated", "message"]]?.stringValue?.contains("/does/not/exist") == true)
            let config = try await client.eventually("/api/v1/namespaces/default/pods/no-config") {
                RunPods.containerStatus($0)[path: ["state", "waiting", "reason"]]?.stringValue == "CreateContainerConfigError"
            }
            #expect(RunPods.containerStatus(config)[path: ["state", "waiting", "message"]]?.stringValue == "configmap \"absent\" not found")
        }
    }

    @Test("deletion runs preStop, sends SIGTERM, waits out the grace period, kills, then the pod object goes")
    func gracefulDeletion() async throws {
        let witness = NSTemporaryDirectory() + "termination-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: witness, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: witness) }
        try await RunPods.withCluster { client in
            _ = try await client.post("/api/v1/namespaces/default/pods", RunPods.pod("stubborn", containers: [[
                "name": "c", "image": "shell:1",
                "command": ["/bin/sh", "-c", "trap 'echo term >> /witness/log' TERM; echo started; while true; do sleep 0.1; done"],
                "lifecycle": ["preStop": ["exec": ["command": ["/bin/sh", "-c", "echo prestop >> /witness/log"]]]],
                "volumeMounts": [["name": "witness", "mountPath": "/witness"]],
            ]], extra: [
                "volumes": [["name": "witness", "hostPath": ["path": .string(witness)]]],
                // Room for the preStop exec on a loaded machine: it must finish before SIGTERM.
                "terminationGracePeriodSeconds": 6,
            ]))
            try await client.eventually("/api/v1/namespaces/default/pods/stubborn") { RunPods.isReady($0) }
            let started = ContinuousClock.now
            let deleted = try await client.delete("/api/v1/namespaces/default/pods/stubborn")
            #expect(deleted.status == 200)
            #expect(deleted.json[path: ["metadata", "deletionTimestamp"]] != nil)
            #expect(deleted.json[path: ["metadata", "deletionGracePeriodSeconds"]]?.intValue == 6)
            let listed = try await client.get("/api/v1/namespaces/default/pods/stubborn")
            #expect(listed.status == 200, "the pod stays while its kubelet stops it")
            let deadline = ContinuousClock.now + .seconds(20)
            while try await client.get("/api/v1/namespaces/default/pods/stubborn").status == 200, ContinuousClock.now < deadline {
                try await Task.sleep(for: .milliseconds(50))
            }
            let elapsed = ContinuousClock.now - started
            #expect(try await client.get("/api/v1/namespaces/default/pods/stubborn").status == 404)
            // The shell ignores SIGTERM (it only logs it), so the kubelet waits out the 6 s grace and kills it.
            #expect(elapsed >= .seconds(6) && elapsed < .seconds(14), "took \(elapsed)")
            let log = try String(contentsOfFile: "\(witness)/log", encoding: .utf8)
            #expect(log.hasPrefix("prestop\n"), "\(log)")
        }
    }

    @Test("volumes and the downward API appear inside the container; the service-account token authenticates")
    func volumesAndServiceAccount() async throws {
        try await RunPods.withCluster { client in
            // RBAC is enforced: the pod's account may list pods once bound to view.
            _ = try await client.post("/apis/rbac.authorization.k8s.io/v1/namespaces/default/rolebindings", [
                "apiVersion": "rbac.authorization.k8s.io/v1", "kind": "RoleBinding", "metadata": ["name": "default-view"],
                "roleRef": ["apiGroup": "rbac.authorization.k8s.io", "kind": "ClusterRole", "name": "view"],
                "subjects": [["kind": "ServiceAccount", "name": "default", "namespace": "default"]],
            ])
            _ = try await client.post("/api/v1/namespaces/default/configmaps", [
                "apiVersion": "v1", "kind": "ConfigMap", "metadata": ["name": "settings", "namespace": "default"], "data": ["mode": "fast"],
            ])
            _ = try await client.post("/api/v1/namespaces/default/pods", RunPods.pod("reader", containers: [[
                "name": "c", "image": "shell:1",
                "command": ["/bin/sh", "-c", """
                    cat /etc/settings/mode; echo; echo pod=$(POD_NAME) ip=$POD_IP; echo scratch > /scratch/x && cat /scratch/x
                    cat /var/run/secrets/kubernetes.io/serviceaccount/namespace; echo
                    api=http://$KUBERNETES_SERVICE_HOST:$KUBERNETES_SERVICE_PORT/api/v1/namespaces/default/pods
                    token=$(cat /var/run/secrets/kubernetes.io/serviceaccount/token)
                    curl -s -o /dev/null -w "token=%{http_code}\n" -H "Authorization: Bearer $token" $api
                    curl -s -o /dev/null -w "forged=%{http_code}\n" -H "Authorization: Bearer forged" $api
                    exec sleep 3600
                    """],
                "env": [["name": "POD_NAME", "valueFrom": ["fieldRef": ["fieldPath": "metadata.name"]]],
                        ["name": "POD_IP", "valueFrom": ["fieldRef": ["fieldPath": "status.podIP"]]]],
                "volumeMounts": [["name": "settings", "mountPath": "/etc/settings"], ["name": "scratch", "mountPath": "/scratch"]],
            ]], extra: ["volumes": [["name": "settings", "configMap": ["name": "settings"]], ["name": "scratch", "emptyDir": .emptyObject]]]))
            let pod = try await client.eventually("/api/v1/namespaces/default/pods/reader") { RunPods.isReady($0) }
            let ip = pod[path: ["status", "podIP"]]?.stringValue ?? ""
            var output = ""
            let deadline = ContinuousClock.now + .seconds(10)
            while !output.contains("forged="), ContinuousClock.now < deadline {
                output = try await client.get("/api/v1/namespaces/default/pods/reader/log").text
                try await Task.sleep(for: .milliseconds(50))
            }
            let lines = output.split(separator: "\n").map(String.init)
            #expect(lines == ["fast", "pod=reader ip=\(ip)", "scratch", "default", "token=200", "forged=401"], "\(output)")
            #expect(!FileManager.default.fileExists(atPath: "/etc/settings/mode"))
            #expect(!FileManager.default.fileExists(atPath: "/scratch"))
        }
    }
}
