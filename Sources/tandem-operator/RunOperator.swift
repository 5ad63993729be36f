import ArgumentParser
import Foundation
import FraudModelAPI
import FraudModelOperator
import Logging
import ServiceLifecycle
import TandemLogging

/// `tandem-operator run`: reconciles FraudModels in every configured cluster until SIGTERM.
struct RunOperator: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Reconcile FraudModels across the member clusters named in --config.")

    @Option(help: "The member clusters (YAML: clusters[] with name, provider, region, kubeconfig/context or inCluster, registry, mode).")
    var config: String

    @Option(help: "Where to serve /metrics (host:port; port 0 picks one).")
    var metricsAddr = "0.0.0.0:8080"

    @Option(help: "Where to serve /healthz and /readyz (host:port).")
    var healthAddr = "0.0.0.0:8081"

    @Flag(help: "Elect a leader through a Lease, so that only one replica reconciles.")
    var leaderElect = false

    @Option(help: "The Lease's namespace (default: $POD_NAMESPACE, else default).")
    var leaderElectionNamespace: String?

    @Option(help: "Watch only this namespace (default: all).")
    var namespace: String?

    @Option(help: "Reconciles at once per cluster.")
    var maxConcurrentReconciles = FraudModelOperatorDefaults.maxConcurrentReconciles

    @Option(help: "Seconds SIGTERM waits for in-flight reconciles.")
    var gracefulShutdownSeconds = Int(FraudModelOperatorDefaults.gracefulShutdownTimeout.components.seconds)

    @Flag(help: "Annotate Services with ExternalDNS's legacy prefix external-dns.alpha.kubernetes.io/ (ExternalDNS < 0.22).")
    var externalDnsLegacyPrefix = false

    @Option(help: "Log format: json or text.")
    var logFormat = "json"

    @Option(help: "Log level: trace, debug, info, notice, warning, error or critical.")
    var logLevel = "info"

    func validate() throws {
        guard LogFormat(rawValue: logFormat) != nil else {
            throw ValidationError("--log-format: unsupported value \"\(logFormat)\": expected json or text")
        }
        guard Logger.Level(rawValue: logLevel) != nil else {
            throw ValidationError("--log-level: unsupported value \"\(logLevel)\": expected trace, debug, info, notice, warning, error or critical")
        }
        _ = try Self.address(metricsAddr, flag: "--metrics-addr")
        _ = try Self.address(healthAddr, flag: "--health-addr")
        guard (1...1000).contains(maxConcurrentReconciles) else {
            throw ValidationError("--max-concurrent-reconciles: \(maxConcurrentReconciles) is out of range: expected 1...1000")
        }
        guard (0...3600).contains(gracefulShutdownSeconds) else {
            throw ValidationError("--graceful-shutdown-seconds: \(gracefulShutdownSeconds) is out of range: expected 0...3600")
        }
    }

    func run() async throws {
        LogFormat(rawValue: logFormat)!.bootstrap(level: Logger.Level(rawValue: logLevel)!)
        let logger = Logger(label: "tandem.operator")
        let configuration: OperatorConfiguration
        do {
            configuration = try OperatorConfiguration.load(path: config)
        } catch {
            logger.critical("invalid configuration", metadata: ["error": "\(error)"])
            FileHandle.standardError.write(Data("tandem-operator: \(error)\n".utf8))
            throw ExitCode(2)
        }
        let environment = ProcessInfo.processInfo.environment
        let options = OperatorOptions(
            configuration: configuration, namespace: namespace,
            metricsAddress: try Self.address(metricsAddr, flag: "--metrics-addr"),
            healthAddress: try Self.address(healthAddr, flag: "--health-addr"),
            leaderElectionNamespace: leaderElect ? (leaderElectionNamespace ?? environment["POD_NAMESPACE"] ?? "default") : nil,
            maxConcurrentReconciles: maxConcurrentReconciles, gracefulShutdownTimeout: .seconds(gracefulShutdownSeconds),
            externalDNS: ExternalDNSAnnotations(prefix: externalDnsLegacyPrefix ? ExternalDNSAnnotations.legacyPrefix : ExternalDNSAnnotations.currentPrefix))
        let process: OperatorProcess
        do {
            process = try OperatorProcess(options: options, logger: logger) { kind, port in
                logger.info("listening", metadata: ["endpoint": "\(kind)", "port": "\(port)"])
            }
        } catch {
            logger.critical("cannot start", metadata: ["error": "\(error)"])
            FileHandle.standardError.write(Data("tandem-operator: \(error)\n".utf8))
            throw ExitCode(2)
        }
        logger.info("starting", metadata: [
            "clusters": "\(configuration.clusters.map { "\($0.name)(\($0.mode.rawValue))" }.joined(separator: ","))",
            "namespace": "\(namespace ?? "*")", "leaderElection": "\(leaderElect)",
        ])
        let group = ServiceGroup(configuration: .init(
            services: [.init(service: process, successTerminationBehavior: .gracefullyShutdownGroup, failureTerminationBehavior: .gracefullyShutdownGroup)],
            gracefulShutdownSignals: [.sigterm, .sigint], logger: logger))
        try await group.run()
    }

    /// `host:port` → its parts; a bare `:port` means every interface.
    static func address(_ text: String, flag: String) throws -> (host: String, port: Int) {
        guard let colon = text.lastIndex(of: ":"), let port = Int(text[text.index(after: colon)...]), (0...65535).contains(port) else {
            throw ValidationError("\(flag): \"\(text)\" is not host:port")
        }
        let host = String(text[..<colon])
        return (host.isEmpty ? "0.0.0.0" : host, port)
    }
}
