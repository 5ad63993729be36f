import Foundation

#if canImport(Darwin)
import Darwin
#elseif canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// Merges emulator entries into kubeconfig files that other programs, and other emulators, also write.
public enum KubeconfigWriter {
    /// The mode given to a kubeconfig file this writer creates: 0600, as it holds credentials.
    public static let newFileMode: mode_t = 0o600
    /// The mode given to parent directories this writer creates: 0755, as kubectl does for `~/.kube`.
    public static let newDirectoryMode: mode_t = 0o755

    /// Writes `entry`'s cluster, user and context into the kubeconfig at `path`, each named `entry.name`.
    ///
    /// # Guarantees
    /// - An existing cluster, user or context with the same name is replaced whole (so a user that switched
    ///   from a token to a certificate keeps no stale token); every other entry and every field this writer
    ///   does not manage is kept, in order.
    /// - `current-context` is set to `entry.name` only if the file had none (missing or empty).
    /// - `apiVersion: v1` and `kind: Config` are added if missing.
    /// - Safe when several processes merge into the same file at once: each read-modify-write happens under an
    ///   exclusive `flock` on `path + ".lock"`, and the new content is written to a temporary file in the same
    ///   directory and renamed over the old one, so readers see either the old or the new file, never a torn one.
    /// - A new file gets mode ``newFileMode`` (0600); an existing one keeps its mode. Missing parent
    ///   directories are created with ``newDirectoryMode``. If `path` is a symbolic link, its target is replaced.
    ///
    /// # Caveats
    /// - YAML comments in the file are dropped (kubectl drops them too).
    /// - Blocks the calling thread while another writer holds the lock.
    /// - kubectl's own `config` commands take a different lock (they create `path.lock` exclusively); they fail
    ///   fast with "file exists" if run during a merge, and a merge waits up to
    ///   5 seconds for such a lock to go away.
    ///
    /// - Throws: ``KubeconfigWriterError``, naming `path` and what went wrong.
    public static func merge(_ entry: KubeconfigEntry, into path: String) throws(KubeconfigWriterError) {
        guard !entry.name.isEmpty else { throw .emptyName(path: path) }
        let directory = (path as NSString).deletingLastPathComponent
        if !directory.isEmpty {
            do {
                try FileManager.default.createDirectory(
                    atPath: directory,
                    withIntermediateDirectories: true,
                    attributes: [.posixPermissions: Int(newDirectoryMode)]
                )
            } catch {
                throw .fileSystem(path: path, operation: "creating directory '\(directory)'", reason: "\(error)")
            }
        }

        try KubeconfigFileLock.withExclusiveLock(lockPath: path + ".lock", for: path) { () throws(KubeconfigWriterError) in
            let target = resolvingSymbolicLink(path)
            let (existing, mode) = try read(target, for: path)
            let merged = try KubeconfigMerge.merging(entry, into: existing, path: path)
            try replace(target, with: merged, mode: mode, for: path)
        }
    }

    /// The file a symbolic link at `path` points to, or `path` itself.
    private static func resolvingSymbolicLink(_ path: String) -> String {
        guard let resolved = realpath(path, nil) else { return path }
        defer { free(resolved) }
        return String(cString: resolved)
    }

    /// The file's text and mode, or empty text and ``newFileMode`` if it does not exist.
    private static func read(_ target: String, for path: String) throws(KubeconfigWriterError) -> (String, mode_t) {
        var info = stat()
        guard stat(target, &info) == 0 else {
            if errno == ENOENT { return ("", newFileMode) }
            throw systemError(path: path, "reading the mode of '\(target)'")
        }
        guard let data = FileManager.default.contents(atPath: target) else {
            throw .fileSystem(path: path, operation: "reading '\(target)'", reason: "the file could not be read")
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw .notAKubeconfig(path: path, reason: "it is not UTF-8 text")
        }
        return (text, info.st_mode & 0o7777)
    }

    /// Writes `text` to a new temporary file beside `target`, then renames it over `target`.
    private static func replace(_ target: String, with text: String, mode: mode_t, for path: String) throws(KubeconfigWriterError) {
        let directory = (target as NSString).deletingLastPathComponent
        let name = (target as NSString).lastPathComponent
        var template = ((directory.isEmpty ? "" : directory + "/") + ".\(name).tmp-XXXXXX").utf8CString
        let descriptor = template.withUnsafeMutableBufferPointer { mkstemp($0.baseAddress!) }
        guard descriptor >= 0 else { throw systemError(path: path, "creating a temporary file in '\(directory)'") }
        let temporary = template.withUnsafeBufferPointer { String(cString: $0.baseAddress!) }
        var renamed = false
        defer { if !renamed { unlink(temporary) } }

        let bytes = Array(text.utf8)
        var written = 0
        while written < bytes.count {
            let result = bytes[written...].withUnsafeBytes { write(descriptor, $0.baseAddress, $0.count) }
            if result < 0 && errno == EINTR { continue }
            guard result > 0 else {
                let error = systemError(path: path, "writing '\(temporary)'")
                close(descriptor)
                throw error
            }
            written += result
        }
        guard fchmod(descriptor, mode) == 0, fsync(descriptor) == 0 else {
            let error = systemError(path: path, "flushing '\(temporary)'")
            close(descriptor)
            throw error
        }
        close(descriptor)
        guard rename(temporary, target) == 0 else {
            throw systemError(path: path, "renaming '\(temporary)' to '\(target)'")
        }
        renamed = true
    }

    /// A ``KubeconfigWriterError/fileSystem(path:operation:reason:)`` carrying the current `errno`'s message.
    static func systemError(path: String, _ operation: String) -> KubeconfigWriterError {
        .fileSystem(path: path, operation: operation, reason: String(cString: strerror(errno)))
    }
}
