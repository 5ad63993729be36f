import HTTPTypes
import NIOCore
import NIOEmbedded
import NIOHTTPTypes
import Testing

@testable import FraudServer

/// The guard on its own, on an embedded channel: what it forwards, and that it keeps the
/// socket read while it drains a body nobody else reads any more.
@Suite struct RequestBodyGuardTests {
    /// Counts the reads that reach the socket end of the pipeline.
    final class ReadCounter: ChannelOutboundHandler {
        typealias OutboundIn = Any
        var reads = 0
        func read(context: ChannelHandlerContext) {
            reads += 1
            context.read()
        }
    }

    /// Stands in for Hummingbird's async channel once its buffer is full, or once it is done
    /// with a `Connection: close` request: it takes no part and never asks for a read.
    final class StoppedConsumer: ChannelDuplexHandler {
        typealias InboundIn = HTTPRequestPart
        typealias OutboundIn = HTTPResponsePart
        typealias OutboundOut = HTTPResponsePart
        var received: [HTTPRequestPart] = []
        func channelRead(context: ChannelHandlerContext, data: NIOAny) { received.append(unwrapInboundIn(data)) }
        func channelReadComplete(context: ChannelHandlerContext) {}
        func read(context: ChannelHandlerContext) {}
    }

    struct Harness {
        let channel = EmbeddedChannel()
        let counter = ReadCounter()
        let consumer = StoppedConsumer()

        init(drainLimit: Int = 1_000) throws {
            try channel.pipeline.syncOperations.addHandlers([
                counter,
                RequestBodyGuard(bodyTimeout: .seconds(600), drainLimit: drainLimit, onTimeout: {}),
                consumer,
            ])
            try channel.connect(to: SocketAddress(ipAddress: "127.0.0.1", port: 8080)).wait()
        }

        func request(length: Int, close: Bool) throws {
            var fields: HTTPFields = [.contentLength: String(length)]
            if close { fields[.connection] = "close" }
            let head = HTTPRequest(method: .post, scheme: nil, authority: "127.0.0.1", path: "/predict", headerFields: fields)
            try channel.writeInbound(HTTPRequestPart.head(head))
        }

        func body(_ count: Int) throws {
            // writeInbound ends with a read-complete, as a socket read does.
            try channel.writeInbound(HTTPRequestPart.body(ByteBuffer(repeating: 0x30, count: count)))
        }

        func answer413() throws {
            try channel.writeOutbound(HTTPResponsePart.head(HTTPResponse(status: .contentTooLarge)))
            try channel.writeOutbound(HTTPResponsePart.end(nil))
        }
    }

    @Test("an early answer to a Connection: close request keeps the rest of the body read though the consumer stopped asking")
    func drainReadsOnItsOwn() throws {
        let harness = try Harness()
        try harness.request(length: 900, close: true)
        try harness.body(100)
        let readsBeforeAnswer = harness.counter.reads
        try harness.answer413()
        #expect(harness.counter.reads > readsBeforeAnswer, "the answer starts the drain's reads")
        for _ in 0..<8 {
            let before = harness.counter.reads
            try harness.body(100)
            #expect(harness.counter.reads == before + 1, "each drained read asks for the next")
        }
        #expect(harness.channel.isActive)
        // The consumer saw the head and the body before the answer, nothing drained after it.
        #expect(harness.consumer.received.count == 2)
        let beforeEnd = harness.counter.reads
        try harness.channel.writeInbound(HTTPRequestPart.end(nil))
        #expect(harness.counter.reads == beforeEnd, "the request is over: reading is the consumer's again")
        #expect(harness.consumer.received.count == 3, "the end still reaches the consumer")
        _ = try harness.channel.finish(acceptAlreadyClosed: true)
    }

    @Test("beyond the drain limit the connection is closed instead of read")
    func drainLimitCloses() throws {
        let harness = try Harness(drainLimit: 250)
        try harness.request(length: 1_000, close: true)
        try harness.body(100)
        try harness.answer413()
        harness.channel.embeddedEventLoop.run()
        #expect(!harness.channel.isActive, "900 bytes still declared is above the limit: closed once the answer is written")
    }

    @Test("a request answered after its body ended is not drained")
    func noDrainAfterTheEnd() throws {
        let harness = try Harness()
        try harness.request(length: 100, close: false)
        try harness.body(100)
        try harness.channel.writeInbound(HTTPRequestPart.end(nil))
        let before = harness.counter.reads
        try harness.answer413()
        #expect(harness.counter.reads == before)
        #expect(harness.consumer.received.count == 3)
        _ = try harness.channel.finish(acceptAlreadyClosed: true)
    }
}
