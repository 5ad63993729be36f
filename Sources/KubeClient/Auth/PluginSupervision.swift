import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// The supervising thread's loop: reads output, reaps the plugin, and ends the run on time.
struct PluginSupervision {
    enum Outcome: Sendable {
        case finished(ProcessRunner.Output)
        case timedOut
        case outputTooLarge
        case cancelled
    }

    let child: SpawnedPlugin
    let limits: ProcessRunner.Limits
    let cancelled: CancellationFlag
    private var stdout: [UInt8] = []
    private var stderr: [UInt8] = []
    private var open: [Int32]
    private var status: Int32?
    private var exitedAt: ContinuousClock.Instant?
    private var terminatedAt: ContinuousClock.Instant?
    private let deadline: ContinuousClock.Instant
    private static let pollInterval: Duration = .milliseconds(50)

    init(child: SpawnedPlugin, limits: ProcessRunner.Limits, cancelled: CancellationFlag) {
        self.child = child
        self.limits = limits
        self.cancelled = cancelled
        self.open = [child.stdout, child.stderr]
        self.deadline = .now + limits.timeout
    }

    mutating func run() -> Outcome {
        defer { [child.stdout, child.stderr].forEach { _ = close($0) } }
        while true {
            reap()
            let now = ContinuousClock.now
            if let status, open.isEmpty {
                return .finished(ProcessRunner.Output(status: status, stdout: stdout, stderr: stderr))
            }
            if let status, let exitedAt, now >= exitedAt + limits.outputGrace {
                // The plugin is done; whatever still holds its pipes is a leftover of its group.
                child.signal(SIGKILL, reaped: true)
                return .finished(ProcessRunner.Output(status: status, stdout: stdout, stderr: stderr))
            }
            if now >= deadline || cancelled.isSet {
                if let ended = terminate(now: now) { return ended }
            }
            guard readAvailable(waitingAtMost: Self.pollInterval) else {
                child.signal(SIGKILL, reaped: status != nil)
                reapAfterKill()
                return .outputTooLarge
            }
        }
    }

    /// SIGTERM once, SIGKILL after the grace; the outcome once the run is over.
    private mutating func terminate(now: ContinuousClock.Instant) -> Outcome? {
        let outcome: Outcome = cancelled.isSet ? .cancelled : .timedOut
        guard let terminatedAt else {
            child.signal(SIGTERM, reaped: status != nil)
            self.terminatedAt = now
            return nil
        }
        guard status != nil || now >= terminatedAt + limits.terminationGrace else { return nil }
        // Exited after SIGTERM, or the grace is over: nothing of the group may stay behind.
        child.signal(SIGKILL, reaped: status != nil)
        reapAfterKill()
        return outcome
    }

    /// Records the plugin's status once it exited (the exit code, or 128 + the signal).
    private mutating func reap() {
        guard status == nil else { return }
        var raw: Int32 = 0
        let result = waitpid(child.pid, &raw, WNOHANG)
        guard result == child.pid || (result < 0 && errno == ECHILD) else { return }
        let signal = raw & 0x7f
        status = result < 0 ? 128 + SIGKILL : signal == 0 ? (raw >> 8) & 0xff : 128 + signal
        exitedAt = .now
    }

    /// After SIGKILL the plugin dies at once unless it is stuck in the kernel: wait a little, never forever.
    private mutating func reapAfterKill() {
        for _ in 0..<100 where status == nil {
            reap()
            if status == nil { usleep(10_000) }
        }
    }

    /// Reads what the pipes hold, waiting for data at most `limit`; false once the output is too large.
    private mutating func readAvailable(waitingAtMost limit: Duration) -> Bool {
        var fds = open.map { pollfd(fd: $0, events: Int16(POLLIN), revents: 0) }
        // With no pipe left open, poll only waits: the plugin's exit is what comes next.
        let milliseconds = Int32(limit.components.seconds * 1000 + limit.components.attoseconds / 1_000_000_000_000_000)
        guard poll(&fds, nfds_t(fds.count), milliseconds) > 0 else { return true }
        var buffer = [UInt8](repeating: 0, count: 64 * 1024)
        for entry in fds where entry.revents != 0 {
            let count = read(entry.fd, &buffer, buffer.count)
            if count < 0, errno == EINTR || errno == EAGAIN { continue }
            guard count > 0 else {
                open.removeAll { $0 == entry.fd }
                continue
            }
            if entry.fd == child.stdout { stdout += buffer[..<count] } else { stderr += buffer[..<count] }
            if stdout.count > limits.maxOutputBytes || stderr.count > limits.maxOutputBytes { return false }
        }
        return true
    }
}
