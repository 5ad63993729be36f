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
        var cursor = JSONByteCursor(bytes)
        func shapeError() -> Result<FeatureMatrix, RequestError> {
            .failure(.unprocessable("expected a JSON list of rows, each a list of \(width) numbers: [[f1, …, f\(width)], …]"))
        }
        func endOfBody() -> Result<FeatureMatrix, RequestError> { .failure(.malformed("unexpected end of body")) }
        cursor.skipWhitespace()
        guard !cursor.isAtEnd else { return .failure(.malformed("empty body")) }
        guard cursor.consume(UInt8(ascii: "[")) else { return shapeError() }
        var values: [Double] = []
        // Room for four rows, but never more values than the body can hold (`width` may be huge).
        values.reserveCapacity(min(width > Int.max / 4 ? Int.max : width * 4, bytes.count / 2 + 1))
        var rows = 0
        cursor.skipWhitespace()
        if cursor.consume(UInt8(ascii: "]")) {
            cursor.skipWhitespace()
            guard cursor.isAtEnd else { return .failure(.malformed("unexpected data after the document")) }
            return .failure(.unprocessable("empty batch: send at least one row of \(width) numbers"))
        }
        while true {
            cursor.skipWhitespace()
            guard !cursor.isAtEnd else { return endOfBody() }
            guard cursor.current == UInt8(ascii: "[") else { return shapeError() }
            guard rows < maxRows else { return .failure(.tooManyRows(rows + 1, limit: maxRows)) }
            cursor.index += 1
            var count = 0
            cursor.skipWhitespace()
            if !cursor.consume(UInt8(ascii: "]")) {
                while true {
                    cursor.skipWhitespace()
                    guard let first = cursor.current else { return endOfBody() }
                    if first == UInt8(ascii: "n") {
                        guard cursor.readNull() else { return .failure(.malformed("invalid literal at byte \(cursor.index)")) }
                        values.append(.nan)
                    } else if first == UInt8(ascii: "-") || (first >= UInt8(ascii: "0") && first <= UInt8(ascii: "9")) {
                        guard let value = cursor.readNumber() else {
                            return .failure(.malformed("invalid or out-of-range number at byte \(cursor.index)"))
                        }
                        values.append(value)
                    } else if first == UInt8(ascii: "\"") || first == UInt8(ascii: "t") || first == UInt8(ascii: "f")
                        || first == UInt8(ascii: "[") || first == UInt8(ascii: "{")
                    {
                        return .failure(
                            .unprocessable("row \(rows), column \(count): expected a number or null, found a non-numeric value"))
                    } else {
                        return .failure(.malformed("unexpected character at byte \(cursor.index)"))
                    }
                    count += 1
                    cursor.skipWhitespace()
                    guard !cursor.isAtEnd else { return endOfBody() }
                    if cursor.consume(UInt8(ascii: ",")) { continue }
                    if cursor.consume(UInt8(ascii: "]")) { break }
                    return .failure(.malformed("expected ',' or ']' at byte \(cursor.index)"))
                }
            }
            guard count == width else {
                return .failure(.unprocessable("row \(rows) has \(count) values; the model expects \(width)"))
            }
            rows += 1
            cursor.skipWhitespace()
            guard !cursor.isAtEnd else { return endOfBody() }
            if cursor.consume(UInt8(ascii: ",")) { continue }
            if cursor.consume(UInt8(ascii: "]")) { break }
            return .failure(.malformed("expected ',' or ']' at byte \(cursor.index)"))
        }
        cursor.skipWhitespace()
        guard cursor.isAtEnd else { return .failure(.malformed("unexpected data after the document")) }
        return .success(FeatureMatrix(values: values, rowCount: rows, width: width))
    }
}
