import Foundation

/// Times in the formats Kubernetes and HTTP use.
public enum Timestamp {
    /// RFC 3339 in UTC with second precision (`2026-11-29T00:49:08Z`), as `metav1.Time` serializes.
    public static func rfc3339(_ date: Date) -> String {
        var seconds = time_t(date.timeIntervalSince1970.rounded(.down))
        var parts = tm()
        gmtime_r(&seconds, &parts)
        func pad(_ value: Int32, _ width: Int) -> String {
            let text = String(value)
            return String(repeating: "0", count: max(0, width - text.count)) + text
        }
        return "\(pad(parts.tm_year + 1900, 4))-\(pad(parts.tm_mon + 1, 2))-\(pad(parts.tm_mday, 2))T\(pad(parts.tm_hour, 2)):\(pad(parts.tm_min, 2)):\(pad(parts.tm_sec, 2))Z"
    }

    /// RFC 3339 with microseconds (`metav1.MicroTime`, used by leases and events.k8s.io).
    public static func rfc3339Micro(_ date: Date) -> String {
        let base = rfc3339(date).dropLast()
        let micros = Int((date.timeIntervalSince1970 - date.timeIntervalSince1970.rounded(.down)) * 1_000_000)
        let text = String(micros)
        return "\(base).\(String(repeating: "0", count: 6 - text.count))\(text)Z"
    }

    /// RFC 3339 with nanoseconds (`2026-11-29T00:49:08.123456789Z`), as the kubelet stamps log lines.
    public static func rfc3339Nano(_ date: Date) -> String {
        let base = rfc3339(date).dropLast()
        let nanos = Int((date.timeIntervalSince1970 - date.timeIntervalSince1970.rounded(.down)) * 1_000_000_000)
        let text = String(min(nanos, 999_999_999))
        return "\(base).\(String(repeating: "0", count: 9 - text.count))\(text)Z"
    }

    /// Parses RFC 3339 (with or without fractional seconds, `Z` or an offset).
    public static func parse(_ text: String) -> Date? {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime]
        if let date = formatter.date(from: text) { return date }
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return formatter.date(from: text)
    }
}

