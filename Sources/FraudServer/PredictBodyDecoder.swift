import FraudServing

/// Decodes the seed's `/predict` body, `[[f1, f2, …], …]`, straight from bytes.
///
/// # Guarantees
/// - Numbers are rounded exactly as Python's `json.loads` rounds them; `null` is a
///   missing value.
/// - Never traps: any input yields a ``FeatureMatrix`` or a ``RequestError`` — 400 for
///   malformed JSON, 422 for the wrong shape (not a list of rows, a row of the wrong
///   width, a non-numeric value, an empty batch), 413 for more than `maxRows` rows.
/// - A well-formed document is never answered 400 and a malformed one never 422: the
///   fast single pass defers to JSONCore's parser (with ``JSONParsingOptions/fraudServing``,
///   as ``InferenceRequestDecoder`` reads bodies) to classify any error it meets.
public struct PredictBodyDecoder: Sendable {
    /// Every row must have exactly this many values.
    public var width: Int
    /// The largest accepted batch.
    public var maxRows: Int

    public init(width: Int, maxRows: Int) {
        self.width = width
        self.maxRows = maxRows
    }

    /// Decodes `bytes`.
    public func decode(_ bytes: UnsafeRawBufferPointer) throws(RequestError) -> FeatureMatrix {
        let buffer = bytes.bindMemory(to: UInt8.self)
        switch fastDecode(buffer) {
        case .success(let matrix):
            return matrix
        case .failure(let error):
            // The fast path stops at the first problem; make sure a shape error is not
            // really a syntax error further on.
            if error.status != .badRequest {
                do throws(JSONParseError) { _ = try JSONValue(parsing: buffer, options: .fraudServing) } catch {
                    throw .malformed(error.description)
                }
            }
            throw error
        }
    }

    /// Decodes an array of bytes (tests and tools).
    public func decode(_ bytes: [UInt8]) throws(RequestError) -> FeatureMatrix {
        let result = bytes.withUnsafeBytes { raw -> Result<FeatureMatrix, RequestError> in
            do throws(RequestError) { return .success(try decode(raw)) } catch { return .failure(error) }
        }
        return try result.get()
    }

    private func fastDecode(_ bytes: UnsafeBufferPointer<UInt8>) -> Result<FeatureMatrix, RequestError> {
        var index = 0
        let end = bytes.count
        @inline(__always) func skipWhitespace() {
            while index < end {
                let byte = bytes[index]
                guard byte == 0x20 || byte == 0x0A || byte == 0x0D || byte == 0x09 else { return }
                index += 1
            }
        }
        func shapeError() -> Result<FeatureMatrix, RequestError> {
            .failure(.unprocessable("expected a JSON list of rows, each a list of \(width) numbers: [[f1, …, f\(width)], …]"))
        }
        skipWhitespace()
        guard index < end else { return .failure(.malformed("empty body")) }
        guard bytes[index] == UInt8(ascii: "[") else { return shapeError() }
        index += 1
        var values: [Double] = []
        values.reserveCapacity(width * 4)
        var rows = 0
        skipWhitespace()
        if index < end && bytes[index] == UInt8(ascii: "]") {
            index += 1
            skipWhitespace()
            guard index == end else { return .failure(.malformed("unexpected data after the document")) }
            return .failure(.unprocessable("empty batch: send at least one row of \(width) numbers"))
        }
        while true {
            skipWhitespace()
            guard index < end else { return .failure(.malformed("unexpected end of body")) }
            guard bytes[index] == UInt8(ascii: "[") else { return shapeError() }
            guard rows < maxRows else { return .failure(.tooManyRows(rows + 1, limit: maxRows)) }
            index += 1
            var count = 0
            skipWhitespace()
            if index < end && bytes[index] == UInt8(ascii: "]") {
                index += 1
            } else {
                while true {
                    skipWhitespace()
                    guard index < end else { return .failure(.malformed("unexpected end of body")) }
                    let first = bytes[index]
                    if first == UInt8(ascii: "n") {
                        guard index + 4 <= end, bytes[index + 1] == UInt8(ascii: "u"), bytes[index + 2] == UInt8(ascii: "l"),
                            bytes[index + 3] == UInt8(ascii: "l")
                        else { return .failure(.malformed("invalid literal at byte \(index)")) }
                        values.append(.nan)
                        index += 4
                    } else if first == UInt8(ascii: "-") || (first >= UInt8(ascii: "0") && first <= UInt8(ascii: "9")) {
                        let start = index
                        while index < end {
                            let byte = bytes[index]
                            guard (byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9")) || byte == UInt8(ascii: ".")
                                || byte == UInt8(ascii: "e") || byte == UInt8(ascii: "E") || byte == UInt8(ascii: "-")
                                || byte == UInt8(ascii: "+")
                            else { break }
                            index += 1
                        }
                        guard let value = DecimalParser.parseDouble(bytes, start: start, end: index) else {
                            return .failure(.malformed("invalid number at byte \(start)"))
                        }
                        // As the JSON parser: a number with no finite value (1e999) is not JSON we accept.
                        guard value.isFinite else { return .failure(.malformed("number out of range at byte \(start)")) }
                        values.append(value)
                    } else if first == UInt8(ascii: "\"") || first == UInt8(ascii: "t") || first == UInt8(ascii: "f")
                        || first == UInt8(ascii: "[") || first == UInt8(ascii: "{")
                    {
                        return .failure(
                            .unprocessable("row \(rows), column \(count): expected a number or null, found a non-numeric value"))
                    } else {
                        return .failure(.malformed("unexpected character at byte \(index)"))
                    }
                    count += 1
                    skipWhitespace()
                    guard index < end else { return .failure(.malformed("unexpected end of body")) }
                    if bytes[index] == UInt8(ascii: ",") { index += 1; continue }
                    if bytes[index] == UInt8(ascii: "]") { index += 1; break }
                    return .failure(.malformed("expected ',' or ']' at byte \(index)"))
                }
            }
            guard count == width else {
                return .failure(.unprocessable("row \(rows) has \(count) values; the model expects \(width)"))
            }
            rows += 1
            skipWhitespace()
            guard index < end else { return .failure(.malformed("unexpected end of body")) }
            if bytes[index] == UInt8(ascii: ",") { index += 1; continue }
            if bytes[index] == UInt8(ascii: "]") { index += 1; break }
            return .failure(.malformed("expected ',' or ']' at byte \(index)"))
        }
        skipWhitespace()
        guard index == end else { return .failure(.malformed("unexpected data after the document")) }
        return .success(FeatureMatrix(values: values, rowCount: rows, width: width))
    }
}
