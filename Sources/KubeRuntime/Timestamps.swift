import Foundation

enum Timestamps {
    /// `metav1.MicroTime` text: RFC 3339 in UTC with microseconds.
    static func microTime(_ date: Date = Date()) -> String {
        let seconds = date.timeIntervalSince1970
        let whole = floor(seconds)
        let micros = Int(((seconds - whole) * 1_000_000).rounded(.down))
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime]
        formatter.timeZone = TimeZone(identifier: "UTC")
        let text = formatter.string(from: Date(timeIntervalSince1970: whole))
        return String(text.dropLast()) + "." + String(format: "%06d", micros) + "Z"
    }
}
