import FraudServing

/// Reads a V2 tensor's `data` — numbers and `null`, flat or nested in lists, row-major —
/// straight into `[Double]`, validating it exactly as JSONCore's parser would, without
/// building a tree.
///
/// # Guarantees
/// - Stores at most `limit` values; past that it only validates and counts.
/// - The outcome names the first problem in document order, as
///   ``InferenceRequestDecoder`` reading a parsed tree would, unless the text is not
///   JSON at all, which wins.
struct TensorDataReader {
    /// What reading found.
    enum Outcome: Equatable {
        /// Every element is a number or `null`; all of them were stored.
        case complete
        /// More than `limit` elements.
        case tooMany
        /// The element after `index` stored values is not a number or `null`.
        case notANumber(index: Int)
        /// The text is not JSON; `offset` counts from the start of the body.
        case malformed(offset: Int, reason: String)
    }

    /// The most values stored.
    var limit: Int
    /// Round each value to `float32` (an `FP32` tensor).
    var roundToFloat: Bool
    /// Nesting levels `data` may use: JSONCore's limit less the levels above it.
    var maximumDepth: Int

    /// Reads `bytes`, exactly one JSON value that starts at byte `offset` of the body.
    func read(_ bytes: UnsafeBufferPointer<UInt8>, offset: Int, into values: inout [Double]) -> Outcome {
        var cursor = JSONByteCursor(bytes)
        var depth = 0
        var problem: Outcome?
        func malformed(_ reason: String, at index: Int? = nil) -> Outcome {
            .malformed(offset: offset + (index ?? cursor.index), reason: reason)
        }
        func store(_ value: Double) {
            guard values.count < limit else {
                if problem == nil { problem = .tooMany }
                return
            }
            values.append(roundToFloat ? Double(Float(value)) : value)
        }
        /// Validates a value that is not a number, `null` or a list; `nil` when it is JSON.
        func checkOtherValue() -> Outcome? {
            let start = cursor.index
            guard cursor.skipValue() else { return malformed("unterminated value", at: start) }
            var options = JSONParsingOptions.fraudServing
            options.maximumDepth = maximumDepth - depth
            do throws(JSONParseError) {
                _ = try JSONValue(parsing: UnsafeBufferPointer(rebasing: bytes[start..<cursor.index]), options: options)
            } catch {
                return malformed(error.reason, at: start + error.offset)
            }
            if problem == nil { problem = .notANumber(index: values.count) }
            return nil
        }
        while true {
            // A value.
            cursor.skipWhitespace()
            guard let byte = cursor.current else { return malformed("unexpected end of input") }
            switch byte {
            case UInt8(ascii: "["):
                depth += 1
                guard depth <= maximumDepth else {
                    return malformed("nesting deeper than \(JSONParsingOptions.fraudServing.maximumDepth) levels")
                }
                cursor.index += 1
                cursor.skipWhitespace()
                guard cursor.consume(UInt8(ascii: "]")) else { continue }
                depth -= 1
            case UInt8(ascii: "n"):
                guard cursor.readNull() else { return malformed("invalid literal") }
                store(.nan)
            case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"):
                guard let value = cursor.readNumber() else { return malformed("invalid or out-of-range number") }
                store(value)
            case UInt8(ascii: "\""), UInt8(ascii: "{"), UInt8(ascii: "t"), UInt8(ascii: "f"):
                if let failure = checkOtherValue() { return failure }
            default:
                return malformed("unexpected character")
            }
            // After a value: close lists until the next element, or the end.
            while true {
                if depth == 0 {
                    guard cursor.isAtEnd else { return malformed("unexpected data after the value") }
                    return problem ?? .complete
                }
                cursor.skipWhitespace()
                if cursor.consume(UInt8(ascii: ",")) { break }
                guard cursor.consume(UInt8(ascii: "]")) else { return malformed("expected ',' or ']' in array") }
                depth -= 1
            }
        }
    }
}
