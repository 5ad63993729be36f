import Foundation
import KubeAPI

/// A parsed kubeconfig file (or several, merged as kubectl merges `KUBECONFIG`).
///
/// Relative file paths (`certificate-authority`, `client-certificate`, `client-key`, `tokenFile`,
/// and an exec `command` containing a `/`) are resolved against the directory of the file that
/// defined them, as client-go does.
public struct Kubeconfig: Sendable, Equatable {
    /// A `clusters[].cluster` entry.
    public struct Cluster: Sendable, Equatable {
        /// The API server URL.
        public var server: String
        /// `certificate-authority`: a PEM file.
        public var certificateAuthority: String?
        /// `certificate-authority-data`: PEM bytes (decoded from base64).
        public var certificateAuthorityData: [UInt8]?
        /// `insecure-skip-tls-verify`.
        public var insecureSkipTLSVerify: Bool
        /// `tls-server-name`: the name the server certificate is verified against (and sent as SNI).
        public var tlsServerName: String?
        /// `proxy-url` (read, not used: loopback and direct connections only).
        public var proxyURL: String?
        /// `extensions[name=client.authentication.k8s.io/exec].extension`, passed to exec plugins.
        public var execExtension: JSONValue?

        /// A cluster at `server`; every other field defaults to unset.
        public init(server: String, certificateAuthority: String? = nil, certificateAuthorityData: [UInt8]? = nil, insecureSkipTLSVerify: Bool = false,
                    tlsServerName: String? = nil, proxyURL: String? = nil, execExtension: JSONValue? = nil) {
            self.server = server
            self.certificateAuthority = certificateAuthority
            self.certificateAuthorityData = certificateAuthorityData
            self.insecureSkipTLSVerify = insecureSkipTLSVerify
            self.tlsServerName = tlsServerName
            self.proxyURL = proxyURL
            self.execExtension = execExtension
        }
    }

    /// An exec credential plugin (`users[].user.exec`).
    public struct ExecConfig: Sendable, Equatable {
        /// `client.authentication.k8s.io/v1` or `/v1beta1`.
        public var apiVersion: String
        /// The program (a name looked up in PATH, or a path).
        public var command: String
        /// The arguments.
        public var args: [String]
        /// Extra environment variables, added to the client's environment.
        public var env: [(name: String, value: String)]
        /// Pass the cluster (server, CA, …) to the plugin in `KUBERNETES_EXEC_INFO`.
        public var provideClusterInfo: Bool
        /// `Never`, `IfAvailable` or `Always`: whether the plugin may read stdin.
        public var interactiveMode: String
        /// Shown when the command is missing.
        public var installHint: String?

        /// A plugin configuration; `interactiveMode` defaults to `Never` (a controller has no terminal).
        public init(apiVersion: String, command: String, args: [String] = [], env: [(name: String, value: String)] = [],
                    provideClusterInfo: Bool = false, interactiveMode: String = "Never", installHint: String? = nil) {
            self.apiVersion = apiVersion
            self.command = command
            self.args = args
            self.env = env
            self.provideClusterInfo = provideClusterInfo
            self.interactiveMode = interactiveMode
            self.installHint = installHint
        }

        public static func == (lhs: Self, rhs: Self) -> Bool {
            lhs.apiVersion == rhs.apiVersion && lhs.command == rhs.command && lhs.args == rhs.args
                && lhs.env.map(\.name) == rhs.env.map(\.name) && lhs.env.map(\.value) == rhs.env.map(\.value)
                && lhs.provideClusterInfo == rhs.provideClusterInfo && lhs.interactiveMode == rhs.interactiveMode
                && lhs.installHint == rhs.installHint
        }
    }

    /// A `users[].user` entry. Its description never shows a secret.
    public struct User: Sendable, Equatable, CustomStringConvertible {
        /// `token`: a bearer token.
        public var token: String?
        /// `tokenFile`: a file holding a bearer token.
        public var tokenFile: String?
        /// `client-certificate`: a PEM file.
        public var clientCertificate: String?
        /// `client-certificate-data`: PEM bytes.
        public var clientCertificateData: [UInt8]?
        /// `client-key`: a PEM file.
        public var clientKey: String?
        /// `client-key-data`: PEM bytes.
        public var clientKeyData: [UInt8]?
        /// Basic-auth user name.
        public var username: String?
        /// Basic-auth password.
        public var password: String?
        /// An exec credential plugin.
        public var exec: ExecConfig?
        /// The name of an `auth-provider` (unsupported: its presence is reported as an error).
        public var authProvider: String?

        /// A user; every credential defaults to unset.
        public init(token: String? = nil, tokenFile: String? = nil, clientCertificate: String? = nil, clientCertificateData: [UInt8]? = nil,
                    clientKey: String? = nil, clientKeyData: [UInt8]? = nil, username: String? = nil, password: String? = nil,
                    exec: ExecConfig? = nil, authProvider: String? = nil) {
            self.token = token
            self.tokenFile = tokenFile
            self.clientCertificate = clientCertificate
            self.clientCertificateData = clientCertificateData
            self.clientKey = clientKey
            self.clientKeyData = clientKeyData
            self.username = username
            self.password = password
            self.exec = exec
            self.authProvider = authProvider
        }

        public var description: String {
            var kinds: [String] = []
            if token != nil { kinds.append("token") }
            if tokenFile != nil { kinds.append("tokenFile") }
            if clientCertificate != nil || clientCertificateData != nil { kinds.append("client-certificate") }
            if username != nil { kinds.append("basic") }
            if let exec { kinds.append("exec(\(exec.command))") }
            return "User(\(kinds.joined(separator: ", ")))"
        }
    }

    /// A `contexts[].context` entry.
    public struct Context: Sendable, Equatable {
        /// The cluster name.
        public var cluster: String
        /// The user name.
        public var user: String
        /// The namespace.
        public var namespace: String?

        /// A context.
        public init(cluster: String, user: String, namespace: String? = nil) {
            self.cluster = cluster
            self.user = user
            self.namespace = namespace
        }
    }

    /// Clusters by name.
    public var clusters: [String: Cluster]
    /// Users by name.
    public var users: [String: User]
    /// Contexts by name.
    public var contexts: [String: Context]
    /// `current-context`.
    public var currentContext: String?

    /// An empty kubeconfig.
    public init() {
        clusters = [:]
        users = [:]
        contexts = [:]
    }

    /// Parses kubeconfig YAML; `directory` resolves relative paths (nil: keep them as written).
    ///
    /// A YAML error names `source`, the line, the column and the field path
    /// (`kubeconfig: line 4, column 16: invalid YAML: … (at users[0].user.token)`), never the text:
    /// the line that fails may hold a token or a key.
    public init(yaml: String, directory: String? = nil, source: String = "kubeconfig") throws(KubeClientError) {
        let document: JSONValue
        do { document = try JSONValue(yaml: yaml) } catch {
            let syntax = YAMLSyntaxError(error)
            let field = syntax.fieldPath(in: yaml) { Self.fieldNames.contains($0) }.map { " (at \($0))" } ?? ""
            throw .configuration("\(source): \(syntax)\(field)")
        }
        try self.init(json: document, directory: directory, source: source)
    }

    /// The keys of the kubeconfig format (client-go's `clientcmd/api/v1`), the only ones error
    /// messages name.
    static let fieldNames: Set<String> = [
        "apiVersion", "kind", "preferences", "colors", "clusters", "users", "contexts", "current-context", "extensions", "extension",
        "name", "cluster", "server", "tls-server-name", "insecure-skip-tls-verify", "certificate-authority", "certificate-authority-data",
        "proxy-url", "disable-compression", "user", "client-certificate", "client-certificate-data", "client-key", "client-key-data",
        "token", "tokenFile", "as", "as-uid", "as-groups", "as-user-extra", "username", "password", "auth-provider", "config", "exec",
        "command", "args", "env", "value", "provideClusterInfo", "interactiveMode", "installHint", "context", "namespace",
    ]

    /// Reads and parses a kubeconfig file.
    public init(contentsOf path: String) throws(KubeClientError) {
        let text: String
        do { text = try String(contentsOfFile: path, encoding: .utf8) } catch {
            throw .configuration("cannot read kubeconfig \(path): \(error.localizedDescription)")
        }
        try self.init(yaml: text, directory: (path as NSString).deletingLastPathComponent, source: path)
    }

    init(json document: JSONValue, directory: String?, source: String) throws(KubeClientError) {
        self.init()
        guard document.objectValue != nil || document.isNull else { throw .configuration("\(source): the document must be a mapping") }
        let resolve = { (path: String?) -> String? in
            guard let path, !path.isEmpty else { return nil }
            guard let directory, !path.hasPrefix("/") else { return path }
            return (directory as NSString).appendingPathComponent(path)
        }
        for (index, entry) in (document["clusters"]?.arrayValue ?? []).enumerated() {
            guard let name = entry["name"]?.stringValue, let cluster = entry["cluster"] else {
                throw .configuration("\(source): clusters[\(index)] needs a name and a cluster")
            }
            guard let server = cluster["server"]?.stringValue, !server.isEmpty else {
                throw .configuration("\(source): cluster \"\(name)\" has no server")
            }
            let execExtension = (cluster["extensions"]?.arrayValue ?? [])
                .first { $0["name"]?.stringValue == "client.authentication.k8s.io/exec" }?["extension"]
            clusters[name] = Cluster(
                server: server, certificateAuthority: resolve(cluster["certificate-authority"]?.stringValue),
                certificateAuthorityData: try Self.base64(cluster["certificate-authority-data"], field: "clusters[\(name)].certificate-authority-data", source: source),
                insecureSkipTLSVerify: cluster["insecure-skip-tls-verify"]?.boolValue ?? false,
                tlsServerName: cluster["tls-server-name"]?.stringValue, proxyURL: cluster["proxy-url"]?.stringValue,
                execExtension: execExtension)
        }
        for (index, entry) in (document["users"]?.arrayValue ?? []).enumerated() {
            guard let name = entry["name"]?.stringValue else { throw .configuration("\(source): users[\(index)] needs a name") }
            let user = entry["user"] ?? .emptyObject
            var parsed = User(
                token: user["token"]?.stringValue, tokenFile: resolve(user["tokenFile"]?.stringValue),
                clientCertificate: resolve(user["client-certificate"]?.stringValue),
                clientCertificateData: try Self.base64(user["client-certificate-data"], field: "users[\(name)].client-certificate-data", source: source),
                clientKey: resolve(user["client-key"]?.stringValue),
                clientKeyData: try Self.base64(user["client-key-data"], field: "users[\(name)].client-key-data", source: source),
                username: user["username"]?.stringValue, password: user["password"]?.stringValue,
                authProvider: user["auth-provider"]?["name"]?.stringValue)
            if let exec = user["exec"], exec.objectValue != nil {
                parsed.exec = try Self.execConfig(exec, user: name, source: source, directory: directory)
            }
            users[name] = parsed
        }
        for (index, entry) in (document["contexts"]?.arrayValue ?? []).enumerated() {
            guard let name = entry["name"]?.stringValue, let context = entry["context"] else {
                throw .configuration("\(source): contexts[\(index)] needs a name and a context")
            }
            contexts[name] = Context(
                cluster: context["cluster"]?.stringValue ?? "", user: context["user"]?.stringValue ?? "",
                namespace: context["namespace"]?.stringValue.flatMap { $0.isEmpty ? nil : $0 })
        }
        if let current = document["current-context"]?.stringValue, !current.isEmpty { currentContext = current }
    }

    static func execConfig(_ exec: JSONValue, user: String, source: String, directory: String?) throws(KubeClientError) -> ExecConfig {
        let apiVersion = exec["apiVersion"]?.stringValue ?? ""
        guard ExecCredentialPlugin.supportedAPIVersions.contains(apiVersion) else {
            throw .configuration("\(source): users[\(user)].exec.apiVersion \"\(apiVersion)\" is not supported; use client.authentication.k8s.io/v1 or v1beta1")
        }
        guard var command = exec["command"]?.stringValue, !command.isEmpty else {
            throw .configuration("\(source): users[\(user)].exec.command is required")
        }
        if let directory, command.contains("/"), !command.hasPrefix("/") {
            command = (directory as NSString).appendingPathComponent(command)
        }
        var env: [(name: String, value: String)] = []
        for variable in exec["env"]?.arrayValue ?? [] {
            guard let name = variable["name"]?.stringValue else { throw .configuration("\(source): users[\(user)].exec.env entries need a name") }
            env.append((name, variable["value"]?.stringValue ?? ""))
        }
        var interactiveMode = exec["interactiveMode"]?.stringValue ?? ""
        if interactiveMode.isEmpty {
            guard apiVersion == ExecCredentialPlugin.v1beta1 else {
                throw .configuration("\(source): users[\(user)].exec.interactiveMode is required for \(apiVersion) (Never, IfAvailable or Always)")
            }
            interactiveMode = "IfAvailable"
        }
        guard ["Never", "IfAvailable", "Always"].contains(interactiveMode) else {
            throw .configuration("\(source): users[\(user)].exec.interactiveMode \"\(interactiveMode)\" must be Never, IfAvailable or Always")
        }
        return ExecConfig(
            apiVersion: apiVersion, command: command, args: (exec["args"]?.arrayValue ?? []).compactMap(\.stringValue), env: env,
            provideClusterInfo: exec["provideClusterInfo"]?.boolValue ?? false, interactiveMode: interactiveMode,
            installHint: exec["installHint"]?.stringValue)
    }

    static func base64(_ value: JSONValue?, field: String, source: String) throws(KubeClientError) -> [UInt8]? {
        guard let text = value?.stringValue, !text.isEmpty else { return nil }
        let compact = text.filter { !$0.isWhitespace }
        guard let data = Data(base64Encoded: compact) else { throw .configuration("\(source): \(field) is not valid base64") }
        return Array(data)
    }

    /// Merges kubeconfigs as kubectl merges the files of `KUBECONFIG`: the first file that
    /// defines a cluster, user or context name wins, and so does the first `current-context`.
    public static func merged(_ configs: [Kubeconfig]) -> Kubeconfig {
        var result = Kubeconfig()
        for config in configs {
            result.clusters.merge(config.clusters) { first, _ in first }
            result.users.merge(config.users) { first, _ in first }
            result.contexts.merge(config.contexts) { first, _ in first }
            if result.currentContext == nil { result.currentContext = config.currentContext }
        }
        return result
    }

    /// The files kubectl would read: every entry of `KUBECONFIG` (`:`-separated; empty and
    /// missing ones skipped), or `~/.kube/config` when `KUBECONFIG` is unset or empty.
    public static func defaultPaths(environment: [String: String] = ProcessInfo.processInfo.environment) -> [String] {
        if let list = environment["KUBECONFIG"], !list.isEmpty {
            var seen = Set<String>()
            return list.split(separator: ":").map(String.init).filter { !$0.isEmpty && seen.insert($0).inserted }
        }
        let home = environment["HOME"] ?? NSHomeDirectory()
        return ["\(home)/.kube/config"]
    }

    /// Loads and merges the default kubeconfig files (see `defaultPaths`).
    /// Throws when none of them exists.
    public static func load(environment: [String: String] = ProcessInfo.processInfo.environment) throws(KubeClientError) -> Kubeconfig {
        let paths = defaultPaths(environment: environment)
        let existing = paths.filter { FileManager.default.fileExists(atPath: $0) }
        guard !existing.isEmpty else {
            throw .configuration("no kubeconfig found (looked at \(paths.joined(separator: ", "))); set KUBECONFIG or pass a path")
        }
        var configs: [Kubeconfig] = []
        for path in existing { configs.append(try Kubeconfig(contentsOf: path)) }
        return merged(configs)
    }
}
