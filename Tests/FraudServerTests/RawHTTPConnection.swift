import NIOCore
import NIOPosix

/// A bare TCP connection to 127.0.0.1, for tests that behave as real HTTP clients do and
/// a well-mannered test client does not: send a whole large body before reading the
/// answer (Python's urllib and requests), or trickle a body in (slowloris).
struct RawHTTPConnection: Sendable {
    let inbound: NIOAsyncChannelInboundStream<ByteBuffer>
    let outbound: NIOAsyncChannelOutboundWriter<ByteBuffer>

    /// What the server sent.
    struct Answer {
        /// The status line's code, or `nil` if no status line arrived.
        var status: Int?
        /// The header block, lowercased, one `name: value` per line.
        var headers: String
        var body: String
        /// The connection ended (EOF or reset) after the answer.
        var closed: Bool
    }

    /// Connects, runs `body`, and closes the connection.
    static func with<T: Sendable>(
        port: Int, _ body: (RawHTTPConnection) async throws -> T
    ) async throws -> T {
        let channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            // Keep sending after the server's FIN, as the kernel and Python's clients do.
            .channelOption(.allowRemoteHalfClosure, value: true)
            .connect(host: "127.0.0.1", port: port) { channel in
                channel.eventLoop.makeCompletedFuture {
                    try NIOAsyncChannel<ByteBuffer, ByteBuffer>(wrappingChannelSynchronously: channel)
                }
            }
        return try await channel.executeThenClose { inbound, outbound in
            try await body(RawHTTPConnection(inbound: inbound, outbound: outbound))
        }
    }

    func send(_ text: String) async throws {
        try await outbound.write(ByteBuffer(string: text))
    }

    /// Sends `count` zero bytes in 64 KiB writes, each waiting until the socket takes it.
    func sendZeros(_ count: Int) async throws {
        let chunk = ByteBuffer(repeating: UInt8(ascii: "0"), count: 64 * 1024)
        var sent = 0
        while sent < count {
            let size = min(chunk.readableBytes, count - sent)
            try await outbound.write(chunk.getSlice(at: 0, length: size)!)
            sent += size
        }
    }

    /// The reader of this connection's answers (make one per connection: the stream has
    /// one iterator).
    func answers() -> AnswerReader {
        AnswerReader(iterator: inbound.makeAsyncIterator())
    }

    /// Reads answers off a connection, in order.
    struct AnswerReader {
        var iterator: NIOAsyncChannelInboundStream<ByteBuffer>.AsyncIterator
        /// Bytes received past the last answer.
        var pending: [UInt8] = []

        /// Reads one answer: up to the end of its `Content-Length` body, or to the end of
        /// the connection (`untilClosed`, or when the answer has no length). A reset after
        /// the answer counts as closed; a reset before any answer is thrown.
        mutating func next(untilClosed: Bool = false) async throws -> Answer {
            var received = pending
            pending = []
            do {
                while true {
                    if !untilClosed, let parsed = RawHTTPConnection.parse(received, closed: false),
                        received.count >= parsed.length
                    {
                        pending = Array(received[parsed.length...])
                        return parsed.answer
                    }
                    guard let buffer = try await iterator.next() else { break }
                    received.append(contentsOf: buffer.readableBytesView)
                }
            } catch where !received.isEmpty {
                // Reset after the answer arrived.
            }
            return RawHTTPConnection.parse(received, closed: true)?.answer
                ?? Answer(status: nil, headers: "", body: String(decoding: received, as: UTF8.self), closed: true)
        }
    }

    /// The answer at the start of `bytes`, and how many bytes it takes (its head and its
    /// `Content-Length` body, or all of `bytes` when it has no length); `nil` before the
    /// head is complete.
    static func parse(_ bytes: [UInt8], closed: Bool) -> (answer: Answer, length: Int)? {
        guard let split = bytes.firstRange(of: Array("\r\n\r\n".utf8)) else { return nil }
        let head = String(decoding: bytes[..<split.lowerBound], as: UTF8.self)
        let statusLine = head.prefix(while: { $0 != "\r" })
        let status = statusLine.split(separator: " ").dropFirst().first.flatMap { Int($0) }
        let headers = head.split(separator: "\r\n").dropFirst().joined(separator: "\n").lowercased()
        let declared = headers.split(separator: "\n").first { $0.hasPrefix("content-length:") }
            .flatMap { Int($0.dropFirst("content-length:".count).trimmingPrefix(" ")) }
        let length = declared.map { split.upperBound + $0 } ?? Int.max
        let body = String(decoding: bytes[split.upperBound..<min(length, bytes.count)], as: UTF8.self)
        return (Answer(status: status, headers: headers, body: body, closed: closed), length)
    }
}
