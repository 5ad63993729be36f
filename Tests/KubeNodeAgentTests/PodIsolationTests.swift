import Foundation
import KubeAPI
import KubeEmulatorTestSupport
import Testing

/// What a container may not do, and what it leaves behind (nothing).
@Suite("Pod isolation (kube-emulator --run-pods)", .serialized)
struct PodIsolationTests {
    @Test("a container sees its pod's own PID namespace, runs as its runAsUser, and lacks the capabilities to leave the pod")
    func isolation() async throws {
        try await RunPods.withCluster { client in
            _ = try await client.post("/api/v1/namespaces/default/pods", RunPods.pod("inside", containers: [[
                "name": "c", "image": "shell:1", "securityContext": ["runAsUser": 1000, "runAsGroup": 1000],
                "command": ["/bin/sh", "-c", """
                    echo uid=$(id -u) gid=$(id -g)
                    echo pid1=$(cat /proc/1/comm)
                    nsenter --net=/proc/1/ns/net true 2>/dev/null && echo escaped || echo confined
                    echo hostname=$(hostname)
                    exec sleep 3600
                    """],
            ]]))
            _ = try await client.post("/api/v1/namespaces/default/pods", RunPods.pod("rootless", containers: [[
                "name": "c", "image": "shell:1", "securityContext": ["runAsNonRoot": true],
            ]]))
            var output = ""
            let deadline = ContinuousClock.now + .seconds(15)
            while !output.contains("hostname="), ContinuousClock.now < deadline {
                output = try await client.get("/api/v1/namespaces/default/pods/inside/log").text
                try await Task.sleep(for: .milliseconds(50))
            }
            #expect(output == "uid=1000 gid=1000\npid1=sleep\nconfined\nhostname=inside\n", "\(output)")
            let refused = try await client.eventually("/api/v1/namespaces/default/pods/rootless") {
                RunPods.containerStatus($0)[path: ["state", "waiting", "reason"]]?.stringValue == "CreateContainerConfigError"
            }
            #expect(RunPods.containerStatus(refused)[path: ["state", "waiting", "message"]]?.stringValue?
                .hasPrefix("container has runAsNonRoot and image will run as root") == true)
        }
    }

    @Test("with an fsGroup, a non-root container reads a secret mounted 0440, as the kubelet's volume ownership allows")
    func fsGroupOwnsVolumes() async throws {
        try await RunPods.withCluster { client in
            _ = try await client.post("/api/v1/namespaces/default/secrets", [
                "apiVersion": "v1", "kind": "Secret", "metadata": ["name": "peer"], "stringData": ["kubeconfig": "apiVersion: v1"],
            ])
            _ = try await client.post("/api/v1/namespaces/default/pods", RunPods.pod("reader", containers: [[
                "name": "c", "image": "shell:1", "securityContext": ["runAsUser": 65532],
                "volumeMounts": [["name": "peer", "mountPath": "/etc/peer", "readOnly": true]],
                "command": ["/bin/sh", "-c", "cat /etc/peer/kubeconfig; echo; stat -c '%a %g' /etc/peer/kubeconfig; exec sleep 3600"],
            ]], extra: [
                "securityContext": ["fsGroup": 65532, "runAsGroup": 65532],
                "volumes": [["name": "peer", "secret": ["secretName": "peer", "defaultMode": 0o440]]],
            ]))
            var output = ""
            let deadline = ContinuousClock.now + .seconds(30)
            while !output.contains("440"), ContinuousClock.now < deadline {
                output = try await client.get("/api/v1/namespaces/default/pods/reader/log").text
                try await Task.sleep(for: .milliseconds(50))
            }
            #expect(output == "apiVersion: v1\n440 65532\n", "\(output)")
        }
    }

    @Test("what a container started in the background dies with it, and nothing of a pod outlives the emulator")
    func nothingLeftBehind() async throws {
        let marker = "\(Int.random(in: 100_000...999_999))"
        func running(_ pattern: String) -> Bool {
            let entries = (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []
            return entries.contains { entry in
                guard Int(entry) != nil, let data = FileManager.default.contents(atPath: "/proc/\(entry)/cmdline") else { return false }
                return String(decoding: data, as: UTF8.self).replacingOccurrences(of: "\0", with: " ").contains(pattern)
            }
        }
        try await RunPods.withCluster { client in
            _ = try await client.post("/api/v1/namespaces/default/pods", RunPods.pod("forker", containers: [[
                "name": "c", "image": "shell:1", "command": ["/bin/sh", "-c", .string("sleep \(marker)1 & sleep 0.3; exit 1")],
            ]], extra: ["restartPolicy": "Never"]))
            _ = try await client.post("/api/v1/namespaces/default/pods", RunPods.pod("steady", containers: [[
                "name": "c", "image": "shell:1", "command": ["/bin/sh", "-c", .string("sleep \(marker)2 & exec sleep \(marker)3")],
            ]]))
            try await client.eventually("/api/v1/namespaces/default/pods/forker") { $0[path: ["status", "phase"]]?.stringValue == "Failed" }
            try await client.eventually("/api/v1/namespaces/default/pods/steady") { RunPods.isReady($0) }
            #expect(!running("sleep \(marker)1"), "the background child of an exited container was killed")
            #expect(running("sleep \(marker)2") && running("sleep \(marker)3"))
        }
        #expect(!running("sleep \(marker)2") && !running("sleep \(marker)3"), "the emulator's shutdown ended every pod process")
    }

    @Test("a memory limit is enforced: the container is OOMKilled; a CPU limit caps its share")
    func limits() async throws {
        try await RunPods.withCluster { client in
            _ = try await client.post("/api/v1/namespaces/default/pods", RunPods.pod("hungry", containers: [[
                "name": "c", "image": "shell:1", "resources": ["limits": ["memory": "32Mi", "cpu": "200m"]],
                "command": ["/usr/bin/python3", "-c", "b = bytearray(256 * 1024 * 1024); print('survived')"],
            ]], extra: ["restartPolicy": "Never"]))
            _ = try await client.post("/api/v1/namespaces/default/pods", RunPods.pod("spinner", containers: [[
                "name": "c", "image": "shell:1", "resources": ["limits": ["cpu": "100m"]],
                "command": ["/usr/bin/python3", "-c", """
                    import time
                    start = time.time(); cpu = time.process_time()
                    while time.time() - start < 2: pass
                    print(round((time.process_time() - cpu) / (time.time() - start), 2), flush=True)
                    time.sleep(3600)
                    """],
            ]]))
            let killed = try await client.eventually("/api/v1/namespaces/default/pods/hungry", within: .seconds(20)) {
                RunPods.containerStatus($0)[path: ["state", "terminated"]] != nil
            }
            #expect(RunPods.containerStatus(killed)[path: ["state", "terminated", "reason"]]?.stringValue == "OOMKilled")
            #expect(RunPods.containerStatus(killed)[path: ["state", "terminated", "exitCode"]]?.intValue == 137)
            var share = ""
            let deadline = ContinuousClock.now + .seconds(20)
            while share.isEmpty, ContinuousClock.now < deadline {
                share = try await client.get("/api/v1/namespaces/default/pods/spinner/log").text.trimmingCharacters(in: .whitespacesAndNewlines)
                try await Task.sleep(for: .milliseconds(100))
            }
            let fraction = try #require(Double(share))
            #expect(fraction < 0.3, "a 100m container used \(fraction) of a core")
        }
    }
}
