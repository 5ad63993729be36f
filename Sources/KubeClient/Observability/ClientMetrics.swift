import CoreMetrics
import Metrics

/// Every metric of the client, with client-go's names and labels, recorded into one factory
/// (the global `MetricsSystem` by default).
///
/// - `rest_client_requests_total{code,method,host}`: responses (`<error>` for transport failures).
/// - `rest_client_request_duration_seconds{verb,host}`: latency of each attempt (verb = HTTP method, as client-go).
/// - `rest_client_request_retries_total{code,verb,host}`: retries.
/// - `rest_client_rate_limiter_duration_seconds{verb,host}`: time spent waiting for the client-side limiter.
struct ClientMetrics: Sendable {
    let factory: any MetricsFactory
    let host: String

    func recordResponse(code: String, method: String, duration: Duration) {
        Counter(label: "rest_client_requests_total", dimensions: [("code", code), ("method", method), ("host", host)], factory: factory).increment()
        Metrics.Timer(label: "rest_client_request_duration_seconds", dimensions: [("verb", method), ("host", host)],
                      preferredDisplayUnit: .seconds, factory: factory).recordNanoseconds(duration.nanoseconds)
    }

    func recordRetry(code: String, method: String) {
        Counter(label: "rest_client_request_retries_total", dimensions: [("code", code), ("verb", method), ("host", host)], factory: factory).increment()
    }

    func recordRateLimiterWait(_ wait: Duration, method: String) {
        Metrics.Timer(label: "rest_client_rate_limiter_duration_seconds", dimensions: [("verb", method), ("host", host)],
                      preferredDisplayUnit: .seconds, factory: factory).recordNanoseconds(wait.nanoseconds)
    }
}

extension Duration {
    var nanoseconds: Int64 {
        let (seconds, attoseconds) = components
        return seconds * 1_000_000_000 + attoseconds / 1_000_000_000
    }
}
