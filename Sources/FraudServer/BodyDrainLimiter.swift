import NIOCore
// NIOHTTPTypes comes with HummingbirdCore (which re-exposes its part types publicly);
// only the part enums are used here.
import NIOHTTPTypes

/// Closes a connection whose client keeps sending a request body after the response
/// has already been written (for example after an early 413), once more than `limit`
/// further bytes arrive.
///
/// Hummingbird reads and discards an unread request body after the response so the
/// client sees the answer rather than a reset; this handler bounds how much it will
/// discard. Defaults: ``ServerConfiguration/Defaults/drainLimitBytes``.
final class BodyDrainLimiter: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPRequestPart
    typealias InboundOut = HTTPRequestPart
    typealias OutboundIn = HTTPResponsePart
    typealias OutboundOut = HTTPResponsePart

    private let limit: Int
    private var requestOpen = false
    private var responseSent = false
    private var discarded = 0

    init(limit: Int) {
        self.limit = limit
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head:
            requestOpen = true
            responseSent = false
            discarded = 0
        case .body(let buffer):
            if requestOpen && responseSent {
                discarded += buffer.readableBytes
                if discarded > limit {
                    context.close(promise: nil)
                    return
                }
            }
        case .end:
            requestOpen = false
        }
        context.fireChannelRead(data)
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        if case .end = unwrapOutboundIn(data), requestOpen { responseSent = true }
        context.write(data, promise: promise)
    }
}
