import KubeAPI
import KubeEmulator
import KubeEmulatorTestSupport
import TandemTestSupport
import Testing

/// The real `kubectl logs` against an emulator whose log source is a fake kubelet.
@Suite("pods/log with kubectl", .enabled(if: ProcessRunner.hasKubectl, "needs kubectl at /usr/bin/kubectl"))
struct PodLogKubectlTests {
    private func withPods(_ body: @escaping @Sendable (KubeEmulator, FakePodLogSource) async throws -> Void) async throws {
        let source = FakePodLogSource(lines: ["app": ["one", "two", "three"], "a": ["from a"], "b": ["from b 1", "from b 2"]])
        try await withDeadline(.seconds(120)) {
            try await withEmulator { client in
                client.emulator.setPodLogSource(source)
                try await NodeFixtures.createPod(client, NodeFixtures.pod("single", containers: ["app"]), podIP: "10.0.0.5")
                try await NodeFixtures.createPod(client, NodeFixtures.pod("multi", containers: ["a", "b"]), podIP: "10.0.0.6")
                try await body(client.emulator, source)
            }
        }
    }

    @Test("kubectl logs prints the only container's output")
    func logs() async throws {
        try await withPods { emulator, source in
            let result = try await NodeFixtures.kubectl(emulator, ["logs", "single"])
            #expect(result.status == 0, "\(result.standardError)")
            #expect(result.standardOutput == "one\ntwo\nthree\n")
            #expect(source.calls.last?.options.container == "app")
        }
    }

    @Test("kubectl logs -c picks the container; without -c kubectl defaults to the first")
    func container() async throws {
        try await withPods { emulator, _ in
            let chosen = try await NodeFixtures.kubectl(emulator, ["logs", "multi", "-c", "b"])
            #expect(chosen.status == 0, "\(chosen.standardError)")
            #expect(chosen.standardOutput == "from b 1\nfrom b 2\n")
            let defaulted = try await NodeFixtures.kubectl(emulator, ["logs", "multi"])
            #expect(defaulted.status == 0, "\(defaulted.standardError)")
            #expect(defaulted.standardOutput == "from a\n")
            let unknown = try await NodeFixtures.kubectl(emulator, ["logs", "multi", "-c", "nope"])
            #expect(unknown.status != 0)
            #expect(unknown.standardError.contains("container nope is not valid for pod multi"))
        }
    }

    @Test("kubectl logs --tail sends tailLines")
    func tail() async throws {
        try await withPods { emulator, source in
            let result = try await NodeFixtures.kubectl(emulator, ["logs", "single", "--tail=2"])
            #expect(result.status == 0, "\(result.standardError)")
            #expect(result.standardOutput == "two\nthree\n")
            #expect(source.calls.last?.options.tailLines == 2)
        }
    }

    @Test("kubectl logs --previous without a restart reports the kubelet's error")
    func previous() async throws {
        try await withPods { emulator, _ in
            let result = try await NodeFixtures.kubectl(emulator, ["logs", "single", "--previous"])
            #expect(result.status != 0)
            #expect(result.standardError.contains("Error from server (BadRequest): previous terminated container \"app\" in pod \"single\" not found"),
                    "\(result.standardError)")
        }
    }

    @Test("kubectl logs of a missing pod is NotFound")
    func missing() async throws {
        try await withPods { emulator, _ in
            let result = try await NodeFixtures.kubectl(emulator, ["logs", "ghost"])
            #expect(result.status != 0)
            #expect(result.standardError.contains("pods \"ghost\" not found"), "\(result.standardError)")
        }
    }
}
