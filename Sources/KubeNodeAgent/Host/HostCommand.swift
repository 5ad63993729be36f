import Foundation
import Glibc

/// A short command run on this machine (`ip`, `nsenter`, `mount`): its output read to the end.
struct HostCommand {
    /// What a finished command left.
    struct Result: Sendable {
        var exit: ProcessExit
        var stdout: String
        var stderr: String
        var succeeded: Bool { exit == .exited(0) }
    }

    /// A command that exited non-zero.
    struct Failure: Error, CustomStringConvertible {
        var command: [String]
        var result: Result
        var description: String {
            let detail = result.stderr.trimmingCharacters(in: .whitespacesAndNewlines)
            return "\(command.joined(separator: " ")) failed (\(result.exit)): \(detail.isEmpty ? result.stdout : detail)"
        }
    }

    /// Runs `argv`, feeding `input` on stdin, and returns its output. After `timeout` its whole
    /// process group is killed.
    static func run(_ argv: [String], input: String? = nil, timeout: Duration? = nil) async throws -> Result {
        let spawned = try await ProcessSpawner.shared.spawn(argv, pipes: true, stdinPipe: input != nil)
        let killer = timeout.map { limit in
            Task {
                try await Task.sleep(for: limit)
                kill(-spawned.pid, SIGKILL)
            }
        }
        defer { killer?.cancel() }
        if let stdin = spawned.stdin {
            let bytes = Array((input ?? "").utf8)
            _ = bytes.withUnsafeBytes { write(stdin, $0.baseAddress, $0.count) }
            close(stdin)
        }
        async let out = readToEnd(spawned.stdout!)
        async let err = readToEnd(spawned.stderr!)
        let (stdout, stderr) = await (out, err)
        let exit = await ProcessSpawner.shared.exit(of: spawned.pid)
        ProcessSpawner.shared.forget(spawned.pid)
        return Result(exit: exit, stdout: stdout, stderr: stderr)
    }

    /// Runs `argv` and throws unless it exits 0.
    @discardableResult
    static func check(_ argv: [String], input: String? = nil) async throws -> String {
        let result = try await run(argv, input: input)
        guard result.succeeded else { throw Failure(command: argv, result: result) }
        return result.stdout
    }

    /// Reads a pipe to its end on a thread of its own (a blocking read must not hold a pool
    /// thread), then closes it.
    static func readToEnd(_ fd: Int32) async -> String {
        await withCheckedContinuation { continuation in
            Thread.detachNewThread {
                var data = [UInt8]()
                var buffer = [UInt8](repeating: 0, count: 16384)
                while true {
                    let count = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
                    if count > 0 { data += buffer[0..<count]; continue }
                    if count < 0, errno == EINTR { continue }
                    break
                }
                close(fd)
                continuation.resume(returning: String(decoding: data, as: UTF8.self))
            }
        }
    }
}
