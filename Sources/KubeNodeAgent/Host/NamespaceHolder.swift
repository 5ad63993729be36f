import Foundation
import Glibc

/// A process started to hold new namespaces (`unshare --net … sleep infinity`): what makes a
/// pod sandbox or the node's network.
enum NamespaceHolder {
    /// Why a holder did not come up.
    struct StartError: Error, CustomStringConvertible {
        var description: String
    }

    /// Starts `argv` and waits until the process has left this process's namespaces of the
    /// given kinds. Until then its `/proc/PID/ns/net` is still ours, and a veth moved "into" it
    /// would land on the host.
    static func start(_ argv: [String], kinds: [String], timeout: Duration = .seconds(10)) async throws -> pid_t {
        let holder = try await ProcessSpawner.shared.spawn(argv, pipes: false)
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline, !Task.isCancelled {
            guard ProcessSpawner.shared.isRunning(holder.pid) else {
                let exit = await ProcessSpawner.shared.exit(of: holder.pid)
                ProcessSpawner.shared.forget(holder.pid)
                throw StartError(description: "\(argv.joined(separator: " ")) ended (\(exit)) before making its namespaces")
            }
            if kinds.allSatisfy({ namespace($0, of: "\(holder.pid)") != namespace($0, of: "self") && namespace($0, of: "\(holder.pid)") != nil }) {
                return holder.pid
            }
            try? await Task.sleep(for: .milliseconds(2))
        }
        ProcessSpawner.shared.signal(holder.pid, SIGKILL)
        _ = await ProcessSpawner.shared.exit(of: holder.pid)
        ProcessSpawner.shared.forget(holder.pid)
        throw StartError(description: "\(argv.joined(separator: " ")) did not make its namespaces within \(timeout)")
    }

    /// `net:[4026531833]` for a process (`self` or a pid), or nil when it is gone.
    static func namespace(_ kind: String, of process: String) -> String? {
        var buffer = [CChar](repeating: 0, count: 256)
        let count = readlink("/proc/\(process)/ns/\(kind)", &buffer, buffer.count - 1)
        guard count > 0 else { return nil }
        return String(decoding: buffer[0..<count].map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}
