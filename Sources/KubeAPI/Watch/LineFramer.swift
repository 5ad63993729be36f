/// Splits a byte stream into newline-terminated lines, whatever the chunk boundaries are
/// (a line may span many chunks; a chunk may hold many lines or end mid-character).
///
/// # Guarantees
/// - Every complete line is returned exactly once, in order, without its `\n` (and without a
///   trailing `\r`). Empty lines are skipped (watch streams never carry them meaningfully).
/// - Bytes after the last newline are kept until more arrive, or returned by `finish()`.
/// - A line longer than `maximumLineLength` throws instead of growing without bound.
public struct LineFramer: Sendable {
    /// A line exceeded the limit.
    public struct LineTooLong: Error, Sendable, CustomStringConvertible {
        /// The limit that was exceeded.
        public let limit: Int
        public var description: String { "a watch line exceeded \(limit) bytes without a newline" }
    }

    /// The longest line accepted. Defaults to 64 MiB (far above the API server's 3 MiB object limit).
    public let maximumLineLength: Int
    private var pending: [UInt8] = []

    /// A framer; see `maximumLineLength`.
    public init(maximumLineLength: Int = 64 * 1024 * 1024) {
        self.maximumLineLength = maximumLineLength
    }

    /// Adds a chunk and returns the lines it completed.
    public mutating func append(_ chunk: some Collection<UInt8>) throws(LineTooLong) -> [[UInt8]] {
        var lines: [[UInt8]] = []
        for byte in chunk {
            if byte == UInt8(ascii: "\n") {
                if pending.last == UInt8(ascii: "\r") { pending.removeLast() }
                if !pending.isEmpty { lines.append(pending) }
                pending.removeAll(keepingCapacity: true)
            } else {
                pending.append(byte)
                if pending.count > maximumLineLength { throw LineTooLong(limit: maximumLineLength) }
            }
        }
        return lines
    }

    /// The unterminated last line when the stream ends (nil if there is none).
    public mutating func finish() -> [UInt8]? {
        defer { pending.removeAll() }
        if pending.last == UInt8(ascii: "\r") { pending.removeLast() }
        return pending.isEmpty ? nil : pending
    }

    /// Bytes received after the last newline.
    public var bufferedByteCount: Int { pending.count }
}
