import Foundation

/// One value that expires (AWS credentials, a Google access token), cached and refreshed ahead
/// of its expiry: the caching half of ``AWSCredentialChain`` and ``GoogleCredentialChain``.
///
/// # Guarantees
/// - The value is reused until it is within `refreshMargin` seconds of its expiry (never, for a
///   value without one); concurrent callers then share one refresh.
/// - If that refresh fails while the cached value has not yet expired, it is still returned, and
///   the next call tries again.
///
/// # Caveats
/// - A refresh runs to completion even if the caller that started it is cancelled, since other
///   callers may be waiting for it.
actor RefreshingCache<Value: Sendable> {
    private let refreshMargin: TimeInterval
    private let now: @Sendable () -> Date
    private let expiry: @Sendable (Value) -> Date?
    private var cached: Value?
    private var refresh: Task<Result<Value, ObjectStoreError>, Never>?

    /// - Parameters:
    ///   - refreshMargin: how close to its expiry a value is refreshed, in seconds.
    ///   - now: the clock.
    ///   - expiry: when a value stops working; nil: never.
    init(refreshMargin: TimeInterval, now: @escaping @Sendable () -> Date, expiry: @escaping @Sendable (Value) -> Date?) {
        self.refreshMargin = refreshMargin
        self.now = now
        self.expiry = expiry
    }

    /// The value last fetched, whether or not it is still fresh.
    var current: Value? { cached }

    /// A fresh value: the cached one, the result of the refresh under way, or of one started
    /// with `fetch`.
    /// - Throws: the refresh's error, when there is no unexpired value to fall back on.
    func value(fetch: @escaping @Sendable () async throws(ObjectStoreError) -> Value) async throws(ObjectStoreError) -> Value {
        if let cached, !isDue(cached) { return cached }
        let task = refresh ?? startRefresh(fetch)
        let result = await task.value
        if refresh == task { refresh = nil }
        switch result {
        case .success(let fresh):
            cached = fresh
            return fresh
        case .failure(let error):
            if let cached, let expiration = expiry(cached), now() < expiration { return cached }
            throw error
        }
    }

    private func isDue(_ value: Value) -> Bool {
        guard let expiration = expiry(value) else { return false }
        return now() >= expiration.addingTimeInterval(-refreshMargin)
    }

    /// Starts the one refresh that callers share. It is not cancelled with the caller that
    /// started it, since others may be waiting for it.
    private func startRefresh(_ fetch: @escaping @Sendable () async throws(ObjectStoreError) -> Value) -> Task<Result<Value, ObjectStoreError>, Never> {
        let task = Task {
            do throws(ObjectStoreError) {
                return Result<Value, ObjectStoreError>.success(try await fetch())
            } catch {
                return .failure(error)
            }
        }
        refresh = task
        return task
    }
}
