import Foundation

/// Times in the formats Kubernetes and HTTP use.
enum Timestamp {
    /// RFC 3339 in UTC with second precision (`2026-11-29T00:49:08Z`), as `metav1.Time` serializes.
    static func rfc3339(_ date: Date) -> String {
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
    static func rfc3339Micro(_ date: Date) -> String {
        let base = rfc3339(date).dropLast()
        let micros = Int((date.timeIntervalSince1970 - date.timeIntervalSince1970.rounded(.down)) * 1_000_000)
        let text = String(micros)
        return "\(base).\(String(repeating: "0", count: 6 - text.count))\(text)Z"
    }

    /// Parses RFC 3339 (with or without fractional seconds, `Z` or an offset).
    static func parse(_ text: String) -> Date? {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime]
        if let date = formatter.date(from: text) { return date }
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return formatter.date(from: text)
    }
}

/// The HTTP `Date` header value.
enum HTTPDate {
    static func now() -> String {
        var seconds = time(nil)
        var parts = tm()
        gmtime_r(&seconds, &parts)
        var buffer = [Int8](repeating: 0, count: 64)
        let count = strftime(&buffer, buffer.count, "%a, %d %b %Y %H:%M:%S GMT", &parts)
        return String(decoding: buffer[..<count].map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}

/// Random identifiers.
enum UUIDText {
    /// A lowercase UUID v4, as object UIDs look.
    static func random() -> String { UUID().uuidString.lowercased() }

    /// The five characters `generateName` appends (kube's alphabet without vowels and look-alikes).
    static func nameSuffix() -> String {
        let alphabet = Array("bcdfghjklmnpqrstvwxz2456789")
        return String((0..<5).map { _ in alphabet.randomElement()! })
    }
}
