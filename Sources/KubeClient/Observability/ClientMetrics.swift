import CoreMetrics
import Metrics

/// The names of the client's metrics (client-go's `rest_client_*`, with its labels) and the
/// buckets of its duration histograms, for exporters that set buckets per metric
/// (`RuntimeMetrics.prometheus()` does).
public enum KubeClientMetrics {
    /// The metric names.
    public enum Names {
        /// `rest_client_requests_total{code,method,host}`: responses (`code` is `<error>` for transport failures).
        public static let requests = "rest_client_requests_total"
        /// `rest_client_request_duration_seconds{verb,host}`: latency of each attempt (`verb` is the HTTP method, as client-go's).
        public static let requestDuration = "rest_client_request_duration_seconds"
        /// `rest_client_request_retries_total{code,verb,host}`: retries.
        public static let retries = "rest_client_request_retries_total"
        /// `rest_client_rate_limiter_duration_seconds{verb,host}`: time spent waiting for the client-side limiter.
        public static let rateLimiterDuration = "rest_client_rate_limiter_duration_seconds"
    }

    /// client-go's buckets of both duration histograms: 5 ms to 60 s.
    public static let durationBuckets: [Duration] = [5, 25, 100, 250, 500, 1000, 2000, 4000, 8000, 15_000, 30_000, 60_000].map { .milliseconds($0) }
}

/// Records every metric of the client (see `KubeClientMetrics.Names`) into one factory
/// (the global `MetricsSystem` by default).
struct ClientMetrics: Sendable {
    let factory: any MetricsFactory
    let host: String

    private typealias Names = KubeClientMetrics.Names

    func recordResponse(code: String, method: String, duration: Duration) {
        Counter(label: Names.requests, dimensions: [("code", code), ("method", method), ("host", host)], factory: factory).increment()
        Metrics.Timer(label: Names.requestDuration, dimensions: [("verb", method), ("host", host)],
                      preferredDisplayUnit: .seconds, factory: factory).recordNanoseconds(duration.nanoseconds)
    }

    func recordRetry(code: String, method: String) {
        Counter(label: Names.retries, dimensions: [("code", code), ("verb", method), ("host", host)], factory: factory).increment()
    }

    func recordRateLimiterWait(_ wait: Duration, method: String) {
        Metrics.Timer(label: Names.rateLimiterDuration, dimensions: [("verb", method), ("host", host)],
                      preferredDisplayUnit: .seconds, factory: factory).recordNanoseconds(wait.nanoseconds)
    }
}

extension Duration {
    var nanoseconds: Int64 {
        let (seconds, attoseconds) = components
        return seconds * 1_000_000_000 + attoseconds / 1_000_000_000
    }
}
