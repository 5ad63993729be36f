/// Correctly rounded conversion of JSON/CSV number text to `Double`; ``JSONValue``'s parser
/// reads every fractional number with it.
///
/// # Guarantees
/// - The result is the `Double` nearest to the decimal value (round half to even),
///   the same value Python's `float()`, `json.loads` and Go's `strconv.ParseFloat`
///   produce, so a server sees exactly the numbers its client sent.
/// - Short numbers (≤ 19 significant digits, |exponent| ≤ 22, ≤ 15 digits when an
///   exponent must be applied) take Clinger's exact fast path; everything else falls
///   back to the standard library's correctly rounded parser.
///
/// # Caveats
/// Only the JSON number grammar is accepted (`-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?`);
/// `nan`, `inf`, hex floats and a leading `+` are rejected.
public enum DecimalParser {
    /// Parses `bytes[start..<end]` as a JSON number, or returns `nil` if it is not one.
    @inlinable
    public static func parseDouble(_ bytes: UnsafeBufferPointer<UInt8>, start: Int, end: Int) -> Double? {
        var index = start
        guard index < end else { return nil }
        var negative = false
        if bytes[index] == UInt8(ascii: "-") {
            negative = true
            index += 1
            guard index < end else { return nil }
        }
        var mantissa: UInt64 = 0
        var digits = 0  // significant digits accumulated in `mantissa`
        var droppedDigits = false
        var exponent = 0
        // Integer part.
        let integerStart = index
        while index < end, bytes[index] &- 48 < 10 {
            let digit = UInt64(bytes[index] &- 48)
            if mantissa == 0 && digit == 0 {
                // A leading zero adds nothing.
            } else if digits < 19 {
                mantissa = mantissa &* 10 &+ digit
                digits += 1
            } else {
                exponent += 1
                if digit != 0 { droppedDigits = true }
            }
            index += 1
        }
        let integerDigits = index - integerStart
        guard integerDigits > 0 else { return nil }
        if integerDigits > 1 && bytes[integerStart] == UInt8(ascii: "0") { return nil }
        // Fraction.
        if index < end, bytes[index] == UInt8(ascii: ".") {
            index += 1
            let fractionStart = index
            while index < end, bytes[index] &- 48 < 10 {
                let digit = UInt64(bytes[index] &- 48)
                if mantissa == 0 && digit == 0 {
                    exponent -= 1
                } else if digits < 19 {
                    mantissa = mantissa &* 10 &+ digit
                    digits += 1
                    exponent -= 1
                } else if digit != 0 {
                    droppedDigits = true
                }
                index += 1
            }
            guard index > fractionStart else { return nil }
        }
        // Exponent.
        if index < end, bytes[index] | 0x20 == UInt8(ascii: "e") {
            index += 1
            var exponentNegative = false
            if index < end, bytes[index] == UInt8(ascii: "-") || bytes[index] == UInt8(ascii: "+") {
                exponentNegative = bytes[index] == UInt8(ascii: "-")
                index += 1
            }
            let exponentStart = index
            var explicitExponent = 0
            while index < end, bytes[index] &- 48 < 10 {
                if explicitExponent < 100_000 { explicitExponent = explicitExponent * 10 + Int(bytes[index] &- 48) }
                index += 1
            }
            guard index > exponentStart else { return nil }
            exponent += exponentNegative ? -explicitExponent : explicitExponent
        }
        guard index == end else { return nil }
        if !droppedDigits && mantissa <= (1 << 53) {
            let value = Double(mantissa)
            if exponent == 0 { return negative ? -value : value }
            if exponent < 0 && exponent >= -22 {
                let result = value / powersOfTen[-exponent]
                return negative ? -result : result
            }
            if exponent > 0 && exponent <= 22 {
                let result = value * powersOfTen[exponent]
                return negative ? -result : result
            }
        }
        return slowPath(bytes, start: start, end: end)
    }

    /// Parses a whole string as a JSON number (see ``parseDouble(_:start:end:)``).
    public static func parseDouble(_ text: Substring) -> Double? {
        var text = text
        return text.withUTF8 { parseDouble($0, start: 0, end: $0.count) }
    }

    @usableFromInline
    static let powersOfTen: [Double] = [
        1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11,
        1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22,
    ]

    @usableFromInline
    static func slowPath(_ bytes: UnsafeBufferPointer<UInt8>, start: Int, end: Int) -> Double? {
        let text = String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<end]), as: UTF8.self)
        return Double(text)
    }
}
