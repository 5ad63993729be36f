import Foundation

#if canImport(Darwin)
import Darwin
#elseif canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// An exclusive, cross-process lock on a kubeconfig file, held through `flock(2)` on the sibling `FILE.lock`.
///
/// # Guarantees
/// - Excludes every other holder, in this process (each acquisition opens its own file description) and in
///   others; the kernel releases it if the holder dies.
/// - The lock file is deleted on release, so no `FILE.lock` is left behind: kubectl, which locks by
///   creating `FILE.lock` exclusively, would otherwise refuse to edit the file. Deleting is safe because
///   an acquirer re-checks, once it holds the lock, that the path still names the file it locked.
/// - A lock file with no permission bits is kubectl's: it is waited for, up to ``kubectlLockPatience``.
///
/// # Caveats
/// - Blocks its thread while another writer holds the lock (writers hold it for milliseconds).
enum KubeconfigFileLock {
    /// How long to wait for a lock file created by kubectl to disappear: 5 seconds.
    static let kubectlLockPatience: Duration = .seconds(5)

    /// Runs `body` holding the lock on `lockPath` (created with mode 0600 if missing).
    /// `path` only names the kubeconfig in errors.
    static func withExclusiveLock<T>(
        lockPath: String,
        for path: String,
        _ body: () throws(KubeconfigWriterError) -> T
    ) throws(KubeconfigWriterError) -> T {
        let descriptor = try acquire(lockPath: lockPath, for: path)
        defer {
            // Delete before unlocking, so a waiter never locks a file that is still in use.
            unlink(lockPath)
            close(descriptor)
        }
        return try body()
    }

    private static func acquire(lockPath: String, for path: String) throws(KubeconfigWriterError) -> Int32 {
        let clock = ContinuousClock()
        let deadline = clock.now + kubectlLockPatience

        func waitForKubectl() throws(KubeconfigWriterError) {
            guard clock.now < deadline else {
                throw .lockHeldByAnotherProgram(path: path, lockPath: lockPath)
            }
            Thread.sleep(forTimeInterval: 0.01)
        }

        while true {
            let descriptor = open(lockPath, O_RDONLY | O_CREAT | O_CLOEXEC, 0o600)
            guard descriptor >= 0 else {
                // kubectl creates its lock with mode 0, which only root may open.
                if errno == EACCES {
                    try waitForKubectl()
                    continue
                }
                throw KubeconfigWriter.systemError(path: path, "opening lock file '\(lockPath)'")
            }
            var locked: Int32
            repeat {
                locked = flock(descriptor, LOCK_EX)
            } while locked != 0 && errno == EINTR
            guard locked == 0 else {
                let error = KubeconfigWriter.systemError(path: path, "locking '\(lockPath)'")
                close(descriptor)
                throw error
            }
            var held = stat()
            var current = stat()
            guard fstat(descriptor, &held) == 0, stat(lockPath, &current) == 0,
                held.st_dev == current.st_dev, held.st_ino == current.st_ino
            else {
                // The previous holder deleted the file we waited on; lock the one now at the path instead.
                close(descriptor)
                continue
            }
            if held.st_mode & 0o777 == 0 {
                // kubectl's lock (created with mode 0 and never flock'ed): wait for kubectl to delete it.
                close(descriptor)
                try waitForKubectl()
                continue
            }
            return descriptor
        }
    }
}
