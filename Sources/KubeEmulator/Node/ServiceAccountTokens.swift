import Foundation
import Synchronization

/// Bound service-account tokens (what the TokenRequest API hands out): opaque random strings
/// that authenticate as `system:serviceaccount:NAMESPACE:NAME` until they expire.
final class ServiceAccountTokens: Sendable {
    private struct Grant {
        var user: String
        var expiration: Date
    }

    private let grants = Mutex<[String: Grant]>([:])

    /// Issues a token; expired ones are forgotten on the way.
    func issue(namespace: String, serviceAccount: String, expirationSeconds: Int, now: Date = Date()) -> (token: String, expiration: Date) {
        var bytes = [UInt8](repeating: 0, count: 32)
        var generator = SystemRandomNumberGenerator()
        for index in bytes.indices { bytes[index] = generator.next() }
        let token = "kube-emulator-sa." + bytes.map { String(format: "%02x", $0) }.joined()
        let expiration = now.addingTimeInterval(Double(max(600, expirationSeconds)))
        grants.withLock { grants in
            grants = grants.filter { $0.value.expiration > now }
            grants[token] = Grant(user: "system:serviceaccount:\(namespace):\(serviceAccount)", expiration: expiration)
        }
        return (token, expiration)
    }

    /// The user a token stands for, if it is one of ours and not expired.
    func user(for token: String, now: Date = Date()) -> String? {
        grants.withLock { grants in
            guard let grant = grants[token], grant.expiration > now else { return nil }
            return grant.user
        }
    }
}
