import ArgumentParser
import FraudServer
import FraudServing
import Foundation
import Logging
import TandemLogging

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// `fraud-server`: serves one XGBoost or LightGBM model over HTTP (`serve`, the
/// default), or times inference alone (`benchmark`).
@main
struct FraudServerCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "fraud-server",
        abstract: "Serve an XGBoost JSON or LightGBM text model over HTTP.",
        subcommands: [ServeCommand.self, InferenceBenchmarkCommand.self],
        defaultSubcommand: ServeCommand.self)
}

/// `fraud-server serve` (the default subcommand).
struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Serve an XGBoost JSON or LightGBM text model: POST /predict, Open Inference Protocol V2, /metrics.",
        discussion: """
            Every option can also be set by environment variable (shown in brackets); a flag wins over \
            the environment. On SIGTERM readiness turns false, in-flight requests finish, and the server \
            exits 0.
            """)

    @Option(help: "Model file [MODEL_PATH] (default: \(ServerConfiguration.Defaults.modelPath)).")
    var modelPath: String?

    @Option(
        name: .customLong("model-uri"),
        help: """
            Download the model at start from s3://BUCKET/KEY, gs://BUCKET/OBJECT, https://… or file://…; live at once, \
            ready once verified and loaded [MODEL_URI]. Credentials as the AWS and Google SDKs find them.
            """)
    var modelURI: String?

    @Option(name: .customLong("model-cache-dir"), help: "Keep verified downloads here by sha256 [MODEL_CACHE_DIR].")
    var modelCacheDir: String?

    @Option(help: "The largest model file accepted, in bytes [MODEL_MAX_BYTES] (default: 1 GiB).")
    var modelMaxBytes: Int64?

    @Option(help: "auto, \(ModelFormat.names.joined(separator: " or ")) [MODEL_FORMAT] (default: auto-detect).")
    var modelFormat: String?

    @Option(help: "Model name in the V2 API [MODEL_NAME] (default: \(ServerConfiguration.Defaults.modelName)).")
    var modelName: String?

    @Option(help: "Model version reported everywhere [MODEL_VERSION] (default: \(ServerConfiguration.Defaults.modelVersion)).")
    var modelVersion: String?

    @Option(name: .customLong("model-sha256"), help: "Expected SHA-256 of the model file; on mismatch never ready [MODEL_SHA256].")
    var modelSHA256: String?

    @Option(help: "Label threshold: probability > threshold is 1 [THRESHOLD] (default: 0.5).")
    var threshold: Double?

    @Option(help: "Address to bind [HOST] (default: 0.0.0.0).")
    var host: String?

    @Option(help: "Port to bind; 0 picks a free port [PORT] (default: 8080).")
    var port: Int?

    @Option(help: "Serve /metrics alone on this port instead of PORT; 0 picks a free port [METRICS_PORT] (default: unset).")
    var metricsPort: Int?

    @Option(help: "Largest request body in bytes [MAX_BODY_BYTES] (default: 4194304).")
    var maxBodyBytes: Int?

    @Option(help: "Largest batch in rows [MAX_BATCH_ROWS] (default: 10000).")
    var maxBatchRows: Int?

    @Option(help: "Seconds to keep serving after SIGTERM with readiness false [SHUTDOWN_DELAY_SECONDS] (default: 0).")
    var shutdownDelaySeconds: Double?

    @Option(
        help: """
            Most requests in inference at once; more get 503 with Retry-After [MAX_INFLIGHT_REQUESTS] \
            (default: 16 per core, \(ServerConfiguration.Defaults.maxInflightRequests) here).
            """)
    var maxInflightRequests: Int?

    @Option(
        help: """
            Seconds from a request's headers to the end of its body; then 408 and the connection closes \
            [REQUEST_BODY_TIMEOUT_SECONDS] (default: 30).
            """)
    var requestBodyTimeoutSeconds: Double?

    @Option(help: "json or text [LOG_FORMAT] (default: json).")
    var logFormat: String?

    func run() async throws {
        var environment: [String: String] = [:]
        for key in ServingEnvironment.serverReads {
            if let value = getenv(key) { environment[key] = String(cString: value) }
        }
        // Flags override the environment: fold them in before validation.
        if let modelPath { environment[ServingEnvironment.modelPath] = modelPath }
        if let modelURI { environment[ServingEnvironment.modelURI] = modelURI }
        if let modelCacheDir { environment[ServingEnvironment.modelCacheDir] = modelCacheDir }
        if let modelMaxBytes { environment[ServingEnvironment.modelMaxBytes] = String(modelMaxBytes) }
        if let modelFormat { environment[ServingEnvironment.modelFormat] = modelFormat }
        if let modelName { environment[ServingEnvironment.modelName] = modelName }
        if let modelVersion { environment[ServingEnvironment.modelVersion] = modelVersion }
        if let modelSHA256 { environment[ServingEnvironment.modelSHA256] = modelSHA256 }
        if let threshold { environment[ServingEnvironment.threshold] = String(threshold) }
        if let host { environment[ServingEnvironment.host] = host }
        if let port { environment[ServingEnvironment.port] = String(port) }
        if let metricsPort { environment[ServingEnvironment.metricsPort] = String(metricsPort) }
        if let maxBodyBytes { environment[ServingEnvironment.maxBodyBytes] = String(maxBodyBytes) }
        if let maxBatchRows { environment[ServingEnvironment.maxBatchRows] = String(maxBatchRows) }
        if let shutdownDelaySeconds { environment[ServingEnvironment.shutdownDelaySeconds] = String(shutdownDelaySeconds) }
        if let maxInflightRequests { environment[ServingEnvironment.maxInflightRequests] = String(maxInflightRequests) }
        if let requestBodyTimeoutSeconds {
            environment[ServingEnvironment.requestBodyTimeoutSeconds] = String(requestBodyTimeoutSeconds)
        }
        if let logFormat { environment[ServingEnvironment.logFormat] = logFormat }

        let configuration: ServerConfiguration
        do {
            configuration = try ServerConfiguration(environment: environment)
        } catch {
            throw ValidationError(error.description)
        }
        let format = configuration.logFormat
        (format == .json ? LogFormat.json : LogFormat.text).bootstrap(level: .info)
        let logger = Logger(label: "fraud-server")
        do {
            try await FraudServer.run(configuration: configuration, logger: logger, environment: ProcessInfo.processInfo.environment)
        } catch let error as ModelLoadError {
            logger.critical("cannot start: \(error.description)", metadata: ["path": "\(error.file)"])
            throw ExitCode(2)
        }
    }
}
