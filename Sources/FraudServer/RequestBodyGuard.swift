import HTTPTypes
import NIOCore
// NIOHTTPTypes comes with HummingbirdCore (which re-exposes its part types publicly);
// only the part enums are used here.
import NIOHTTPTypes

/// Bounds, on the event loop, how long a request body may take and how much of it is
/// read after the answer.
///
/// - **Body deadline.** A request whose body has not ended `bodyTimeout` after its headers
///   arrived is answered 408 (`Connection: close`) and its connection closed, however
///   steadily the body trickles in (the idle timeout restarts with every byte; this does
///   not). If the answer was already sent, the connection is just closed.
/// - **Drain after an early answer.** Once the answer to a request is sent while its body
///   is still arriving (an early 413 or 503), the rest is read here and discarded, so a
///   client that sends the whole body before reading (Python's urllib and requests) reads
///   the answer instead of a reset. At most `drainLimit` bytes: beyond, or when the
///   declared `Content-Length` says there will be more, the connection is closed.
///   The drain asks the socket for more itself: the request's consumer stops asking once
///   its buffer is full, and after answering a `Connection: close` request it never reads
///   again, which would leave the sending client stuck until the idle timeout.
///
/// Defaults: ``ServerConfiguration/Defaults/requestBodyTimeoutSeconds`` and
/// ``ServerConfiguration/Defaults/drainLimitBytes``.
final class RequestBodyGuard: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPRequestPart
    typealias InboundOut = HTTPRequestPart
    typealias OutboundIn = HTTPResponsePart
    typealias OutboundOut = HTTPResponsePart

    private let bodyTimeout: TimeAmount
    private let drainLimit: Int
    private let onTimeout: @Sendable () -> Void
    /// Between a request's head and its end.
    private var requestOpen = false
    private var responseStarted = false
    private var responseSent = false
    /// Body bytes the request's `Content-Length` announces but have not arrived yet.
    private var declaredRemaining: Int?
    private var discarded = 0
    private var deadline: Scheduled<Void>?

    /// - Parameter onTimeout: called once per request cut off by the deadline (metrics).
    init(bodyTimeout: TimeAmount, drainLimit: Int, onTimeout: @escaping @Sendable () -> Void) {
        self.bodyTimeout = bodyTimeout
        self.drainLimit = drainLimit
        self.onTimeout = onTimeout
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let head):
            requestOpen = true
            responseStarted = false
            responseSent = false
            discarded = 0
            declaredRemaining = head.headerFields[.contentLength].flatMap { Int($0) }
            deadline?.cancel()
            deadline = nil
            // HTTP/1.1: only a request with a length or a transfer coding has a body.
            if head.headerFields[.transferEncoding] != nil || (declaredRemaining ?? 0) > 0 {
                deadline = context.eventLoop.assumeIsolated().scheduleTask(in: bodyTimeout) { [self] in
                    bodyDeadlinePassed(context: context)
                }
            }
        case .body(let buffer):
            if let remaining = declaredRemaining { declaredRemaining = remaining - buffer.readableBytes }
            if responseSent {
                // Nobody reads this body any more: discard it here, within the limit.
                discarded += buffer.readableBytes
                if discarded > drainLimit { context.close(promise: nil) }
                return
            }
        case .end:
            requestOpen = false
            deadline?.cancel()
            deadline = nil
        }
        context.fireChannelRead(data)
    }

    func channelReadComplete(context: ChannelHandlerContext) {
        if draining { context.read() }
        context.fireChannelReadComplete()
    }

    /// Answered while the body still arrives: this handler reads the rest.
    private var draining: Bool { requestOpen && responseSent }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        switch unwrapOutboundIn(data) {
        case .head:
            responseStarted = true
        case .body:
            break
        case .end:
            if requestOpen {
                responseSent = true
                if let remaining = declaredRemaining, remaining > drainLimit {
                    // Too much to drain: close once the answer is out.
                    let written = context.write(data)
                    written.assumeIsolated().whenComplete { _ in context.close(promise: nil) }
                    if let promise { written.cascade(to: promise) }
                    return
                }
                // The consumer may have stopped asking for reads (full buffer, or done with a
                // `Connection: close` request): ask for the rest of the body from here.
                context.write(data, promise: promise)
                context.read()
                return
            }
        }
        context.write(data, promise: promise)
    }

    func channelInactive(context: ChannelHandlerContext) {
        deadline?.cancel()
        deadline = nil
        context.fireChannelInactive()
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        deadline?.cancel()
        deadline = nil
    }

    private func bodyDeadlinePassed(context: ChannelHandlerContext) {
        deadline = nil
        guard requestOpen else { return }
        requestOpen = false
        onTimeout()
        guard !responseStarted else {
            context.close(promise: nil)
            return
        }
        responseStarted = true
        let seconds = Double(bodyTimeout.nanoseconds) / 1e9
        var writer = JSONWriter()
        writer.raw("{\"error\":")
        writer.string("the request body did not arrive within \(seconds) s (REQUEST_BODY_TIMEOUT_SECONDS)")
        writer.raw("}")
        let head = HTTPResponse(
            status: .requestTimeout,
            headerFields: [
                .contentType: "application/json", .contentLength: String(writer.bytes.count), .connection: "close",
            ])
        context.write(wrapOutboundOut(.head(head)), promise: nil)
        context.write(wrapOutboundOut(.body(ByteBuffer(bytes: writer.bytes))), promise: nil)
        context.writeAndFlush(wrapOutboundOut(.end(nil))).assumeIsolated().whenComplete { _ in
            context.close(promise: nil)
        }
    }
}
