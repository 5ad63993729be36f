/// Limits and patience for one model download.
public struct DownloadPolicy: Sendable, Equatable {
    /// The largest object accepted, in bytes; a bigger one fails without retry.
    public var maxBytes: Int64
    /// Time to connect to the store.
    public var connectTimeout: Duration
    /// The longest silence while reading a response (headers or body).
    public var readTimeout: Duration
    /// The longest one attempt may take, start to last byte.
    public var attemptTimeout: Duration
    /// Attempts in all (the first and its retries) before giving up on a retryable failure.
    public var maxAttempts: Int
    /// The pause before the first retry; it doubles each time (with jitter) up to `maxBackoff`.
    public var initialBackoff: Duration
    /// The longest pause between attempts.
    public var maxBackoff: Duration

    /// 1 GiB, 10 s to connect, 30 s of silence, 10 min per attempt, 5 attempts from 1 s to 30 s apart.
    public init(
        maxBytes: Int64 = 1 << 30, connectTimeout: Duration = .seconds(10), readTimeout: Duration = .seconds(30),
        attemptTimeout: Duration = .seconds(600), maxAttempts: Int = 5,
        initialBackoff: Duration = .seconds(1), maxBackoff: Duration = .seconds(30)
    ) {
        self.maxBytes = maxBytes
        self.connectTimeout = connectTimeout
        self.readTimeout = readTimeout
        self.attemptTimeout = attemptTimeout
        self.maxAttempts = maxAttempts
        self.initialBackoff = initialBackoff
        self.maxBackoff = maxBackoff
    }

    /// The pause before attempt `attempt + 1` (attempt counts from 1): exponential, with
    /// "equal jitter" (half fixed, half random) so replicas do not retry in step.
    func backoff(after attempt: Int) -> Duration {
        let exponent = min(max(attempt - 1, 0), 20)
        let full = min(initialBackoff * (1 << exponent), maxBackoff)
        return full / 2 + full / 2 * Double.random(in: 0...1)
    }
}

import AsyncHTTPClient
import NIOCore

extension DownloadPolicy {
    /// An HTTP client configuration with this policy's connect and read timeouts; redirects
    /// followed (at most 5, no cycles).
    public var httpClientConfiguration: HTTPClient.Configuration {
        var configuration = HTTPClient.Configuration()
        configuration.timeout = .init(connect: connectTimeout.timeAmount, read: readTimeout.timeAmount)
        configuration.redirectConfiguration = .follow(max: 5, allowCycles: false)
        return configuration
    }
}

extension Duration {
    var timeAmount: TimeAmount {
        let (seconds, attoseconds) = components
        return .nanoseconds(seconds * 1_000_000_000 + attoseconds / 1_000_000_000)
    }
}
