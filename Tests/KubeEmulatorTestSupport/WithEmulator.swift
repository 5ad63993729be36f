import AsyncHTTPClient
import KubeAPI
import KubeEmulator
import Logging

/// Runs `body` against a fresh in-process emulator (plain HTTP on an ephemeral port unless the
/// configuration asks for TLS) and a client for it; both are shut down afterwards.
public func withEmulator<Result: Sendable>(
    _ configure: (inout KubeEmulatorConfiguration) -> Void = { _ in },
    _ body: (EmulatorTestClient) async throws -> Result
) async throws -> Result {
    var configuration = KubeEmulatorConfiguration()
    configuration.admin = true
    configure(&configuration)
    var logger = Logger(label: "kube-emulator-test")
    logger.logLevel = .warning
    return try await KubeEmulator.withRunning(configuration, logger: logger) { emulator in
        let http = try EmulatorTestClient.makeHTTPClient(for: emulator)
        do {
            let result = try await body(EmulatorTestClient(emulator: emulator, http: http))
            try await http.shutdown()
            return result
        } catch {
            try? await http.shutdown()
            throw error
        }
    }
}

extension EmulatorTestClient {
    /// Creates the widget CRD and returns once its resource is served.
    public func installWidgetCRD(statusSubresource: Bool = true) async throws {
        let response = try await post(Fixtures.crdPath, Fixtures.widgetCRD(statusSubresource: statusSubresource))
        guard response.status == 201 else { throw TestFailure("CRD create returned \(response.status): \(response.text)") }
    }

    /// Creates a widget and returns the stored object.
    @discardableResult
    public func createWidget(_ name: String, size: Int64 = 3, labels: [String: String] = [:], namespace: String = "default") async throws -> JSONValue {
        let response = try await post(Fixtures.widgets(namespace), Fixtures.widget(name, size: size, labels: labels))
        guard response.status == 201 else { throw TestFailure("create \(name) returned \(response.status): \(response.text)") }
        return response.json
    }
}

/// A precondition of a test that did not hold.
public struct TestFailure: Error, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}
