import Foundation
import KubeEmulator
import TandemTestSupport
import Testing
import Yams

/// Many writers merging into one kubeconfig at once, from threads and from separate processes.
@Suite("KubeconfigWriter concurrent merges")
struct KubeconfigWriterConcurrencyTests {
    static let writerCount = 20
    /// Set in the environment of the child processes started by ``mergesFromManyProcessesAllLand()``.
    static let childPathVariable = "TANDEM_KUBECONFIG_WRITER_CHILD_PATH"
    static let childNameVariable = "TANDEM_KUBECONFIG_WRITER_CHILD_NAME"

    static func entry(_ name: String) -> KubeconfigEntry {
        KubeconfigEntry(
            name: name,
            server: "https://127.0.0.1:6443",
            certificateAuthorityPEM: "CA for \(name)",
            credentials: .token("token-\(name)"),
            namespace: "ns-\(name)"
        )
    }

    /// Checks that `path` is valid YAML holding every writer's cluster, user and context, and no leftovers.
    static func expectAllWritersLanded(_ names: [String], in path: String, directory: TemporaryDirectory) throws {
        let text = try String(contentsOfFile: path, encoding: .utf8)
        let config = try #require(try Yams.load(yaml: text) as? [String: Any])
        for list in ["clusters", "users", "contexts"] {
            let present = (config[list] as? [[String: Any]] ?? []).compactMap { $0["name"] as? String }
            #expect(Set(present) == Set(names + ["unrelated"]), "\(list) in \(path)")
            #expect(present.count == names.count + 1, "duplicates in \(list)")
        }
        #expect(config["current-context"] as? String == "unrelated")
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: directory.path).filter { $0 != "config" }
        #expect(leftovers.isEmpty, "lock or temporary files left behind: \(leftovers)")
    }

    static func seed(_ path: String) throws {
        try KubeconfigWriter.merge(entry("unrelated"), into: path)
    }

    /// Runs `body` on a new thread of its own, so blocking in `flock` cannot starve the cooperative pool.
    static func onNewThread(_ body: @escaping @Sendable () throws -> Void) async throws {
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
            Thread { continuation.resume(with: Result { try body() }) }.start()
        }
    }

    @Test func mergesFromManyThreadsAllLand() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let path = directory.file("config")
        try Self.seed(path)
        let names = (0..<Self.writerCount).map { "thread-\($0)" }
        try await withDeadline(.seconds(60)) {
            try await withThrowingTaskGroup(of: Void.self) { group in
                for name in names {
                    group.addTask { try await Self.onNewThread { try KubeconfigWriter.merge(Self.entry(name), into: path) } }
                }
                try await group.waitForAll()
            }
        }
        try Self.expectAllWritersLanded(names, in: path, directory: directory)
    }

    #if os(Linux)
    @Test func mergesFromManyProcessesAllLand() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let path = directory.file("config")
        try Self.seed(path)
        let names = (0..<Self.writerCount).map { "process-\($0)" }
        // Re-runs this test binary, asking it to run only the child test below.
        let executable = try FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")
        let results = try await withThrowingTaskGroup(of: ProcessResult.self) { group in
            for name in names {
                group.addTask {
                    try await ProcessRunner.run(
                        executable,
                        ["--testing-library", "swift-testing", "--filter", "mergeAsAChildProcess"],
                        environment: [Self.childPathVariable: path, Self.childNameVariable: name],
                        limit: .seconds(120)
                    )
                }
            }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        for result in results {
            #expect(result.status == 0, "child writer failed: \(result.standardOutput)\(result.standardError)")
        }
        try Self.expectAllWritersLanded(names, in: path, directory: directory)
    }
    #endif

    /// Not a test of its own: the body of each child process of ``mergesFromManyProcessesAllLand()``.
    @Test(.enabled(if: ProcessInfo.processInfo.environment[childPathVariable] != nil, "runs only as a child writer process"))
    func mergeAsAChildProcess() throws {
        let environment = ProcessInfo.processInfo.environment
        let path = try #require(environment[Self.childPathVariable])
        let name = try #require(environment[Self.childNameVariable])
        try KubeconfigWriter.merge(Self.entry(name), into: path)
    }
}
