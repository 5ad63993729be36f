import FraudServing
import NIOCore
import ObjectStore

/// Everything fraud-server needs to start, with the defaults the operator relies on.
///
/// Each field can be set by environment variable (the names the operator sets) or by
/// the matching command-line flag; flags win. Defaults live in ``Defaults``.
public struct ServerConfiguration: Sendable, Equatable {
    /// The documented defaults, in one place.
    public enum Defaults {
        /// `MODEL_PATH`: `/models/model.json`.
        public static let modelPath = "/models/model.json"
        /// `MODEL_MAX_BYTES`: 1 GiB.
        public static let modelMaxBytes: Int64 = 1 << 30
        /// `MODEL_NAME`: `fraud-detector`.
        public static let modelName = "fraud-detector"
        /// `MODEL_VERSION`: `0.0.0` (the operator sets the image tag).
        public static let modelVersion = "0.0.0"
        /// `THRESHOLD`: 0.5 — a row is labelled 1 when its probability exceeds it.
        public static let threshold = 0.5
        /// `HOST`: `0.0.0.0`.
        public static let host = "0.0.0.0"
        /// `PORT`: 8080.
        public static let port = 8080
        /// `MAX_BODY_BYTES`: 4 MiB.
        public static let maxBodyBytes = 4 * 1024 * 1024
        /// `MAX_BATCH_ROWS`: 10,000.
        public static let maxBatchRows = 10_000
        /// `SHUTDOWN_DELAY_SECONDS`: 0 — how long to keep serving after SIGTERM with
        /// readiness already false, so load balancers stop routing here first.
        public static let shutdownDelaySeconds = 0.0
        /// Bytes of a request body read and discarded after the answer is sent (an early
        /// 413 or 503), so that clients which send the whole body before reading, as Python's
        /// urllib and requests do, see the status rather than a reset: 64 MiB. A body
        /// declared larger closes the connection right after the answer.
        public static let drainLimitBytes = 64 * 1024 * 1024
        /// `MAX_INFLIGHT_REQUESTS`: 16 per core — requests decoded, scored and encoded at
        /// once (one per core) or waiting for a core; more are answered 503 with `Retry-After`.
        public static let maxInflightRequests = 16 * System.coreCount
        /// `REQUEST_BODY_TIMEOUT_SECONDS`: 30 — the time from a request's headers to the end
        /// of its body, however steadily the body trickles in; then 408 and the connection
        /// is closed.
        public static let requestBodyTimeoutSeconds = 30.0
    }

    /// Log output format.
    public enum LogFormat: String, Sendable, Equatable {
        case json
        case text
    }

    public var modelPath = Defaults.modelPath
    /// `MODEL_URI`: download the model from here at start (instead of reading ``modelPath``).
    public var modelURI: ObjectURI?
    /// `MODEL_CACHE_DIR`: verified downloads kept by digest; nil keeps none.
    public var modelCacheDirectory: String?
    /// `MODEL_MAX_BYTES`: the largest model file accepted.
    public var modelMaxBytes = Defaults.modelMaxBytes
    /// `nil` detects the format from the file.
    public var modelFormat: ModelFormat?
    public var modelName = Defaults.modelName
    public var modelVersion = Defaults.modelVersion
    /// Expected lowercase hex SHA-256 of the model file; `nil` skips the check.
    public var modelSHA256: String?
    public var threshold = Defaults.threshold
    public var host = Defaults.host
    public var port = Defaults.port
    /// `METRICS_PORT`: where `/metrics` is served alone; nil serves it on ``port``.
    public var metricsPort: Int?
    public var maxBodyBytes = Defaults.maxBodyBytes
    public var maxBatchRows = Defaults.maxBatchRows
    public var shutdownDelaySeconds = Defaults.shutdownDelaySeconds
    public var drainLimitBytes = Defaults.drainLimitBytes
    /// See ``Defaults/maxInflightRequests``.
    public var maxInflightRequests = Defaults.maxInflightRequests
    /// See ``Defaults/requestBodyTimeoutSeconds``.
    public var requestBodyTimeoutSeconds = Defaults.requestBodyTimeoutSeconds
    /// `LOG_FORMAT`: `json` (default) or `text`.
    public var logFormat = LogFormat.json

    /// A configuration with every default.
    public init() {}

    /// Reads the variables the operator sets (`MODEL_PATH`, `MODEL_FORMAT`, `MODEL_NAME`,
    /// `MODEL_VERSION`, `MODEL_SHA256`, `THRESHOLD`, `HOST`, `PORT`, `MAX_BODY_BYTES`,
    /// `MAX_BATCH_ROWS`, `SHUTDOWN_DELAY_SECONDS`, `LOG_FORMAT`) and fraud-server's own
    /// tuning (`MAX_INFLIGHT_REQUESTS`, `REQUEST_BODY_TIMEOUT_SECONDS`); unset or empty ones
    /// keep their defaults.
    /// - Throws: ``ConfigurationError`` naming the variable and the value it rejected.
    public init(environment: [String: String]) throws(ConfigurationError) {
        func value(_ key: String) -> String? {
            guard let text = environment[key], !text.isEmpty else { return nil }
            return text
        }
        if let path = value(ServingEnvironment.modelPath) { modelPath = path }
        // MODEL_URI wins over MODEL_PATH (an image's baked-in default).
        if let text = value(ServingEnvironment.modelURI) {
            try apply(modelURI: text, source: ServingEnvironment.modelURI)
        }
        if let directory = value(ServingEnvironment.modelCacheDir) { modelCacheDirectory = directory }
        if let text = value(ServingEnvironment.modelMaxBytes) {
            modelMaxBytes = try Self.parse(text, as: Int64.self, source: ServingEnvironment.modelMaxBytes)
        }
        try apply(modelFormat: value(ServingEnvironment.modelFormat), source: ServingEnvironment.modelFormat)
        if let name = value(ServingEnvironment.modelName) { modelName = name }
        if let version = value(ServingEnvironment.modelVersion) { modelVersion = version }
        try apply(modelSHA256: value(ServingEnvironment.modelSHA256), source: ServingEnvironment.modelSHA256)
        if let text = value(ServingEnvironment.threshold) { threshold = try Self.parse(text, as: Double.self, source: ServingEnvironment.threshold) }
        if let text = value(ServingEnvironment.host) { host = text }
        if let text = value(ServingEnvironment.port) { port = try Self.parse(text, as: Int.self, source: ServingEnvironment.port) }
        if let text = value(ServingEnvironment.metricsPort) {
            metricsPort = try Self.parse(text, as: Int.self, source: ServingEnvironment.metricsPort)
        }
        if let text = value(ServingEnvironment.maxBodyBytes) { maxBodyBytes = try Self.parse(text, as: Int.self, source: ServingEnvironment.maxBodyBytes) }
        if let text = value(ServingEnvironment.maxBatchRows) { maxBatchRows = try Self.parse(text, as: Int.self, source: ServingEnvironment.maxBatchRows) }
        if let text = value(ServingEnvironment.shutdownDelaySeconds) {
            shutdownDelaySeconds = try Self.parse(text, as: Double.self, source: ServingEnvironment.shutdownDelaySeconds)
        }
        if let text = value(ServingEnvironment.maxInflightRequests) {
            maxInflightRequests = try Self.parse(text, as: Int.self, source: ServingEnvironment.maxInflightRequests)
        }
        if let text = value(ServingEnvironment.requestBodyTimeoutSeconds) {
            requestBodyTimeoutSeconds = try Self.parse(
                text, as: Double.self, source: ServingEnvironment.requestBodyTimeoutSeconds)
        }
        if let text = value(ServingEnvironment.logFormat) {
            guard let format = LogFormat(rawValue: text.lowercased()) else {
                throw ConfigurationError(setting: ServingEnvironment.logFormat, value: text, expected: "json or text")
            }
            logFormat = format
        }
        try validate()
    }

    /// Sets ``modelFormat`` from a `MODEL_FORMAT` / `--model-format` value.
    public mutating func apply(modelFormat text: String?, source: String) throws(ConfigurationError) {
        guard let text else { return }
        guard let parsed = ModelFormat.parse(text) else {
            throw ConfigurationError(setting: source, value: text, expected: "auto, " + ModelFormat.names.joined(separator: ", "))
        }
        modelFormat = parsed
    }

    /// Sets ``modelURI`` from a `MODEL_URI` / `--model-uri` value.
    public mutating func apply(modelURI text: String, source: String) throws(ConfigurationError) {
        do {
            modelURI = try ObjectURI(parsing: text)
        } catch {
            throw ConfigurationError(
                setting: source, value: ObjectURI.loggable(text), expected: "s3://BUCKET/KEY, gs://BUCKET/OBJECT, https://HOST/PATH or file:///PATH (\(error.message))")
        }
    }

    /// Sets ``modelSHA256`` from a hex digest (case-insensitive, optional `sha256:` prefix).
    public mutating func apply(modelSHA256 text: String?, source: String) throws(ConfigurationError) {
        guard var digest = text?.lowercased() else { return }
        if digest.hasPrefix("sha256:") { digest.removeFirst(7) }
        guard digest.count == 64, digest.allSatisfy({ $0.isHexDigit }) else {
            throw ConfigurationError(setting: source, value: text ?? "", expected: "64 hexadecimal characters")
        }
        modelSHA256 = digest
    }

    /// Checks ranges; called after environment and flags are applied.
    public func validate() throws(ConfigurationError) {
        guard threshold >= 0 && threshold <= 1 else {
            throw ConfigurationError(setting: ServingEnvironment.threshold, value: "\(threshold)", expected: "a number in [0, 1]")
        }
        guard (0...65535).contains(port) else {
            throw ConfigurationError(setting: ServingEnvironment.port, value: "\(port)", expected: "a port in 0...65535 (0 picks a free one)")
        }
        if let metricsPort {
            guard (0...65535).contains(metricsPort), metricsPort == 0 || metricsPort != port else {
                throw ConfigurationError(
                    setting: ServingEnvironment.metricsPort, value: "\(metricsPort)",
                    expected: "a port in 0...65535 other than \(ServingEnvironment.port) (\(port)); 0 picks a free one")
            }
        }
        guard modelMaxBytes > 0 else {
            throw ConfigurationError(setting: ServingEnvironment.modelMaxBytes, value: "\(modelMaxBytes)", expected: "a positive byte count")
        }
        guard maxBodyBytes > 0 else {
            throw ConfigurationError(setting: ServingEnvironment.maxBodyBytes, value: "\(maxBodyBytes)", expected: "a positive byte count")
        }
        guard maxBatchRows > 0 else {
            throw ConfigurationError(setting: ServingEnvironment.maxBatchRows, value: "\(maxBatchRows)", expected: "a positive row count")
        }
        guard shutdownDelaySeconds >= 0 && shutdownDelaySeconds <= 3600 else {
            throw ConfigurationError(
                setting: ServingEnvironment.shutdownDelaySeconds, value: "\(shutdownDelaySeconds)", expected: "seconds in 0...3600")
        }
        guard maxInflightRequests > 0 else {
            throw ConfigurationError(
                setting: ServingEnvironment.maxInflightRequests, value: "\(maxInflightRequests)", expected: "a positive count")
        }
        guard requestBodyTimeoutSeconds > 0 && requestBodyTimeoutSeconds <= 3600 else {
            throw ConfigurationError(
                setting: ServingEnvironment.requestBodyTimeoutSeconds, value: "\(requestBodyTimeoutSeconds)",
                expected: "seconds in (0, 3600]")
        }
    }

    static func parse<T: LosslessStringConvertible>(_ text: String, as: T.Type, source: String) throws(ConfigurationError) -> T {
        guard let value = T(text.trimmingCharacters()) else {
            throw ConfigurationError(setting: source, value: text, expected: T.self == Int.self ? "an integer" : "a number")
        }
        return value
    }
}

extension ServingEnvironment {
    /// The most requests in inference at once; more are answered 503 with `Retry-After`.
    /// fraud-server's own tuning: the operator does not set it.
    public static let maxInflightRequests = "MAX_INFLIGHT_REQUESTS"
    /// Seconds from a request's headers to the end of its body before 408 and a closed
    /// connection. fraud-server's own tuning: the operator does not set it.
    public static let requestBodyTimeoutSeconds = "REQUEST_BODY_TIMEOUT_SECONDS"
    /// The largest model file accepted, in bytes (default 1 GiB).
    public static let modelMaxBytes = "MODEL_MAX_BYTES"

    /// Every variable fraud-server reads: the operator's (``all``) and its own tuning.
    public static let serverReads = all + [maxInflightRequests, requestBodyTimeoutSeconds, modelMaxBytes]
}

/// A configuration value fraud-server cannot use.
public struct ConfigurationError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The environment variable or flag.
    public var setting: String
    /// The rejected value.
    public var value: String
    /// What would have been accepted.
    public var expected: String

    public init(setting: String, value: String, expected: String) {
        self.setting = setting
        self.value = value
        self.expected = expected
    }

    public var description: String { "invalid \(setting) '\(value)': expected \(expected)" }
}

extension String {
    func trimmingCharacters() -> String {
        String(Substring(self).trimmingWhitespace())
    }
}

extension Substring {
    func trimmingWhitespace() -> Substring {
        var text = self
        while let first = text.first, first.isWhitespace { text.removeFirst() }
        while let last = text.last, last.isWhitespace { text.removeLast() }
        return text
    }
}
