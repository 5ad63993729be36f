import NIOCore

/// One of a pair of handlers that pipe bytes between two channels on the same event loop: what
/// one channel reads, the other writes.
///
/// # Guarantees
/// - Backpressure: a channel reads only while its partner is writable; when the partner
///   drains, the held read is issued.
/// - Half-close: end of input on one side shuts the partner's output down (channels need
///   `allowRemoteHalfClosure`); when both directions are shut, NIO closes the channels.
/// - Closing or failing either side closes the other.
///
/// # Caveats
/// - Both channels must live on the same event loop: partners call into each other directly.
final class ConnectionGlueHandler {
    private var partner: ConnectionGlueHandler?
    private var context: ChannelHandlerContext?
    private var readPending = false

    private init() {}

    /// Two handlers partnered with each other, one for each channel.
    static func matchedPair() -> (ConnectionGlueHandler, ConnectionGlueHandler) {
        let first = ConnectionGlueHandler()
        let second = ConnectionGlueHandler()
        first.partner = second
        second.partner = first
        return (first, second)
    }

    private func partnerWrite(_ buffer: ByteBuffer) {
        context?.write(wrapOutboundOut(buffer), promise: nil)
    }

    private func partnerFlush() {
        context?.flush()
    }

    private func partnerEndedInput() {
        context?.close(mode: .output, promise: nil)
    }

    private func partnerClosed() {
        context?.close(promise: nil)
    }

    private func partnerBecameWritable() {
        if readPending {
            readPending = false
            context?.read()
        }
    }

    private var isWritable: Bool { context?.channel.isWritable ?? false }
}

extension ConnectionGlueHandler: ChannelDuplexHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    func handlerAdded(context: ChannelHandlerContext) {
        self.context = context
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        self.context = nil
        partner = nil
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        partner?.partnerWrite(unwrapInboundIn(data))
    }

    func channelReadComplete(context: ChannelHandlerContext) {
        partner?.partnerFlush()
    }

    func channelInactive(context: ChannelHandlerContext) {
        partner?.partnerClosed()
        context.fireChannelInactive()
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if let event = event as? ChannelEvent, case .inputClosed = event {
            partner?.partnerEndedInput()
        }
        context.fireUserInboundEventTriggered(event)
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        partner?.partnerClosed()
        context.close(promise: nil)
    }

    func channelWritabilityChanged(context: ChannelHandlerContext) {
        if context.channel.isWritable {
            partner?.partnerBecameWritable()
        }
        context.fireChannelWritabilityChanged()
    }

    func read(context: ChannelHandlerContext) {
        if let partner, partner.isWritable {
            context.read()
        } else {
            readPending = true
        }
    }
}
