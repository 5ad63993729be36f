import KubeAPI
import Synchronization

/// Counts requests by verb, resource, user agent and status code, for tests and benchmarks
/// (read and reset through `/_emulator/counters`).
final class RequestCounters: Sendable {
    struct Key: Hashable, Sendable {
        var verb: String
        var resource: String
        var userAgent: String
        var code: Int
    }

    private let counts = Mutex<[Key: Int]>([:])

    func record(verb: String, resource: String, userAgent: String, code: Int) {
        counts.withLock { $0[Key(verb: verb, resource: resource, userAgent: userAgent, code: code), default: 0] += 1 }
    }

    func reset() { counts.withLock { $0.removeAll() } }

    /// Every counter as `{"items":[{verb, resource, userAgent, code, count}], "total": N}`.
    var json: JSONValue {
        let snapshot = counts.withLock { $0 }
        let items: [JSONValue] = snapshot.sorted { "\($0.key)" < "\($1.key)" }.map { key, count in
            ["verb": .string(key.verb), "resource": .string(key.resource), "userAgent": .string(key.userAgent),
             "code": .int(Int64(key.code)), "count": .int(Int64(count))]
        }
        return ["items": .array(items), "total": .int(Int64(snapshot.values.reduce(0, +)))]
    }

    /// The number of requests matching every given criterion.
    func count(verb: String? = nil, resource: String? = nil, userAgentPrefix: String? = nil, code: Int? = nil) -> Int {
        counts.withLock { counts in
            counts.filter { key, _ in
                (verb == nil || key.verb == verb) && (resource == nil || key.resource == resource)
                    && (userAgentPrefix == nil || key.userAgent.hasPrefix(userAgentPrefix!)) && (code == nil || key.code == code)
            }.values.reduce(0, +)
        }
    }
}
