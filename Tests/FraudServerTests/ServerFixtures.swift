import FraudServer
import FraudServing
import Hummingbird
import HummingbirdTesting
import Logging

/// Builds servers over the committed parity fixtures (Tests/FraudServingTests/Fixtures).
enum ServerFixtures {
    static let directory: String = {
        var path = #filePath
        while let last = path.last, last != "/" { path.removeLast() }
        return path + "../FraudServingTests/Fixtures/"
    }()

    static func csv(_ name: String) throws -> [[Double]] {
        let text = String(decoding: try ModelLoader.readFile(directory + name), as: UTF8.self)
        return text.split(separator: "\n").map { line in
            line.split(separator: ",", omittingEmptySubsequences: false).map {
                $0.isEmpty ? .nan : DecimalParser.parseDouble($0)!
            }
        }
    }

    static func configuration(model: String = "xgboost_binary.json") -> ServerConfiguration {
        var configuration = ServerConfiguration()
        configuration.modelPath = directory + model
        configuration.modelVersion = "2.1.0"
        return configuration
    }

    static func state(_ configuration: ServerConfiguration) throws -> ServingState {
        try ServingState.load(configuration: configuration, logger: Logger(label: "test"))
    }

    static func application(_ state: ServingState) -> (some ApplicationProtocol, ServerMetrics) {
        let metrics = ServerMetrics(
            modelName: state.configuration.modelName, modelVersion: state.configuration.modelVersion,
            sha256: state.sha256, format: state.model?.format.platform ?? "unloaded")
        return (FraudServer.makeApplication(state: state, metrics: metrics, logger: Logger(label: "test")), metrics)
    }

    /// JSON text for rows, with `null` for NaN.
    static func json(_ rows: [[Double]]) -> String {
        "[" + rows.map { "[" + $0.map { $0.isNaN ? "null" : "\($0)" }.joined(separator: ",") + "]" }.joined(separator: ",") + "]"
    }
}

extension ByteBuffer {
    var text: String { String(buffer: self) }
}
