/// Where a path written in the configuration file points, computed lexically (no file
/// system access), as kubectl resolves the relative paths of a kubeconfig.
enum ConfigurationPath {
    /// The folder of `file`: `""` for a bare file name (the working directory).
    static func directory(of file: String) -> String {
        guard let slash = file.lastIndex(of: "/") else { return "" }
        return slash == file.startIndex ? "/" : String(file[..<slash])
    }

    /// `path` with `~` or a `~/` prefix expanded to `home`, and a relative result joined to
    /// `directory`, then cleaned. Nil when `path` needs `home` and it is nil or empty.
    /// `~user/` is not expanded: it is a relative path like any other.
    static func resolve(_ path: String, relativeTo directory: String, home: String?) -> String? {
        var expanded = path
        if path == "~" || path.hasPrefix("~/") {
            guard let home, !home.isEmpty else { return nil }
            expanded = home + path.dropFirst()
        }
        if expanded.hasPrefix("/") || directory.isEmpty { return clean(expanded) }
        return clean(directory + "/" + expanded)
    }

    /// Go's `filepath.Clean`: no `.` components, no repeated `/`, `..` folded into its parent
    /// where there is one (lexically: symbolic links are not followed).
    static func clean(_ path: String) -> String {
        let isAbsolute = path.hasPrefix("/")
        var components: [Substring] = []
        for component in path.split(separator: "/") where component != "." {
            if component != ".." {
                components.append(component)
            } else if let last = components.last, last != ".." {
                components.removeLast()
            } else if !isAbsolute {
                components.append(component)
            }
        }
        let joined = components.joined(separator: "/")
        if isAbsolute { return "/" + joined }
        return joined.isEmpty ? "." : joined
    }
}
