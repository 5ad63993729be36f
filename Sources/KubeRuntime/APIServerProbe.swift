import KubeClient
import Logging

/// Options of a cluster's `APIServerProbe`.
public struct APIServerProbeOptions: Sendable {
    /// The wait between the end of one probe and the start of the next. Defaults to 5 s.
    public var period: Duration
    /// How long one probe (`GET /readyz`, credentials included) may take. Defaults to 5 s.
    public var timeout: Duration
    /// Consecutive failed probes after which the cluster is unreachable. Defaults to 2.
    public var failureThreshold: Int

    /// Options; defaults as documented on each property: a silent API server is reported within
    /// `failureThreshold × (period + timeout)` = 20 s.
    public init(period: Duration = KubeRuntimeDefaults.apiServerProbePeriod, timeout: Duration = KubeRuntimeDefaults.apiServerProbeTimeout,
                failureThreshold: Int = KubeRuntimeDefaults.apiServerProbeFailureThreshold) {
        self.period = period
        self.timeout = timeout
        self.failureThreshold = failureThreshold
    }

    /// The longest a silent API server goes unreported: `failureThreshold × (period + timeout)`.
    public var detectionBound: Duration { (period + timeout) * max(1, failureThreshold) }
}

/// Asks a cluster's API server, again and again, whether it answers at all: the one way to notice
/// a peer that went silent without closing its connections. Its watches would say nothing for
/// minutes (until their idle timeout), and real API servers send bookmarks only about once a
/// minute, so no watch deadline can be short without false alarms.
///
/// # Guarantees
/// - `failureThreshold` consecutive probes that got no HTTP answer (timeout, connection failure,
///   credentials that could not be had) report the cluster unreachable, within `detectionBound`
///   of its last answer, and drop its open watches (`KubeClient.dropWatches()`): their
///   half-open connections end now, and informers reconnect once the server answers again.
/// - Any answer, whatever its status, reports it reachable again.
struct APIServerProbe: Sendable {
    let client: KubeClient
    let options: APIServerProbeOptions
    let report: @Sendable (Result<Void, any Error>) -> Void
    let logger: Logger

    /// Probes until the task is cancelled.
    func run() async {
        var failures = 0
        while true {
            do { try await Task.sleep(for: options.period) } catch { return }
            do {
                _ = try await client.checkAnswers(timeout: options.timeout)
                failures = 0
                report(.success(()))
            } catch {
                if Task.isCancelled { return }
                failures += 1
                logger.debug("the API server did not answer", metadata: ["error": "\(error)", "failures": "\(failures)"])
                guard failures == options.failureThreshold else { continue }
                client.dropWatches()
                report(.failure(APIServerSilent(failures: failures, timeout: options.timeout, last: "\(error)")))
            }
        }
    }
}

/// The API server gave no answer to several probes in a row.
public struct APIServerSilent: Error, Sendable, CustomStringConvertible {
    /// The consecutive probes that got no answer.
    public var failures: Int
    /// The time each probe was given.
    public var timeout: Duration
    /// Why the last one failed.
    public var last: String

    public var description: String {
        "the API server did not answer \(failures) probes in a row (GET /readyz, \(timeout) each; last: \(last))"
    }
}
