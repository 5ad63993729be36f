import AsyncHTTPClient
import Foundation
import KubeAPI
import Logging
import CoreMetrics
import NIOCore
import NIOHTTP1
import NIOPosix
import NIOSSL
import Synchronization

/// Sends `KubeRequest`s to one API server: authentication, TLS, rate limiting, retries, timeouts,
/// metrics and logs. Shared by every resource client of a `KubeClient`.
///
/// # Guarantees
/// - Credentials are fetched for every attempt, so each attempt (and each watch reconnect)
///   carries the credentials valid when it is sent. The fetch is bounded by `requestTimeout`
///   (`KubeClientError.credentialTimeout`, not retried): a hanging exec plugin fails requests
///   instead of holding them.
/// - A 401 invalidates the credentials used and, when the provider can refresh, the request is
///   sent once more (not counted as a retry).
/// - Logs carry method, path, status, attempt and duration; never headers, bodies or credentials.
final class KubeTransport: Sendable {
    /// A complete response.
    struct Response: Sendable {
        var status: Int
        var headers: HTTPHeaders
        var body: [UInt8]
    }

    let configuration: KubeClientConfiguration
    let http: HTTPClient
    let credentials: any CredentialProvider
    let logger: Logger
    private let baseURL: String
    private let baseTLS: TLSConfiguration?
    private let limiter: TokenBucket?
    private let metrics: ClientMetrics
    /// The TLS configuration for the last exec-issued client certificate, so it is parsed once.
    private let issuedCertificateTLS = Mutex<(certificate: [UInt8], tls: TLSConfiguration)?>(nil)
    /// Ends the watch connections open when `KubeClient.dropWatches()` is called.
    let watchDrops = WatchDropSignal()

    init(configuration: KubeClientConfiguration, http: HTTPClient, credentials: any CredentialProvider, logger: Logger,
         metricsFactory: any MetricsFactory) throws(KubeClientError) {
        self.configuration = configuration
        self.http = http
        self.credentials = credentials
        self.logger = logger
        self.metrics = ClientMetrics(factory: metricsFactory, host: configuration.host)
        guard var components = URLComponents(string: configuration.server), let scheme = components.scheme, components.host != nil,
              scheme == "https" || scheme == "http" else {
            throw .configuration("\(configuration.name): server \"\(configuration.server)\" is not an http(s) URL")
        }
        if scheme == "https" {
            baseTLS = try TLSSettings.base(configuration.tls, context: configuration.name)
            if configuration.tls.insecureSkipVerify {
                logger.warning("TLS verification is disabled (insecure-skip-tls-verify); the server's identity is not checked", metadata: ["cluster": "\(configuration.name)"])
            }
            if let serverName = configuration.tls.serverName {
                // AsyncHTTPClient verifies and sends SNI for the URL's host: address the server by
                // tls-server-name and let the HTTPClient's dnsOverride (see KubeClient.makeHTTPClient) connect to the real host.
                components.host = serverName
            }
        } else {
            baseTLS = nil
        }
        var url = components.string ?? configuration.server
        while url.hasSuffix("/") { url.removeLast() }
        baseURL = url
        limiter = configuration.rateLimit.map(TokenBucket.init)
    }

    // MARK: Sending

    /// Sends a request and reads its whole body; non-2xx answers are thrown as `KubeError`.
    func send(_ request: KubeRequest) async throws -> Response {
        let timeout = configuration.requestTimeout
        return try await perform(request) { httpRequest in
            try await Self.withTimeout(timeout, verb: request.verb, path: request.path) { [http] in
                let response = try await http.execute(httpRequest, timeout: .nanoseconds(timeout.nanoseconds))
                let body = try await response.body.collect(upTo: KubeClientDefaults.maxResponseBytes)
                return Response(status: Int(response.status.code), headers: response.headers, body: Array(body.readableBytesView))
            }
        }
    }

    /// Opens a streamed response (a watch); non-200 answers are thrown as `KubeError`.
    /// Only the response head is bounded by the request timeout.
    func openStream(_ request: KubeRequest) async throws -> HTTPClientResponse {
        let timeout = configuration.requestTimeout
        var streamed: HTTPClientResponse?
        _ = try await perform(request) { httpRequest in
            let response = try await self.http.execute(httpRequest, timeout: .nanoseconds(timeout.nanoseconds))
            if response.status == .ok {
                streamed = response
                return Response(status: 200, headers: response.headers, body: [])
            }
            let body = try await Self.withTimeout(timeout, verb: request.verb, path: request.path) {
                Array(try await response.body.collect(upTo: 1024 * 1024).readableBytesView)
            }
            return Response(status: Int(response.status.code), headers: response.headers, body: body)
        }
        guard let streamed else { throw KubeClientError.transport(verb: request.verb, path: request.path, underlying: "no response") }
        return streamed
    }

    /// The attempt loop shared by `send` and `openStream`: limiter, credentials, one attempt, then
    /// a 401 refresh, a retry after a backoff, or the result.
    private func perform(_ request: KubeRequest, attempt send: (HTTPClientRequest) async throws -> Response) async throws -> Response {
        let policy = configuration.retry
        let started = ContinuousClock.now
        var attempt = 0
        var refreshedAfterUnauthorized = false
        while true {
            attempt += 1
            try Task.checkCancellation()
            if let limiter {
                let waited = try await limiter.acquire()
                metrics.recordRateLimiterWait(waited, method: request.method)
            }
            let used = try await boundedCredentials(for: request)
            let httpRequest = try makeHTTPRequest(request, credentials: used)
            let sent = ContinuousClock.now
            let outcome: Result<Response, any Error>
            do { outcome = .success(try await send(httpRequest)) } catch { outcome = .failure(error) }
            let duration = ContinuousClock.now - sent

            switch outcome {
            case .success(let response):
                metrics.recordResponse(code: String(response.status), method: request.method, duration: duration)
                logger.trace("response", metadata: metadata(request, status: response.status, attempt: attempt, duration: duration))
                if (200..<300).contains(response.status) { return response }
                let error = KubeStatus(httpStatus: response.status, body: response.body, retryAfterHeader: response.headers.first(name: "Retry-After"))
                if response.status == 401, !refreshedAfterUnauthorized, await credentials.invalidate(used) {
                    refreshedAfterUnauthorized = true
                    attempt -= 1
                    logger.debug("unauthorized; refreshing credentials and retrying once", metadata: metadata(request, status: 401, attempt: attempt + 1, duration: duration))
                    continue
                }
                guard RetryPolicy.isRetryable(code: response.status, idempotent: request.isIdempotent),
                      let delay = retryDelay(policy, attempt: attempt, retryAfter: error.retryAfter, started: started) else {
                    throw error
                }
                metrics.recordRetry(code: String(response.status), method: request.method)
                logger.debug("retrying", metadata: metadata(request, status: response.status, attempt: attempt, duration: duration, delay: delay))
                try await Task.sleep(for: delay)
            case .failure(let error):
                if error is CancellationError || Task.isCancelled { throw CancellationError() }
                metrics.recordResponse(code: "<error>", method: request.method, duration: duration)
                let failure = Self.classify(error, request: request, after: duration)
                guard failure.retryable, let delay = retryDelay(policy, attempt: attempt, retryAfter: nil, started: started) else {
                    throw failure.error
                }
                metrics.recordRetry(code: "<error>", method: request.method)
                logger.debug("retrying after a transport failure", metadata: metadata(request, status: nil, attempt: attempt, duration: duration, delay: delay, error: failure.error))
                try await Task.sleep(for: delay)
            }
        }
    }

    /// The credentials of one attempt, waited for at most `requestTimeout`.
    private func boundedCredentials(for request: KubeRequest) async throws -> Credentials {
        let timeout = configuration.requestTimeout
        do {
            return try await Self.withTimeout(timeout, verb: request.verb, path: request.path) { [credentials] in
                try await credentials.credentials()
            }
        } catch KubeClientError.timeout {
            throw KubeClientError.credentialTimeout(cluster: configuration.name, after: timeout)
        }
    }

    /// One `GET path`, credentials included, bounded by `timeout` and never retried; returns the
    /// HTTP status, whatever it is (any answer shows the server is there).
    func probe(path: String, timeout: Duration) async throws -> Int {
        let request = KubeRequest(method: "GET", path: path, verb: "get")
        let started = ContinuousClock.now
        do {
            let status = try await Self.withTimeout(timeout, verb: request.verb, path: path) { [self] in
                let httpRequest = try makeHTTPRequest(request, credentials: try await credentials.credentials())
                let response = try await http.execute(httpRequest, timeout: .nanoseconds(timeout.nanoseconds))
                _ = try await response.body.collect(upTo: 64 * 1024)
                return Int(response.status.code)
            }
            metrics.recordResponse(code: String(status), method: request.method, duration: ContinuousClock.now - started)
            return status
        } catch {
            if !Task.isCancelled { metrics.recordResponse(code: "<error>", method: request.method, duration: ContinuousClock.now - started) }
            throw error
        }
    }

    private func retryDelay(_ policy: RetryPolicy, attempt: Int, retryAfter: Duration?, started: ContinuousClock.Instant) -> Duration? {
        guard attempt < policy.maxAttempts else { return nil }
        let delay = policy.delay(beforeRetry: attempt, retryAfter: retryAfter)
        guard ContinuousClock.now + delay - started <= policy.deadline else { return nil }
        return delay
    }

    private func makeHTTPRequest(_ request: KubeRequest, credentials: Credentials) throws -> HTTPClientRequest {
        var http = HTTPClientRequest(url: baseURL + request.pathAndQuery)
        http.method = HTTPMethod(rawValue: request.method)
        http.headers.add(name: "User-Agent", value: configuration.userAgent)
        http.headers.add(name: "Accept", value: "application/json")
        if let authorization = credentials.authorization { http.headers.add(name: "Authorization", value: authorization) }
        if let body = request.body {
            http.headers.add(name: "Content-Type", value: request.contentType ?? "application/json")
            http.body = .bytes(ByteBuffer(bytes: body))
        }
        if var tls = baseTLS {
            if let certificate = credentials.clientCertificatePEM, let key = credentials.clientKeyPEM {
                tls = try issuedTLS(certificate: certificate, key: key, base: tls)
            }
            http.tlsConfiguration = tls
        }
        return http
    }

    private func issuedTLS(certificate: [UInt8], key: [UInt8], base: TLSConfiguration) throws -> TLSConfiguration {
        if let cached = issuedCertificateTLS.withLock({ $0 }), cached.certificate == certificate { return cached.tls }
        var tls = base
        try TLSSettings.addClientCertificate(certificate, key: key, to: &tls, context: "\(configuration.name) exec credential")
        issuedCertificateTLS.withLock { $0 = (certificate, tls) }
        return tls
    }

    private func metadata(_ request: KubeRequest, status: Int?, attempt: Int, duration: Duration, delay: Duration? = nil, error: (any Error)? = nil) -> Logger.Metadata {
        var metadata: Logger.Metadata = [
            "cluster": "\(configuration.name)", "verb": "\(request.verb)", "method": "\(request.method)",
            "path": "\(request.path)", "attempt": "\(attempt)", "duration": "\(duration)",
        ]
        if let status { metadata["status"] = "\(status)" }
        if let delay { metadata["retryIn"] = "\(delay)" }
        if let error { metadata["error"] = "\(error)" }
        return metadata
    }

    // MARK: Errors and timeouts

    struct ClassifiedFailure {
        var error: any Error
        var retryable: Bool
    }

    /// Which transport failures are retried: never TLS failures (they repeat); connection
    /// establishment failures for every verb (nothing was sent); other connection failures and
    /// timeouts only for idempotent verbs.
    /// - Parameter after: how long the attempt took (what a timeout reports).
    static func classify(_ error: any Error, request: KubeRequest, after duration: Duration) -> ClassifiedFailure {
        if error is KubeStatus || error is KubeClientError && !isTimeout(error) {
            return ClassifiedFailure(error: error, retryable: false)
        }
        if error is NIOSSLError || error is BoringSSLError {
            return ClassifiedFailure(error: KubeClientError.transport(verb: request.verb, path: request.path, underlying: "TLS: \(error)"), retryable: false)
        }
        if isTimeout(error) {
            // The HTTP client's own deadline and read timeout are the same failure as ours: one error type.
            let timeout = error as? KubeClientError ?? .timeout(verb: request.verb, path: request.path, after: duration)
            return ClassifiedFailure(error: timeout, retryable: request.isIdempotent)
        }
        let connectFailure = error is NIOConnectionError || (error as? HTTPClientError) == .connectTimeout
            || (error as? IOError).map { $0.errnoCode == ECONNREFUSED } ?? false
        let wrapped = KubeClientError.transport(verb: request.verb, path: request.path, underlying: "\(error)")
        return ClassifiedFailure(error: wrapped, retryable: connectFailure || request.isIdempotent)
    }

    private static func isTimeout(_ error: any Error) -> Bool {
        if case .timeout = error as? KubeClientError { return true }
        if let error = error as? HTTPClientError { return error == .deadlineExceeded || error == .readTimeout }
        return false
    }

    /// Runs `operation`, cancelling it and throwing `KubeClientError.timeout` after `timeout`.
    static func withTimeout<T: Sendable>(_ timeout: Duration, verb: String, path: String, _ operation: @escaping @Sendable () async throws -> T) async throws -> T {
        try await withThrowingTaskGroup(of: T?.self) { group in
            group.addTask { try await operation() }
            group.addTask {
                try await Task.sleep(for: timeout)
                return nil
            }
            defer { group.cancelAll() }
            guard let first = try await group.next(), let value = first else {
                throw KubeClientError.timeout(verb: verb, path: path, after: timeout)
            }
            return value
        }
    }
}
