import Foundation
import TandemTestSupport

/// The result of a finished child process.
struct ProcessResult: Sendable {
    var status: Int32
    var standardOutput: String
    var standardError: String
}

/// Runs executables for tests, with a deadline instead of waiting forever.
enum ProcessRunner {
    /// Whether kubectl is installed where the tests expect it.
    static let kubectlPath = "/usr/bin/kubectl"
    static var hasKubectl: Bool { FileManager.default.isExecutableFile(atPath: kubectlPath) }

    /// Runs `executable` with `arguments` and extra `environment` variables, capturing its output through
    /// files (so a chatty child never blocks on a full pipe), and terminates it after `limit`.
    static func run(
        _ executable: String,
        _ arguments: [String],
        environment: [String: String] = [:],
        limit: Duration = .seconds(60)
    ) async throws -> ProcessResult {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("process-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let outURL = directory.appendingPathComponent("stdout")
        let errURL = directory.appendingPathComponent("stderr")
        _ = FileManager.default.createFile(atPath: outURL.path, contents: nil)
        _ = FileManager.default.createFile(atPath: errURL.path, contents: nil)

        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { _, new in new }
        process.standardInput = FileHandle.nullDevice
        process.standardOutput = try FileHandle(forWritingTo: outURL)
        process.standardError = try FileHandle(forWritingTo: errURL)

        let status: Int32 = try await withThrowingTaskGroup(of: Int32.self) { group in
            let (terminations, continuation) = AsyncStream.makeStream(of: Int32.self)
            process.terminationHandler = { continuation.yield($0.terminationStatus); continuation.finish() }
            try process.run()
            group.addTask { await terminations.first { _ in true } ?? -1 }
            group.addTask {
                try await Task.sleep(for: limit)
                throw TimedOut("the process to exit", limit: limit)
            }
            defer { group.cancelAll() }
            do {
                return try await group.next()!
            } catch {
                process.terminate()
                throw error
            }
        }
        return ProcessResult(
            status: status,
            standardOutput: (try? String(contentsOf: outURL, encoding: .utf8)) ?? "",
            standardError: (try? String(contentsOf: errURL, encoding: .utf8)) ?? ""
        )
    }
}

/// A fresh temporary directory for one test, removed by ``remove()``.
struct TemporaryDirectory: Sendable {
    let path: String

    init() throws {
        path = FileManager.default.temporaryDirectory.appendingPathComponent("tandem-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }

    func file(_ name: String) -> String { path + "/" + name }

    func remove() { try? FileManager.default.removeItem(atPath: path) }
}
