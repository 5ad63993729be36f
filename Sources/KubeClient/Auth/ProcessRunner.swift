import Foundation

/// Runs a program to completion off the cooperative thread pool (its pipes are drained on a
/// dispatch thread), with a timeout that terminates it.
enum ProcessRunner {
    struct Output: Sendable {
        var status: Int32
        var stdout: [UInt8]
        var stderr: [UInt8]

        /// The first 1 kB of stderr (plugins explain failures there; tokens go to stdout).
        var stderrExcerpt: String {
            let text = String(decoding: stderr.prefix(1024), as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
            return text.isEmpty ? "(no stderr)" : text
        }
    }

    static func run(executable: String, arguments: [String], environment: [String: String], inheritStdin: Bool, timeout: Duration) async throws -> Output {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        process.environment = environment
        let stdout = Pipe()
        let stderr = Pipe()
        process.standardOutput = stdout
        process.standardError = stderr
        if !inheritStdin { process.standardInput = FileHandle.nullDevice }
        do { try process.run() } catch {
            throw KubeClientError.credentialPlugin("cannot start \(executable): \(error.localizedDescription)")
        }
        let box = ProcessBox(process: process)
        return try await withThrowingTaskGroup(of: Output?.self) { group in
            group.addTask {
                await withCheckedContinuation { (continuation: CheckedContinuation<Output?, Never>) in
                    DispatchQueue.global().async {
                        let errors = DispatchGroup()
                        // Written by the stderr reader only, read only after `errors.wait()`: the
                        // dispatch group orders the write before the read.
                        nonisolated(unsafe) var errorBytes = Data()
                        errors.enter()
                        DispatchQueue.global().async {
                            errorBytes = stderr.fileHandleForReading.readDataToEndOfFile()
                            errors.leave()
                        }
                        let outputBytes = stdout.fileHandleForReading.readDataToEndOfFile()
                        errors.wait()
                        box.process.waitUntilExit()
                        continuation.resume(returning: Output(status: box.process.terminationStatus, stdout: Array(outputBytes), stderr: Array(errorBytes)))
                    }
                }
            }
            group.addTask {
                try await Task.sleep(for: timeout)
                return nil
            }
            defer { group.cancelAll() }
            while let result = try await group.next() {
                if let output = result { return output }
                box.process.terminate()
                throw KubeClientError.credentialPlugin("\(executable) did not finish within \(timeout); terminated")
            }
            throw KubeClientError.credentialPlugin("\(executable) produced no result")
        }
    }
}

/// Carries a `Process` into the task that waits for it.
/// Unchecked: `Process` is a thread-safe Foundation class whose Sendable annotation differs between
/// platforms; the box only hands the same reference to the reader thread and the timeout path.
final class ProcessBox: @unchecked Sendable {
    let process: Process
    init(process: Process) { self.process = process }
}
