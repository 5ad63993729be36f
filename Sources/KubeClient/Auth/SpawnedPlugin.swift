import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A started plugin: its pid and the read ends of its stdout and stderr.
struct SpawnedPlugin: Sendable {
    let pid: pid_t
    /// Whether the plugin leads a process group of its own (signals then go to the whole group).
    let ownGroup: Bool
    let stdout: Int32
    let stderr: Int32

    init(executable: String, arguments: [String], environment: [String: String], ownGroup: Bool) throws {
        let out = try Self.makePipe(for: executable)
        let err: (read: Int32, write: Int32)
        do { err = try Self.makePipe(for: executable) } catch {
            [out.read, out.write].forEach { _ = close($0) }
            throw error
        }
        defer { [out.write, err.write].forEach { _ = close($0) } }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        if ownGroup { posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0) }
        posix_spawn_file_actions_adddup2(&actions, out.write, 1)
        posix_spawn_file_actions_adddup2(&actions, err.write, 2)
        // Nothing else this process holds open (API connections, other plugins' pipes) reaches the plugin.
        _ = Self.addCloseFrom?(&actions, 3)
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var all = sigset_t()
        sigfillset(&all)
        var none = sigset_t()
        sigemptyset(&none)
        posix_spawnattr_setsigdefault(&attributes, &all)
        posix_spawnattr_setsigmask(&attributes, &none)
        var flags = POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK
        if ownGroup {
            flags |= POSIX_SPAWN_SETPGROUP
            posix_spawnattr_setpgroup(&attributes, 0)
        }
        posix_spawnattr_setflags(&attributes, Int16(flags))
        let argv = ([executable] + arguments).map { strdup($0) } + [nil]
        let envp = environment.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer { (argv + envp).forEach { free($0) } }
        var pid: pid_t = 0
        let result = posix_spawn(&pid, executable, &actions, &attributes, argv, envp)
        guard result == 0 else {
            [out.read, err.read].forEach { _ = close($0) }
            throw KubeClientError.credentialPlugin("cannot start \(executable): \(String(cString: strerror(result)))")
        }
        self.pid = pid
        self.ownGroup = ownGroup
        self.stdout = out.read
        self.stderr = err.read
    }

    /// Sends `signal` to the plugin's group, or to the plugin alone while it is not reaped.
    func signal(_ signal: Int32, reaped: Bool) {
        if ownGroup {
            // A group outlives its leader's pid: the kernel does not reuse a pid still naming a group.
            _ = kill(-pid, signal)
        } else if !reaped {
            _ = kill(pid, signal)
        }
    }

    /// A pipe whose ends are closed on exec, so that no other child started meanwhile inherits them.
    private static func makePipe(for executable: String) throws -> (read: Int32, write: Int32) {
        var fds: [Int32] = [-1, -1]
        let result = pipe2.map { $0(&fds, O_CLOEXEC) } ?? {
            let made = pipe(&fds)
            for fd in fds where made == 0 { _ = fcntl(fd, F_SETFD, FD_CLOEXEC) }
            return made
        }()
        guard result == 0 else {
            throw KubeClientError.credentialPlugin("cannot start \(executable): no pipe (\(String(cString: strerror(errno))))")
        }
        return (fds[0], fds[1])
    }

    private typealias Pipe2 = @convention(c) (UnsafeMutablePointer<Int32>, Int32) -> Int32
    private typealias AddCloseFrom = @convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>, Int32) -> Int32
    /// glibc's `pipe2` and `posix_spawn_file_actions_addclosefrom_np` (2.34+), which Swift's Glibc module does not export.
    private static let pipe2: Pipe2? = dlsym(nil, "pipe2").map { unsafeBitCast($0, to: Pipe2.self) }
    private static let addCloseFrom: AddCloseFrom? = dlsym(nil, "posix_spawn_file_actions_addclosefrom_np").map {
        unsafeBitCast($0, to: AddCloseFrom.self)
    }
}
