import FraudServing

/// A forward-only reader over a request body: the pieces of JSON scanning that
/// fraud-server's single-pass decoders share.
///
/// # Guarantees
/// - Never reads outside `bytes`, whatever they hold.
/// - ``readNumber()`` and ``readNull()`` accept exactly what JSONCore's parser accepts for a
///   number (the JSON grammar, and only finite values) or `null`.
///
/// # Caveats
/// ``skipValue()`` and ``skipString()`` only find where a value ends (strings with their
/// escapes, brackets nested to any depth); they do not validate it.
struct JSONByteCursor {
    let bytes: UnsafeBufferPointer<UInt8>
    /// The next byte to read.
    var index: Int

    init(_ bytes: UnsafeBufferPointer<UInt8>, at index: Int = 0) {
        self.bytes = bytes
        self.index = index
    }

    var isAtEnd: Bool { index >= bytes.count }

    /// The next byte, or `nil` at the end.
    @inline(__always)
    var current: UInt8? { index < bytes.count ? bytes[index] : nil }

    @inline(__always)
    mutating func skipWhitespace() {
        while index < bytes.count {
            let byte = bytes[index]
            guard byte == 0x20 || byte == 0x0A || byte == 0x0D || byte == 0x09 else { return }
            index += 1
        }
    }

    /// Consumes `byte` if it is next.
    @inline(__always)
    mutating func consume(_ byte: UInt8) -> Bool {
        guard index < bytes.count, bytes[index] == byte else { return false }
        index += 1
        return true
    }

    /// Reads `null`; `false` (nothing consumed) if the next bytes are not exactly `null`.
    @inline(__always)
    mutating func readNull() -> Bool {
        guard index + 4 <= bytes.count, bytes[index] == UInt8(ascii: "n"), bytes[index + 1] == UInt8(ascii: "u"),
            bytes[index + 2] == UInt8(ascii: "l"), bytes[index + 3] == UInt8(ascii: "l")
        else { return false }
        index += 4
        return true
    }

    /// Reads the number that starts here (at `-` or a digit), correctly rounded; `nil` when
    /// the text is not a JSON number or has no finite value (`1e999`), as JSONCore refuses both.
    @inline(__always)
    mutating func readNumber() -> Double? {
        let start = index
        while index < bytes.count {
            let byte = bytes[index]
            guard (byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9")) || byte == UInt8(ascii: ".")
                || byte == UInt8(ascii: "e") || byte == UInt8(ascii: "E") || byte == UInt8(ascii: "-")
                || byte == UInt8(ascii: "+")
            else { break }
            index += 1
        }
        guard let value = DecimalParser.parseDouble(bytes, start: start, end: index), value.isFinite else {
            index = start
            return nil
        }
        return value
    }

    /// Moves past the string that starts here (at `"`); `false` if it never ends.
    mutating func skipString() -> Bool {
        index += 1
        while index < bytes.count {
            switch bytes[index] {
            case UInt8(ascii: "\\"): index += 2
            case UInt8(ascii: "\""):
                index += 1
                return true
            default: index += 1
            }
        }
        return false
    }

    /// Moves past the value that starts here (after whitespace); `false` if the bytes end
    /// first or a bracket closes nothing.
    mutating func skipValue() -> Bool {
        var depth = 0
        repeat {
            skipWhitespace()
            guard let byte = current else { return false }
            switch byte {
            case UInt8(ascii: "\""):
                guard skipString() else { return false }
            case UInt8(ascii: "["), UInt8(ascii: "{"):
                depth += 1
                index += 1
            case UInt8(ascii: "]"), UInt8(ascii: "}"):
                guard depth > 0 else { return false }
                depth -= 1
                index += 1
            case UInt8(ascii: ","), UInt8(ascii: ":"):
                guard depth > 0 else { return false }
                index += 1
            default:
                // A number or literal: up to the next delimiter.
                index += 1
                while let next = current, !Self.isDelimiter(next) { index += 1 }
            }
        } while depth > 0
        return true
    }

    @inline(__always)
    static func isDelimiter(_ byte: UInt8) -> Bool {
        switch byte {
        case 0x20, 0x0A, 0x0D, 0x09, UInt8(ascii: ","), UInt8(ascii: ":"), UInt8(ascii: "\""), UInt8(ascii: "["),
            UInt8(ascii: "]"), UInt8(ascii: "{"), UInt8(ascii: "}"):
            return true
        default:
            return false
        }
    }
}
