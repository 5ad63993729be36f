/// Errors raised while merging an entry into a kubeconfig file.
///
/// Every message names the file and what was expected, so it can be shown to a user as is.
public enum KubeconfigWriterError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The entry's name is empty; kubeconfig entries are found by name.
    case emptyName(path: String)
    /// The file exists but is not a kubeconfig this writer can merge into; `reason` says what was found.
    case notAKubeconfig(path: String, reason: String)
    /// A file system call failed; `operation` names it (and its file), `reason` is the system's message.
    case fileSystem(path: String, operation: String, reason: String)
    /// The lock file is held by a program that locks by creating it (kubectl does), or was left behind by one
    /// that crashed.
    case lockHeldByAnotherProgram(path: String, lockPath: String)

    public var description: String {
        switch self {
        case .emptyName(let path):
            return "cannot merge into kubeconfig '\(path)': the entry's name is empty; give the cluster/user/context a name"
        case .notAKubeconfig(let path, let reason):
            return "cannot merge into kubeconfig '\(path)': \(reason); fix or move the file, or point to another one"
        case .fileSystem(let path, let operation, let reason):
            return "cannot merge into kubeconfig '\(path)': \(operation) failed: \(reason)"
        case .lockHeldByAnotherProgram(let path, let lockPath):
            return "cannot merge into kubeconfig '\(path)': '\(lockPath)' has been held by another program (kubectl?) for too long; if no kubectl is running, delete it"
        }
    }
}
