import CoreMetrics
import Prometheus
import Synchronization

/// Every metric fraud-server exports, defined in this one file, recorded through
/// swift-metrics into this server's own Prometheus registry (no global bootstrap, so
/// several servers — or tests — never share counters).
///
/// Exported series:
/// - `fraud_server_requests_total{route,method,status}` — counter.
/// - `fraud_server_request_duration_seconds{route,method,status}` — histogram.
/// - `fraud_server_rows_predicted_total` — counter of rows scored.
/// - `fraud_server_batch_rows` — histogram of rows per prediction request.
/// - `fraud_server_model_info{name,version,sha256,format}` — gauge, always 1.
/// - `fraud_server_ready` — gauge, 1 when the readiness probe passes.
/// - `fraud_server_model_load_failures_total{reason}` — counter of failed model fetches or
///   loads (`MODEL_URI`), by ``ObjectStoreError/Kind`` raw value or `invalid_model`.
/// - `fraud_server_model_load_seconds` — gauge, start to model ready (download, verify, parse).
/// - `fraud_server_request_body_timeouts_total` — counter of requests cut off because
///   their body did not arrive within `REQUEST_BODY_TIMEOUT_SECONDS`.
public final class ServerMetrics: Sendable {
    /// The registry `/metrics` renders.
    public let registry: PrometheusCollectorRegistry
    private let factory: PrometheusMetricsFactory
    private let rowsPredicted: CoreMetrics.Counter
    private let batchRows: Recorder
    private let ready: CoreMetrics.Gauge
    private let bodyTimeouts: CoreMetrics.Counter
    private let perRoute = Mutex<[RouteKey: (CoreMetrics.Counter, CoreMetrics.Timer)]>([:])

    private struct RouteKey: Hashable {
        var route: String
        var method: String
        var status: Int
    }

    /// Latency buckets (seconds) sized for sub-millisecond inference.
    static let latencyBuckets: [Duration] = [
        .microseconds(100), .microseconds(250), .microseconds(500), .milliseconds(1), .milliseconds(2),
        .milliseconds(5), .milliseconds(10), .milliseconds(25), .milliseconds(50), .milliseconds(100),
        .milliseconds(250), .milliseconds(500), .seconds(1), .seconds(2.5),
    ]
    /// Batch-size buckets (rows).
    static let batchBuckets: [Double] = [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000, 10000]

    private let modelName: String
    private let modelVersion: String

    /// Creates the metrics and records the model's identity.
    public convenience init(modelName: String, modelVersion: String, sha256: String, format: String) {
        self.init(modelName: modelName, modelVersion: modelVersion)
        recordModel(sha256: sha256, format: format)
    }

    /// Creates the metrics before the model is known (`MODEL_URI`): ``recordModel(sha256:format:)`` follows.
    public init(modelName: String, modelVersion: String) {
        self.modelName = modelName
        self.modelVersion = modelVersion
        let registry = PrometheusCollectorRegistry()
        var factory = PrometheusMetricsFactory(registry: registry)
        factory.durationHistogramBuckets["fraud_server_request_duration_seconds"] = Self.latencyBuckets
        factory.valueHistogramBuckets["fraud_server_batch_rows"] = Self.batchBuckets
        self.registry = registry
        self.factory = factory
        rowsPredicted = CoreMetrics.Counter(label: "fraud_server_rows_predicted_total", factory: factory)
        batchRows = Recorder(label: "fraud_server_batch_rows", aggregate: true, factory: factory)
        ready = CoreMetrics.Gauge(label: "fraud_server_ready", factory: factory)
        bodyTimeouts = CoreMetrics.Counter(label: "fraud_server_request_body_timeouts_total", factory: factory)
    }

    /// Records the served model's identity (`fraud_server_model_info`).
    public func recordModel(sha256: String, format: String) {
        CoreMetrics.Gauge(
            label: "fraud_server_model_info",
            dimensions: [("name", modelName), ("version", modelVersion), ("sha256", sha256), ("format", format)],
            factory: factory
        ).record(1)
    }

    /// Records a failed model fetch or load, by reason.
    public func recordModelLoadFailure(reason: String) {
        CoreMetrics.Counter(label: "fraud_server_model_load_failures_total", dimensions: [("reason", reason)], factory: factory)
            .increment()
    }

    /// Records the time from start to a loaded model.
    public func recordModelLoaded(after duration: Duration) {
        let (seconds, attoseconds) = duration.components
        CoreMetrics.Gauge(label: "fraud_server_model_load_seconds", factory: factory)
            .record(Double(seconds) + Double(attoseconds) / 1e18)
    }

    /// Records one finished request.
    public func recordRequest(route: String, method: String, status: Int, duration: Duration) {
        let key = RouteKey(route: route, method: method, status: status)
        let (counter, timer) = perRoute.withLock { cache in
            if let metrics = cache[key] { return metrics }
            let dimensions = [("route", route), ("method", method), ("status", String(status))]
            let metrics = (
                CoreMetrics.Counter(label: "fraud_server_requests_total", dimensions: dimensions, factory: factory),
                CoreMetrics.Timer(label: "fraud_server_request_duration_seconds", dimensions: dimensions, factory: factory)
            )
            cache[key] = metrics
            return metrics
        }
        counter.increment()
        let (seconds, attoseconds) = duration.components
        timer.recordNanoseconds(seconds * 1_000_000_000 + attoseconds / 1_000_000_000)
    }

    /// Records one scored batch of `rows` rows.
    public func recordBatch(rows: Int) {
        rowsPredicted.increment(by: rows)
        batchRows.record(rows)
    }

    /// Records one request cut off by the body deadline (answered 408 by the channel
    /// handler, so it never reaches ``recordRequest(route:method:status:duration:)``).
    public func recordBodyTimeout() {
        bodyTimeouts.increment()
    }

    /// The Prometheus text exposition of every metric.
    public func render(ready isReady: Bool) -> [UInt8] {
        ready.record(isReady ? 1 : 0)
        var buffer: [UInt8] = []
        buffer.reserveCapacity(8 * 1024)
        registry.emit(into: &buffer)
        return buffer
    }
}
