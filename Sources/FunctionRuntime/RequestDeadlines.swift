import HTTPTypes
import NIOCore
import NIOHTTPTypes

/// Closes a connection whose request headers (10 s by default) or body (30 s) do not arrive in
/// time, however slowly they trickle in: an idle timeout alone lets a sender that writes a byte
/// every few seconds hold a connection for ever. While a request is being handled nothing is
/// timed here; between requests the next one's headers must be in within the idle bound.
final class RequestDeadlines: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPRequestPart
    typealias InboundOut = HTTPRequestPart
    typealias OutboundIn = HTTPResponsePart
    typealias OutboundOut = HTTPResponsePart

    let headers: TimeAmount
    let body: TimeAmount
    let idle: TimeAmount
    private var timer: Scheduled<Void>?
    /// Requests whose head arrived and whose answer is not yet written.
    private var inFlight = 0
    /// A request's body is still arriving.
    private var reading = false

    init(headers: TimeAmount, body: TimeAmount, idle: TimeAmount) {
        self.headers = headers
        self.body = body
        self.idle = idle
    }

    func handlerAdded(context: ChannelHandlerContext) {
        if context.channel.isActive { arm(headers, context) }
    }

    func channelActive(context: ChannelHandlerContext) {
        arm(headers, context)
        context.fireChannelActive()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head:
            inFlight += 1
            reading = true
            arm(body, context)
        case .body:
            break
        case .end:
            reading = false
            // Answered before the body was in (404, 413, 503): the next request's headers are due.
            if inFlight == 0 { arm(idle, context) } else { disarm() }
        }
        context.fireChannelRead(data)
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        if case .end = unwrapOutboundIn(data) {
            inFlight = max(0, inFlight - 1)
            // A body still arriving keeps its own deadline.
            if inFlight == 0, !reading { arm(idle, context) }
        }
        context.write(data, promise: promise)
    }

    func channelInactive(context: ChannelHandlerContext) {
        disarm()
        context.fireChannelInactive()
    }

    func handlerRemoved(context: ChannelHandlerContext) { disarm() }

    private func arm(_ limit: TimeAmount, _ context: ChannelHandlerContext) {
        disarm()
        let bound = NIOLoopBound(context, eventLoop: context.eventLoop)
        timer = context.eventLoop.scheduleTask(in: limit) { bound.value.close(promise: nil) }
    }

    private func disarm() {
        timer?.cancel()
        timer = nil
    }
}
