import Foundation
import KubeAPI
import KubeClient
import KubeEmulator
import KubeEmulatorTestSupport
import Logging
import CoreMetrics
import Synchronization

/// The token the TLS test emulators accept.
let emulatorToken = "tandem-test-token-3f9a1c"

/// The Widget CRD's resource.
let widgets = ResourceDescriptor(group: "example.com", version: "v1", plural: "widgets", kind: "Widget", namespaced: true)

/// A TLS emulator with a bearer token (and client-certificate auth when asked), an admin client for
/// setup and fault injection, both shut down afterwards.
func withTLSEmulator<Result: Sendable>(
    clientCertificates: Bool = false, token: String? = emulatorToken,
    configure: (inout KubeEmulatorConfiguration) -> Void = { _ in },
    _ body: (KubeEmulator, EmulatorTestClient) async throws -> Result
) async throws -> Result {
    var configuration = KubeEmulatorConfiguration()
    configuration.tls = true
    configuration.admin = true
    configuration.token = token
    configuration.clientCertificateAuth = clientCertificates
    configure(&configuration)
    var logger = Logger(label: "kube-emulator-test")
    logger.logLevel = .warning
    return try await KubeEmulator.withRunning(configuration, logger: logger) { emulator in
        let http = try EmulatorTestClient.makeHTTPClient(for: emulator)
        let admin = EmulatorTestClient(emulator: emulator, http: http, token: token)
        do {
            let result = try await body(emulator, admin)
            try await http.shutdown()
            return result
        } catch {
            try? await http.shutdown()
            throw error
        }
    }
}

/// The client configuration for an emulator: its URL and CA, with `authentication`
/// (the emulator's token by default) and fast retries so tests stay quick.
func clientConfiguration(_ emulator: KubeEmulator, authentication: KubeClientConfiguration.Authentication? = nil) -> KubeClientConfiguration {
    var configuration = KubeClientConfiguration(
        server: emulator.url, namespace: "default",
        tls: .init(certificateAuthorityPEM: emulator.pki.map { Array($0.caCertificatePEM.utf8) }),
        authentication: authentication ?? .token(emulatorToken), name: "emulator")
    configuration.retry = RetryPolicy(maxAttempts: 4, initialBackoff: .milliseconds(20), maxBackoff: .milliseconds(200), deadline: .seconds(20))
    configuration.userAgent = "tandem-client-test/1.0"
    return configuration
}

/// Runs `body` with a client, shutting it down afterwards.
func withClient<Result: Sendable>(
    _ configuration: KubeClientConfiguration, logger: Logger = Logger(label: "kube-client-test"),
    metrics: (any MetricsFactory)? = nil,
    _ body: (KubeClient) async throws -> Result
) async throws -> Result {
    // A short connect timeout: AsyncHTTPClient retries refused connections and failed handshakes within it.
    let http = KubeClient.makeHTTPClient(for: [configuration], connectTimeout: .seconds(2))
    do {
        let client = try KubeClient(configuration: configuration, httpClient: http, logger: logger, metricsFactory: metrics)
        let result = try await body(client)
        try await http.shutdown()
        return result
    } catch {
        try? await http.shutdown()
        throw error
    }
}


/// Injects a fault through the emulator's admin endpoint.
func injectFault(_ admin: EmulatorTestClient, _ fault: JSONValue) async throws {
    let response = try await admin.post("/_emulator/faults", fault)
    guard response.status == 201 else { throw TestFailure("fault injection returned \(response.status): \(response.text)") }
}

/// A fresh temporary directory, removed by `cleanup()`.
struct TemporaryDirectory: Sendable {
    let path: String

    init() throws {
        path = NSTemporaryDirectory() + "kube-client-test-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }

    func write(_ name: String, _ text: String, executable: Bool = false) throws -> String {
        let file = "\(path)/\(name)"
        try text.write(toFile: file, atomically: true, encoding: .utf8)
        if executable { try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: file) }
        return file
    }

    func read(_ name: String) -> String? {
        FileManager.default.contents(atPath: "\(path)/\(name)").map { String(decoding: $0, as: UTF8.self) }
    }

    func cleanup() { try? FileManager.default.removeItem(atPath: path) }
}

/// A ConfigMap object as JSON.
func configMap(_ name: String, data: [String: String] = [:], labels: [String: String] = [:]) -> JSONValue {
    var object: JSONValue = ["apiVersion": "v1", "kind": "ConfigMap", "metadata": ["name": .string(name)], "data": .object(data.mapValues { .string($0) })]
    if !labels.isEmpty { object[path: ["metadata", "labels"]] = .object(labels.mapValues { .string($0) }) }
    return object
}

/// Captures every log record (message and metadata, rendered) so tests can search them.
final class LogCapture: Sendable {
    struct Record: Sendable {
        var level: Logger.Level
        var text: String
    }

    let records = Mutex<[Record]>([])

    var all: [Record] { records.withLock { $0 } }

    func logger(label: String = "kube-client-test", level: Logger.Level = .trace) -> Logger {
        var logger = Logger(label: label) { _ in Handler(capture: self) }
        logger.logLevel = level
        return logger
    }

    struct Handler: LogHandler {
        let capture: LogCapture
        var metadata: Logger.Metadata = [:]
        var logLevel: Logger.Level = .trace

        subscript(metadataKey key: String) -> Logger.Metadata.Value? {
            get { metadata[key] }
            set { metadata[key] = newValue }
        }

        func log(event: LogEvent) {
            let merged = metadata.merging(event.metadata ?? [:]) { _, new in new }
            let rendered = merged.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: " ")
            capture.records.withLock { $0.append(Record(level: event.level, text: "\(event.level) \(event.message) \(rendered) \(event.source) \(event.file)")) }
        }
    }
}


