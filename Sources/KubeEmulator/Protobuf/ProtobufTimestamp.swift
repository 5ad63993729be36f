/// Formats the `{seconds, nanos}` of `metav1.Time` and `metav1.MicroTime` as Go's `MarshalJSON` does.
///
/// Pure integer arithmetic (no calendar or time-zone services), so every `Int64` second count
/// formats the same way on every platform.
enum ProtobufTimestamp {
    /// Seconds from the Unix epoch to Go's zero time (0001-01-01T00:00:00Z), which marshals as `null`.
    static let goZeroSeconds: Int64 = -62_135_596_800

    /// Carries `nanos` outside 0..<1e9 into the seconds, as Go's `time.Unix` does; nil when the
    /// seconds overflow `Int64`.
    static func normalize(seconds: Int64, nanos: Int64) -> (seconds: Int64, nanos: Int64)? {
        let carry = nanos >= 0 ? nanos / 1_000_000_000 : (nanos + 1) / 1_000_000_000 - 1
        let (total, overflow) = seconds.addingReportingOverflow(carry)
        return overflow ? nil : (total, nanos - carry * 1_000_000_000)
    }

    /// RFC 3339 in UTC, `2026-01-02T03:04:05Z`, or with `micro` 6 fractional digits
    /// (`2026-01-02T03:04:05.123456Z`, truncated like Go); nil for Go's zero time, which marshals
    /// as `null`. Expects normalized values (`nanos` in 0..<1e9).
    static func format(seconds total: Int64, nanos fraction: Int64, micro: Bool) -> String? {
        if total == goZeroSeconds && fraction == 0 { return nil }
        var days = total / 86_400
        var secondOfDay = total % 86_400
        if secondOfDay < 0 {
            secondOfDay += 86_400
            days -= 1
        }
        let (year, month, day) = civilDate(daysSinceEpoch: days)
        var text = year < 0 ? "-" + pad(-year, 4) : pad(year, 4)
        text += "-\(pad(month, 2))-\(pad(day, 2))T\(pad(secondOfDay / 3600, 2)):\(pad(secondOfDay / 60 % 60, 2)):\(pad(secondOfDay % 60, 2))"
        if micro { text += "." + pad(fraction / 1000, 6) }
        return text + "Z"
    }

    /// Year, month (1-12) and day (1-31) of a day count from 1970-01-01 in the proleptic Gregorian
    /// calendar (Howard Hinnant's `civil_from_days`).
    static func civilDate(daysSinceEpoch: Int64) -> (year: Int64, month: Int64, day: Int64) {
        let shifted = daysSinceEpoch + 719_468
        let era = (shifted >= 0 ? shifted : shifted - 146_096) / 146_097
        let dayOfEra = shifted - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let monthIndex = (5 * dayOfYear + 2) / 153
        let day = dayOfYear - (153 * monthIndex + 2) / 5 + 1
        let month = monthIndex < 10 ? monthIndex + 3 : monthIndex - 9
        return (yearOfEra + era * 400 + (month <= 2 ? 1 : 0), month, day)
    }

    private static func pad(_ value: Int64, _ width: Int) -> String {
        let digits = String(value)
        return digits.count >= width ? digits : String(repeating: "0", count: width - digits.count) + digits
    }
}
