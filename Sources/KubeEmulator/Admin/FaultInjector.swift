import Foundation
import KubeAPI
import Synchronization

/// Injected failures and latency for requests matching a verb and resource
/// (configured through `/_emulator/faults`).
final class FaultInjector: Sendable {
    struct Fault: Sendable {
        var verb: String?
        var resource: String?
        var status: Int
        var retryAfterSeconds: Int?
        /// How many more requests fail; nil: unlimited.
        var remaining: Int?
        /// Probability a matching request fails.
        var fraction: Double
        var latency: Duration
    }

    private let faults = Mutex<[Fault]>([])

    func add(_ fault: Fault) { faults.withLock { $0.append(fault) } }
    func clear() { faults.withLock { $0.removeAll() } }

    /// The delay and failure (if any) for a request.
    func decide(verb: String, resource: String) -> (delay: Duration, failure: KubeStatus?) {
        faults.withLock { faults in
            var delay: Duration = .zero
            for index in faults.indices {
                let fault = faults[index]
                guard fault.verb.map({ $0 == "*" || $0 == verb }) ?? true, fault.resource.map({ $0 == "*" || $0 == resource }) ?? true else { continue }
                delay += fault.latency
                guard fault.status >= 400, fault.remaining.map({ $0 > 0 }) ?? true, Double.random(in: 0..<1) < fault.fraction else { continue }
                if let remaining = fault.remaining { faults[index].remaining = remaining - 1 }
                return (delay, Self.status(for: fault))
            }
            return (delay, nil)
        }
    }

    static func status(for fault: Fault) -> KubeStatus {
        switch fault.status {
        case 429:
            return KubeStatus(code: 429, reason: "TooManyRequests", message: "too many requests, please try again later", retryAfterSeconds: fault.retryAfterSeconds ?? 1)
        case 503:
            return KubeStatus(code: 503, reason: "ServiceUnavailable", message: "the server is currently unable to handle the request", retryAfterSeconds: fault.retryAfterSeconds)
        case 504:
            return KubeStatus(code: 504, reason: "Timeout", message: "the server was unable to return a response in the time allotted")
        default:
            return KubeStatus(code: fault.status, reason: fault.status >= 500 ? "InternalError" : "BadRequest", message: "injected failure (\(fault.status))")
        }
    }
}
