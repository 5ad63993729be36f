import Foundation
import Glibc
import Synchronization

/// How a process ended, as waitpid reports it.
public enum ProcessExit: Sendable, Equatable {
    case exited(Int32)
    case signaled(Int32)

    /// The exit code a container runtime reports: the code, or 128 + the signal.
    public var exitCode: Int32 {
        switch self {
        case .exited(let code): return code
        case .signaled(let signal): return 128 + signal
        }
    }
}

/// Why a process could not be started.
struct SpawnError: Error, CustomStringConvertible {
    var command: String
    var errno: Int32
    var description: String { "cannot start \(command): \(String(cString: strerror(errno)))" }
}

/// Starts processes from one long-lived thread and reaps them.
///
/// Containers carry PR_SET_PDEATHSIG (through `setpriv --pdeathsig KILL`), which fires when the
/// *thread* that forked them ends. The cooperative pool's threads come and go, so every spawn
/// happens on this spawner's own thread, which lives as long as the process.
///
/// # Guarantees
/// - Only processes it started are waited for (never `waitpid(-1)`), so other code in the same
///   process (Foundation's Process, tests) keeps its children's statuses.
/// - Children start with default signal dispositions and an empty signal mask, in their own
///   session (and so their own process group), with no descriptor but stdin, stdout and stderr.
final class ProcessSpawner: Sendable {
    /// A started process; the parent's ends of its pipes (nil where not asked for).
    struct Spawned: Sendable {
        var pid: pid_t
        var stdout: Int32?
        var stderr: Int32?
        var stdin: Int32?
    }

    private struct Request {
        var argv: [String]
        var pipes: Bool
        var stdinPipe: Bool
        var continuation: CheckedContinuation<Spawned, any Error>
    }

    private struct State {
        var requests: [Request] = []
        var running: Set<pid_t> = []
        var exits: [pid_t: ProcessExit] = [:]
        var waiters: [pid_t: [CheckedContinuation<ProcessExit, Never>]] = [:]
    }

    private let state = Mutex(State())
    private let wakeup = DispatchSemaphore(value: 0)
    /// How often running children are polled for exit.
    private let pollInterval: DispatchTimeInterval = .milliseconds(20)

    /// The spawner every node agent in this process shares.
    static let shared = ProcessSpawner()

    private init() {
        let thread = Thread { [self] in loop() }
        thread.name = "kube-node-agent.spawner"
        thread.start()
    }

    /// Starts `argv` (argv[0] looked up in PATH). With `pipes`, stdout and stderr are pipes the
    /// caller reads; otherwise they go to /dev/null. stdin is /dev/null unless `stdinPipe`.
    func spawn(_ argv: [String], pipes: Bool, stdinPipe: Bool = false) async throws -> Spawned {
        try await withCheckedThrowingContinuation { continuation in
            state.withLock { $0.requests.append(Request(argv: argv, pipes: pipes, stdinPipe: stdinPipe, continuation: continuation)) }
            wakeup.signal()
        }
    }

    /// Waits until `pid` (one this spawner started) ends. A pid it does not know (never
    /// started, or its exit already forgotten) counts as killed.
    func exit(of pid: pid_t) async -> ProcessExit {
        await withCheckedContinuation { continuation in
            let done: ProcessExit? = state.withLock { state in
                if let exit = state.exits[pid] { return exit }
                guard state.running.contains(pid) else { return .signaled(SIGKILL) }
                state.waiters[pid, default: []].append(continuation)
                return nil
            }
            if let done { continuation.resume(returning: done) }
        }
    }

    /// Whether `pid` is still running (not yet reaped).
    func isRunning(_ pid: pid_t) -> Bool { state.withLock { $0.running.contains(pid) } }

    /// Sends `signal` to a process this spawner started (its process group with `group`), only
    /// while it is not reaped: a reaped pid may already belong to someone else. Reaping happens
    /// under the same lock, so the pid cannot change hands in between.
    @discardableResult
    func signal(_ pid: pid_t, _ signal: Int32, group: Bool = false) -> Bool {
        state.withLock { state in
            guard state.running.contains(pid) else { return false }
            return kill(group ? -pid : pid, signal) == 0
        }
    }

    /// Forgets the recorded exit of a process whose status nobody needs any more.
    func forget(_ pid: pid_t) { _ = state.withLock { $0.exits.removeValue(forKey: pid) } }

    private func loop() {
        while true {
            _ = wakeup.wait(timeout: .now() + pollInterval)
            let requests = state.withLock { state in
                defer { state.requests.removeAll() }
                return state.requests
            }
            for request in requests {
                do {
                    let spawned = try start(request)
                    state.withLock { state in
                        state.exits[spawned.pid] = nil
                        state.running.insert(spawned.pid)
                    }
                    request.continuation.resume(returning: spawned)
                } catch {
                    request.continuation.resume(throwing: error)
                }
            }
            reap()
        }
    }

    private func reap() {
        let finished = state.withLock { state -> [(ProcessExit, [CheckedContinuation<ProcessExit, Never>])] in
            var finished: [(ProcessExit, [CheckedContinuation<ProcessExit, Never>])] = []
            for pid in state.running {
                var status: Int32 = 0
                let result = waitpid(pid, &status, WNOHANG)
                guard result == pid || (result < 0 && errno == ECHILD) else { continue }
                let signal = status & 0x7f
                let exit: ProcessExit = result < 0 ? .signaled(SIGKILL) : signal == 0 ? .exited((status >> 8) & 0xff) : .signaled(signal)
                state.running.remove(pid)
                state.exits[pid] = exit
                finished.append((exit, state.waiters.removeValue(forKey: pid) ?? []))
            }
            return finished
        }
        for (exit, waiters) in finished {
            for waiter in waiters { waiter.resume(returning: exit) }
        }
    }

    private static let posixSpawnSetSID: Int32 = 0x80

    private typealias AddCloseFrom = @convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>, Int32) -> Int32
    /// glibc's `posix_spawn_file_actions_addclosefrom_np` (2.34+), which Swift's Glibc module does not export.
    private static let addCloseFrom: AddCloseFrom? = {
        guard let symbol = dlsym(nil, "posix_spawn_file_actions_addclosefrom_np") else { return nil }
        return unsafeBitCast(symbol, to: AddCloseFrom.self)
    }()

    private func start(_ request: Request) throws -> Spawned {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var all = sigset_t()
        sigfillset(&all)
        var none = sigset_t()
        sigemptyset(&none)
        posix_spawnattr_setsigdefault(&attributes, &all)
        posix_spawnattr_setsigmask(&attributes, &none)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK | Self.posixSpawnSetSID))

        var parentEnds: [Int32] = []
        var childEnds: [Int32] = []
        func makePipe() throws -> (read: Int32, write: Int32) {
            var fds: [Int32] = [0, 0]
            // Only this thread spawns, so marking close-on-exec after pipe() races with no spawn of ours.
            guard pipe(&fds) == 0 else { throw SpawnError(command: request.argv.first ?? "", errno: errno) }
            for fd in fds { _ = fcntl(fd, F_SETFD, FD_CLOEXEC) }
            return (fds[0], fds[1])
        }
        var spawned = Spawned(pid: 0)
        do {
            if request.stdinPipe {
                let stdinPipe = try makePipe()
                parentEnds.append(stdinPipe.write)
                childEnds.append(stdinPipe.read)
                posix_spawn_file_actions_adddup2(&actions, stdinPipe.read, 0)
                spawned.stdin = stdinPipe.write
            } else {
                posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
            }
            if request.pipes {
                let out = try makePipe()
                parentEnds.append(out.read)
                childEnds.append(out.write)
                let err = try makePipe()
                parentEnds.append(err.read)
                childEnds.append(err.write)
                posix_spawn_file_actions_adddup2(&actions, out.write, 1)
                posix_spawn_file_actions_adddup2(&actions, err.write, 2)
                spawned.stdout = out.read
                spawned.stderr = err.read
            } else {
                posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0)
                posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0)
            }
            // Last, after the dup2s onto 0–2: nothing else this process has open (sockets of the API server and its clients above
            // all) may leak into a child: a held socket would outlive its close in here.
            guard let closeFrom = Self.addCloseFrom, closeFrom(&actions, 3) == 0 else {
                throw SpawnError(command: request.argv[0], errno: ENOSYS)
            }
        } catch {
            (parentEnds + childEnds).forEach { close($0) }
            throw error
        }
        let argv = request.argv.map { strdup($0) } + [nil]
        defer { argv.forEach { free($0) } }
        var pid: pid_t = 0
        let result = posix_spawnp(&pid, request.argv[0], &actions, &attributes, argv, environ)
        childEnds.forEach { close($0) }
        guard result == 0 else {
            parentEnds.forEach { close($0) }
            throw SpawnError(command: request.argv[0], errno: result)
        }
        spawned.pid = pid
        return spawned
    }
}
