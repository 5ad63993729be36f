import Foundation
import KubeAPI
import Logging
import Synchronization

/// Credentials from an exec plugin (`client.authentication.k8s.io/v1` and `v1beta1`): how EKS
/// (`aws eks get-token`) and GKE (`gke-gcloud-auth-plugin`) authenticate.
///
/// # Guarantees
/// - The plugin runs off Swift's cooperative threads, at most once at a time; concurrent requests
///   needing a refresh share one run.
/// - A run lasts at most `timeout`: then the plugin's process group is terminated (see
///   `ProcessRunner`). Each caller can stop waiting on its own (cancellation, such as a request's
///   timeout) without ending the run the others wait for.
/// - Credentials are cached until `expirationTimestamp` and refreshed before it by the smaller of
///   10 s and 10% of their lifetime; credentials without an expiry are kept until a 401.
/// - After a 401 the refused credentials are dropped, so the next request runs the plugin again.
/// - Neither the plugin's output nor the credentials are ever logged.
public actor ExecCredentialPlugin: CredentialProvider {
    /// `client.authentication.k8s.io/v1`.
    public static let v1 = "client.authentication.k8s.io/v1"
    /// `client.authentication.k8s.io/v1beta1`.
    public static let v1beta1 = "client.authentication.k8s.io/v1beta1"
    /// The plugin API versions understood.
    public static let supportedAPIVersions: Set<String> = [v1, v1beta1]

    /// The plugin's configuration.
    public let config: Kubeconfig.ExecConfig
    private let clusterInfo: JSONValue?
    private let environment: [String: String]
    private let timeout: Duration
    private let now: @Sendable () -> Date
    private let logger: Logger
    private var cached: (credentials: Credentials, refreshAt: Date?)?
    /// The callers waiting for the run under way. Outside the actor's isolation so that a
    /// cancelled caller leaves at once, from its cancellation handler.
    private let flight = Mutex(Flight())
    /// How many times the plugin has run.
    public private(set) var runCount = 0

    private struct Flight {
        var running = false
        var nextWaiter: UInt64 = 0
        var waiters: [UInt64: CheckedContinuation<Credentials, any Error>] = [:]
    }

    /// A provider running `config`.
    ///
    /// - Parameters:
    ///   - clusterInfo: the `spec.cluster` object sent in `KUBERNETES_EXEC_INFO` when the plugin asks
    ///     for it (`provideClusterInfo`).
    ///   - environment: the environment the plugin inherits (before `config.env`). Defaults to this process's.
    ///   - timeout: the longest a run may take. Defaults to 2 minutes.
    ///   - now: the wall clock (expiry timestamps are wall-clock times); injectable for tests.
    public init(config: Kubeconfig.ExecConfig, clusterInfo: JSONValue? = nil,
                environment: [String: String] = ProcessInfo.processInfo.environment,
                timeout: Duration = KubeClientDefaults.execTimeout, now: @escaping @Sendable () -> Date = { Date() },
                logger: Logger = Logger(label: "tandem.kube-client.exec")) {
        self.config = config
        self.clusterInfo = clusterInfo
        self.environment = environment
        self.timeout = timeout
        self.now = now
        self.logger = logger
    }

    /// The cluster object of `KUBERNETES_EXEC_INFO` for a configuration.
    public static func clusterInfo(for configuration: KubeClientConfiguration) -> JSONValue {
        var cluster: JSONValue = ["server": .string(configuration.server)]
        if let name = configuration.tls.serverName { cluster["tls-server-name"] = .string(name) }
        if configuration.tls.insecureSkipVerify { cluster["insecure-skip-tls-verify"] = true }
        if let ca = configuration.tls.certificateAuthorityPEM {
            cluster["certificate-authority-data"] = .string(Data(ca).base64EncodedString())
        }
        if let config = configuration.execClusterExtension { cluster["config"] = config }
        return cluster
    }

    public func credentials() async throws -> Credentials {
        if let cached, cached.refreshAt.map({ now() < $0 }) ?? true { return cached.credentials }
        return try await refresh()
    }

    /// Drops `used` if it is still the cached credential; true: running the plugin again may help.
    public func invalidate(_ used: Credentials) async -> Bool {
        if cached?.credentials == used { cached = nil }
        return true
    }

    /// Joins the run under way, or starts one; returns its credentials.
    private func refresh() async throws -> Credentials {
        let id = flight.withLock { flight in
            defer { flight.nextWaiter += 1 }
            return flight.nextWaiter
        }
        return try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { continuation in
                let start = flight.withLock { flight -> Bool? in
                    guard !Task.isCancelled else { return nil }
                    flight.waiters[id] = continuation
                    defer { flight.running = true }
                    return !flight.running
                }
                guard let start else { return continuation.resume(throwing: CancellationError()) }
                // The run is not a child of this caller's task: cancelling one waiting request must
                // not end the run the others wait for. It ends by itself, within `timeout`.
                if start { Task { await self.runOnce() } }
            }
        } onCancel: {
            flight.withLock { $0.waiters.removeValue(forKey: id) }?.resume(throwing: CancellationError())
        }
    }

    /// Runs the plugin, caches what it printed and hands the result to every waiting caller.
    private func runOnce() async {
        let result: Result<(Credentials, Date?), any Error>
        do {
            result = .success(try await Self.run(config: config, clusterInfo: clusterInfo, environment: environment, timeout: timeout, now: now))
        } catch {
            result = .failure(error)
        }
        runCount += 1
        switch result {
        case .success(let (credentials, refreshAt)):
            cached = (credentials, refreshAt)
            logger.debug("exec credential plugin ran", metadata: [
                "command": "\(config.command)", "runs": "\(runCount)",
                "refreshAt": "\(refreshAt.map { "\($0)" } ?? "on 401")",
            ])
        case .failure(let error):
            logger.warning("exec credential plugin failed", metadata: ["command": "\(config.command)", "error": "\(error)"])
        }
        let waiters = flight.withLock { flight in
            flight.running = false
            defer { flight.waiters = [:] }
            return flight.waiters.values
        }
        for waiter in waiters { waiter.resume(with: result.map { $0.0 }) }
    }

    /// When credentials expiring at `expiry`, obtained at `obtained`, are refreshed: the smaller of
    /// 10 s and 10% of their lifetime before the expiry.
    public static func refreshTime(obtained: Date, expiry: Date) -> Date {
        let lifetime = max(0, expiry.timeIntervalSince(obtained))
        return expiry.addingTimeInterval(-min(10, lifetime / 10))
    }

    // MARK: Running the plugin

    static func run(config: Kubeconfig.ExecConfig, clusterInfo: JSONValue?, environment: [String: String],
                    timeout: Duration, now: @escaping @Sendable () -> Date) async throws -> (Credentials, Date?) {
        let stdinIsTerminal = isatty(0) == 1
        let interactive: Bool
        switch config.interactiveMode {
        case "Never": interactive = false
        case "Always":
            guard stdinIsTerminal else {
                throw KubeClientError.credentialPlugin("\(config.command) requires an interactive terminal (interactiveMode: Always), but stdin is not one")
            }
            interactive = true
        default: interactive = stdinIsTerminal
        }
        var spec: JSONValue = ["interactive": .bool(interactive)]
        if config.provideClusterInfo, let clusterInfo { spec["cluster"] = clusterInfo }
        let execInfo: JSONValue = ["apiVersion": .string(config.apiVersion), "kind": "ExecCredential", "spec": spec]
        var env = environment
        for variable in config.env { env[variable.name] = variable.value }
        env["KUBERNETES_EXEC_INFO"] = execInfo.jsonString

        guard let executable = resolve(config.command, path: env["PATH"] ?? "/usr/local/bin:/usr/bin:/bin") else {
            var message = "\(config.command) was not found (PATH: \(env["PATH"] ?? "unset"))"
            if let hint = config.installHint { message += ". \(hint)" }
            throw KubeClientError.credentialPlugin(message)
        }
        let obtained = now()
        let output = try await ProcessRunner.run(executable: executable, arguments: config.args, environment: env,
                                                 inheritStdin: interactive, limits: ProcessRunner.Limits(timeout: timeout))
        guard output.status == 0 else {
            throw KubeClientError.credentialPlugin("\(config.command) exited with status \(output.status): \(output.stderrExcerpt)")
        }
        return try parse(output.stdout, config: config, obtained: obtained)
    }

    /// Decodes the plugin's ExecCredential output into credentials and their refresh time.
    static func parse(_ stdout: [UInt8], config: Kubeconfig.ExecConfig, obtained: Date) throws -> (Credentials, Date?) {
        guard let json = try? JSONValue(parsing: stdout), json.objectValue != nil else {
            throw KubeClientError.credentialPlugin("\(config.command) did not print an ExecCredential JSON object")
        }
        guard json["kind"]?.stringValue == "ExecCredential" else {
            throw KubeClientError.credentialPlugin("\(config.command) printed kind \(json["kind"]?.stringValue ?? "nil"), expected ExecCredential")
        }
        guard json["apiVersion"]?.stringValue == config.apiVersion else {
            throw KubeClientError.credentialPlugin("\(config.command) printed apiVersion \(json["apiVersion"]?.stringValue ?? "nil"), expected \(config.apiVersion) as configured")
        }
        let status = json["status"] ?? .emptyObject
        var credentials = Credentials()
        if let token = status["token"]?.stringValue, !token.isEmpty { credentials.bearerToken = token }
        if let certificate = status["clientCertificateData"]?.stringValue, let key = status["clientKeyData"]?.stringValue {
            credentials.clientCertificatePEM = Array(certificate.utf8)
            credentials.clientKeyPEM = Array(key.utf8)
        }
        guard credentials.bearerToken != nil || credentials.clientCertificatePEM != nil else {
            throw KubeClientError.credentialPlugin("\(config.command) printed an ExecCredential without status.token or status.clientCertificateData/clientKeyData")
        }
        var refreshAt: Date?
        if let text = status["expirationTimestamp"]?.stringValue {
            guard let expiry = parseTimestamp(text) else {
                throw KubeClientError.credentialPlugin("\(config.command) printed an invalid status.expirationTimestamp \"\(text)\" (expected RFC 3339)")
            }
            refreshAt = refreshTime(obtained: obtained, expiry: expiry)
        }
        return (credentials, refreshAt)
    }

    static func parseTimestamp(_ text: String) -> Date? {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        if let date = formatter.date(from: text) { return date }
        formatter.formatOptions = [.withInternetDateTime]
        return formatter.date(from: text)
    }

    static func resolve(_ command: String, path: String) -> String? {
        if command.contains("/") { return FileManager.default.isExecutableFile(atPath: command) ? command : nil }
        for directory in path.split(separator: ":") {
            let candidate = "\(directory)/\(command)"
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
        }
        return nil
    }
}
