import Crypto
import FraudServing
import Logging
import Synchronization

/// The model being served, its identity, and whether this replica is ready.
///
/// # Guarantees
/// - Ready only when the model loaded, its file matched `MODEL_SHA256` (when set), and
///   shutdown has not begun. Once ``beginShutdown()`` is called readiness never returns.
/// - Immutable apart from the shutdown flag and the in-flight count, which are atomic:
///   no locks on the hot path.
public final class ServingState: Sendable {
    /// The settings the state was built from.
    public let configuration: ServerConfiguration
    /// The compiled model, or `nil` when the integrity check failed.
    public let model: TreeModel?
    /// The model file's SHA-256 (lowercase hex).
    public let sha256: String
    /// Why this replica will never become ready (digest mismatch), or `nil`.
    public let failure: String?
    /// The bound on requests in inference (`MAX_INFLIGHT_REQUESTS`).
    public let admission: InferenceAdmission
    private let shuttingDown = Atomic<Bool>(false)

    /// Creates a state around an already loaded model (tests).
    public init(configuration: ServerConfiguration, model: TreeModel?, sha256: String, failure: String? = nil) {
        self.configuration = configuration
        self.model = model
        self.sha256 = sha256
        self.failure = failure
        admission = InferenceAdmission(limit: configuration.maxInflightRequests)
    }

    /// Reads, verifies and compiles the configured model.
    ///
    /// A digest mismatch is not thrown: it is logged with both digests and yields a
    /// state that stays live but never ready, so the pod reports the reason instead of
    /// crash-looping.
    /// - Throws: ``ModelLoadError`` when the file cannot be read or parsed, or uses an
    ///   unsupported feature.
    public static func load(configuration: ServerConfiguration, logger: Logger) throws(ModelLoadError) -> ServingState {
        let bytes = try ModelLoader.readFile(configuration.modelPath)
        let digest = SHA256.hash(data: bytes).map { byte in
            let hex = String(byte, radix: 16)
            return byte < 16 ? "0" + hex : hex
        }.joined()
        if let expected = configuration.modelSHA256, expected != digest {
            let reason = "model file \(configuration.modelPath) has sha256 \(digest), expected MODEL_SHA256 \(expected)"
            logger.error(
                "model integrity check failed; this replica will not become ready",
                metadata: ["path": "\(configuration.modelPath)", "expected_sha256": "\(expected)", "actual_sha256": "\(digest)"])
            return ServingState(configuration: configuration, model: nil, sha256: digest, failure: reason)
        }
        let model = try ModelLoader.load(bytes: bytes, format: configuration.modelFormat, file: configuration.modelPath)
        logger.info(
            "model loaded",
            metadata: [
                "path": "\(configuration.modelPath)", "format": "\(model.format)", "objective": "\(model.objective)",
                "trees": "\(model.treeCount)", "features": "\(model.featureCount)", "sha256": "\(digest)",
                "model_name": "\(configuration.modelName)", "model_version": "\(configuration.modelVersion)",
            ])
        return ServingState(configuration: configuration, model: model, sha256: digest)
    }

    /// Whether the readiness probe should pass.
    public var isReady: Bool { model != nil && !shuttingDown.load(ordering: .relaxed) }

    /// Whether shutdown has begun.
    public var isShuttingDown: Bool { shuttingDown.load(ordering: .relaxed) }

    /// Turns readiness off for good (called at the start of a graceful shutdown).
    public func beginShutdown() {
        shuttingDown.store(true, ordering: .relaxed)
    }
}
