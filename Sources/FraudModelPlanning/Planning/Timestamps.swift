#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// RFC 3339 timestamps as status fields hold them, at whole seconds.
package enum Timestamps {
    /// `date` rounded *up* to a whole second: a transition is never recorded earlier than it
    /// happened, so bake time and deadlines measured from it are never cut short.
    package static func format(_ date: Date) -> String {
        Date(timeIntervalSince1970: date.timeIntervalSince1970.rounded(.up)).formatted(.iso8601)
    }

    /// The date of an RFC 3339 timestamp; nil when it cannot be read.
    package static func parse(_ text: String?) -> Date? {
        guard let text else { return nil }
        return try? Date(text, strategy: .iso8601)
    }

    /// Whole seconds from `start` to `now` (0 when `start` is later).
    package static func seconds(from start: Date, to now: Date) -> Int {
        let interval = now.timeIntervalSince(start)
        guard interval.isFinite, interval > 0 else { return 0 }
        return interval >= Double(Int.max) ? Int.max : Int(interval)
    }
}
