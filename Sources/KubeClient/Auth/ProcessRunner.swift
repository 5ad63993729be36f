import Foundation
import Synchronization

/// Runs an exec credential plugin to completion, bounded in time whatever the plugin does.
///
/// # Guarantees
/// - The plugin runs in a process group of its own, so every process it starts can be signalled
///   with it. An interactive run stays in this process's group instead: a background group may
///   not read the terminal.
/// - At `timeout` the group gets SIGTERM, and SIGKILL `terminationGrace` later; `run` throws
///   within timeout + grace (plus one poll interval), even if the plugin ignores SIGTERM.
/// - The run ends when the plugin exits, not when its output pipes close: pipes that a leftover
///   child keeps open get `outputGrace`, then the group is killed and the output read so far is used.
/// - Output is read on a thread of its own, never on Swift's cooperative pool, and capped at
///   `maxOutputBytes`; cancelling the awaiting task ends the run as a timeout does.
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

    /// How long a run may take and how it is ended.
    struct Limits: Sendable {
        /// The longest the plugin may run before its group is terminated.
        var timeout: Duration
        /// How long the group has to exit after SIGTERM before SIGKILL.
        var terminationGrace = KubeClientDefaults.execTerminationGrace
        /// How long output pipes may stay open after the plugin itself exited.
        var outputGrace = KubeClientDefaults.execOutputGrace
        /// The most stdout and stderr each may hold.
        var maxOutputBytes = 4 * 1024 * 1024
    }

    static func run(executable: String, arguments: [String], environment: [String: String], inheritStdin: Bool,
                    limits: Limits) async throws -> Output {
        let child = try SpawnedPlugin(executable: executable, arguments: arguments, environment: environment, ownGroup: !inheritStdin)
        let cancelled = CancellationFlag()
        let outcome = await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<PluginSupervision.Outcome, Never>) in
                let thread = Thread {
                    var supervision = PluginSupervision(child: child, limits: limits, cancelled: cancelled)
                    continuation.resume(returning: supervision.run())
                }
                thread.name = "kube-client.exec-plugin"
                thread.start()
            }
        } onCancel: {
            cancelled.set()
        }
        switch outcome {
        case .finished(let output): return output
        case .timedOut:
            throw KubeClientError.credentialPlugin("\(executable) did not finish within \(limits.timeout); its process group was terminated")
        case .outputTooLarge:
            throw KubeClientError.credentialPlugin("\(executable) printed more than \(limits.maxOutputBytes) bytes; its process group was terminated")
        case .cancelled:
            throw CancellationError()
        }
    }
}

/// Tells the supervising thread that the awaiting task was cancelled.
final class CancellationFlag: Sendable {
    private let flag = Mutex(false)
    func set() { flag.withLock { $0 = true } }
    var isSet: Bool { flag.withLock { $0 } }
}
