import Foundation
import Synchronization

/// Bound service-account tokens (what the TokenRequest API hands out): opaque random strings
/// that authenticate as `system:serviceaccount:NAMESPACE:NAME` until they expire, and only while
/// the service account (and the pod they are bound to, if any) still exists with the same uid.
final class ServiceAccountTokens: Sendable {
    /// What one token was issued for.
    struct Grant: Sendable, Equatable {
        var namespace: String
        var serviceAccount: String
        /// The service account's uid when the token was issued; nil when it did not exist (the
        /// kubelet's `default` account, which the emulator does not create).
        var serviceAccountUID: String?
        /// The pod the token is bound to, if any.
        var boundPod: BoundPod?
        var audiences: [String]
        var expiration: Date
    }

    /// The pod a token is bound to (TokenRequest's `boundObjectRef` of kind Pod).
    struct BoundPod: Sendable, Equatable {
        var name: String
        var uid: String
    }

    /// The audiences the API server accepts, and those a TokenRequest without audiences gets
    /// (kube-apiserver's `--api-audiences`, which defaults to the issuer).
    static let apiAudiences = ["https://kubernetes.default.svc.cluster.local"]
    /// The shortest lifetime a TokenRequest may ask for (10 minutes), as kube-apiserver validates.
    static let minimumExpirationSeconds: Int64 = 600
    /// The longest lifetime a TokenRequest may ask for before validation fails (2^32 seconds).
    static let maximumRequestableSeconds: Int64 = 1 << 32
    /// Longer requests are shortened to this (kube-apiserver's `--service-account-max-token-expiration`):
    /// 48 hours.
    static let maximumExpirationSeconds: Int64 = 48 * 3600

    private let grants = Mutex<[String: Grant]>([:])

    /// Issues a token for the service account `name` in `namespace`, lasting `expirationSeconds`
    /// clamped to 10 minutes … ``maximumExpirationSeconds``; expired tokens are forgotten on the way.
    func issue(namespace: String, name: String, serviceAccountUID: String?, boundPod: BoundPod?, audiences: [String],
               expirationSeconds: Int64, now: Date = Date()) -> (token: String, expiration: Date) {
        var bytes = [UInt8](repeating: 0, count: 32)
        var generator = SystemRandomNumberGenerator()
        for index in bytes.indices { bytes[index] = generator.next() }
        let token = "kube-emulator-sa." + bytes.map { String(format: "%02x", $0) }.joined()
        let seconds = min(max(Self.minimumExpirationSeconds, expirationSeconds), Self.maximumExpirationSeconds)
        let grant = Grant(namespace: namespace, serviceAccount: name, serviceAccountUID: serviceAccountUID, boundPod: boundPod,
                          audiences: audiences.isEmpty ? Self.apiAudiences : audiences, expiration: now.addingTimeInterval(Double(seconds)))
        grants.withLock { grants in
            grants = grants.filter { $0.value.expiration > now }
            grants[token] = grant
        }
        return (token, grant.expiration)
    }

    /// The grant a token stands for, if it is one of ours and not expired.
    func grant(for token: String, now: Date = Date()) -> Grant? {
        grants.withLock { grants in
            guard let grant = grants[token], grant.expiration > now else { return nil }
            return grant
        }
    }
}
