import Crypto
import FraudServing
import Logging
import ObjectStore
import Synchronization

/// The model being served, its identity, and whether this replica is ready.
///
/// # Guarantees
/// - Ready only when the model loaded, its file matched `MODEL_SHA256` (when set), and
///   shutdown has not begun. Once ``beginShutdown()`` is called readiness never returns.
/// - The model is installed at most once (at start, or when a `MODEL_URI` download finishes)
///   and never replaced; reading it is a lock-free atomic load, so the hot path takes no locks.
public final class ServingState: Sendable {
    /// A verified, compiled model and its file's digest.
    public final class LoadedModel: Sendable {
        public let model: TreeModel
        /// The model file's SHA-256 (lowercase hex).
        public let sha256: String

        public init(model: TreeModel, sha256: String) {
            self.model = model
            self.sha256 = sha256
        }
    }

    /// The settings the state was built from.
    public let configuration: ServerConfiguration
    /// The bound on requests in inference (`MAX_INFLIGHT_REQUESTS`).
    public let admission: InferenceAdmission
    private let loaded = AtomicLazyReference<LoadedModel>()
    /// Why this replica is not ready (a download or integrity failure) and the digest seen, if any.
    private let problem = Mutex<(reason: String, sha256: String)?>(nil)
    private let shuttingDown = Atomic<Bool>(false)

    /// A state with no model yet: live, not ready, until ``install(_:)``.
    public init(configuration: ServerConfiguration) {
        self.configuration = configuration
        admission = InferenceAdmission(limit: configuration.maxInflightRequests)
    }

    /// Creates a state around an already loaded model (tests), or a failed one.
    public convenience init(configuration: ServerConfiguration, model: TreeModel?, sha256: String, failure: String? = nil) {
        self.init(configuration: configuration)
        if let model { install(LoadedModel(model: model, sha256: sha256)) }
        if let failure { fail(failure, sha256: sha256) }
    }

    /// The compiled model, or `nil` before it is loaded or when loading failed.
    public var model: TreeModel? { loaded.load()?.model }

    /// The model file's SHA-256 (lowercase hex): the loaded model's, else the digest a failed
    /// integrity check saw, else empty.
    public var sha256: String { loaded.load()?.sha256 ?? problem.withLock { $0?.sha256 } ?? "" }

    /// Why this replica will never become ready (digest mismatch, download failure), or `nil`.
    public var failure: String? { problem.withLock { $0?.reason } }

    /// Serves `model` from now on; false if one was already installed (it stays).
    @discardableResult
    public func install(_ model: LoadedModel) -> Bool {
        let kept = loaded.storeIfNil(model)
        guard kept === model else { return false }
        problem.withLock { $0 = nil }
        return true
    }

    /// Records why the model could not be loaded (shown by the readiness endpoints).
    public func fail(_ reason: String, sha256: String = "") {
        problem.withLock { $0 = (reason, sha256) }
    }

    /// Reads, verifies and compiles the configured model file (`MODEL_PATH`).
    ///
    /// A digest mismatch is not thrown: it is logged with both digests and yields a
    /// state that stays live but never ready, so the pod reports the reason instead of
    /// crash-looping.
    /// - Throws: ``ModelLoadError`` when the file cannot be read or parsed, or uses an
    ///   unsupported feature.
    public static func load(configuration: ServerConfiguration, logger: Logger) throws(ModelLoadError) -> ServingState {
        let state = ServingState(configuration: configuration)
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
            state.fail(reason, sha256: digest)
            return state
        }
        let model = try ModelLoader.load(bytes: bytes, format: configuration.modelFormat, file: configuration.modelPath)
        state.logLoaded(model, sha256: digest, source: configuration.modelPath, logger: logger)
        state.install(LoadedModel(model: model, sha256: digest))
        return state
    }

    func logLoaded(_ model: TreeModel, sha256: String, source: String, logger: Logger) {
        logger.info(
            "model loaded",
            metadata: [
                "source": "\(source)", "format": "\(model.format)", "objective": "\(model.objective)",
                "trees": "\(model.treeCount)", "features": "\(model.featureCount)", "sha256": "\(sha256)",
                "model_name": "\(configuration.modelName)", "model_version": "\(configuration.modelVersion)",
            ])
    }

    /// Whether the readiness probe should pass.
    public var isReady: Bool { loaded.load() != nil && !shuttingDown.load(ordering: .relaxed) }

    /// Why the readiness probe fails: shutdown, the recorded failure, or a model still loading.
    public var notReadyReason: String {
        if isShuttingDown { return "shutting down" }
        if let failure { return failure }
        if model == nil {
            return configuration.modelURI.map { "the model is loading from \($0)" } ?? "the model is not loaded"
        }
        return "ready"
    }

    /// Whether shutdown has begun.
    public var isShuttingDown: Bool { shuttingDown.load(ordering: .relaxed) }

    /// Turns readiness off for good (called at the start of a graceful shutdown).
    public func beginShutdown() {
        shuttingDown.store(true, ordering: .relaxed)
    }
}
