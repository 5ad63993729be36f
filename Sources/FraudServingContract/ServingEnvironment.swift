/// The environment variables through which the operator configures fraud-server.
///
/// The one definition of their spelling: fraud-server reads these names, the operator's
/// Deployment sets them, and the README documents them. Each value's meaning is the
/// matching `fraud-server` flag's (`fraud-server --help`).
public enum ServingEnvironment {
    /// The model file's path inside the container.
    public static let modelPath = "MODEL_PATH"
    /// Where to download the model from at start instead: `s3://`, `gs://`, `https://` or
    /// `file://`; the replica is live but not ready until it is fetched, verified and loaded.
    public static let modelURI = "MODEL_URI"
    /// A writable directory where verified `MODEL_URI` downloads are kept by SHA-256, so a
    /// restarted container does not download the model again (the operator mounts an
    /// `emptyDir` there: the root filesystem is read-only).
    public static let modelCacheDir = "MODEL_CACHE_DIR"
    /// The model file's format: a ``ModelFormat`` raw value, or `auto`.
    public static let modelFormat = "MODEL_FORMAT"
    /// The model's name in the Open Inference Protocol (the FraudModel's name).
    public static let modelName = "MODEL_NAME"
    /// The model version reported with every prediction (the image tag).
    public static let modelVersion = "MODEL_VERSION"
    /// The expected lowercase hex SHA-256 of the model file; readiness fails on a mismatch.
    public static let modelSHA256 = "MODEL_SHA256"
    /// The probability above which a row is labelled 1, in [0, 1].
    public static let threshold = "THRESHOLD"
    /// The address to listen on.
    public static let host = "HOST"
    /// The port to listen on.
    public static let port = "PORT"
    /// A second port serving only `/metrics`, kept off the prediction port (and so off the
    /// load balancer); unset serves `/metrics` on `PORT`.
    public static let metricsPort = "METRICS_PORT"
    /// The largest request body accepted, in bytes.
    public static let maxBodyBytes = "MAX_BODY_BYTES"
    /// The most rows one request may carry.
    public static let maxBatchRows = "MAX_BATCH_ROWS"
    /// Seconds to keep serving after SIGTERM with readiness already false, so endpoints and
    /// load balancers stop sending traffic before the listener closes.
    public static let shutdownDelaySeconds = "SHUTDOWN_DELAY_SECONDS"
    /// `json` or `text`.
    public static let logFormat = "LOG_FORMAT"

    /// Every variable fraud-server reads, in the order `--help` lists them.
    public static let all = [
        modelPath, modelURI, modelCacheDir, modelFormat, modelName, modelVersion, modelSHA256, threshold, host, port, metricsPort, maxBodyBytes, maxBatchRows,
        shutdownDelaySeconds, logFormat,
    ]
}
