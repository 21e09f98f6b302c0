import Foundation
import NIOCore
import NIOHTTP1
import NIOPosix
import Synchronization

/// An HTTP proxy on a loopback port that passes requests to `upstream` unchanged (the Host header
/// included, so S3 signatures still hold) and, at random, misbehaves the way networks and object
/// stores do: answers 500 or 503 itself, resets the connection before or after the upstream saw
/// the request, or answers slowly.
public final class FaultyProxy: Sendable {
    public enum Fault: String, CaseIterable, Sendable {
        case internalError = "500"
        case unavailable = "503"
        case dropBefore = "dropped before"
        case dropAfter = "dropped after"
        case slow
    }

    public struct Odds: Sendable {
        /// The chance each request meets a fault; which one is chosen evenly among `faults`.
        public var probability: Double
        public var faults: [Fault]
        public var slowDelay: Duration

        public init(probability: Double, faults: [Fault] = Fault.allCases, slowDelay: Duration = .milliseconds(300)) {
            self.probability = probability
            self.faults = faults
            self.slowDelay = slowDelay
        }
    }

    public let port: Int
    let channel: any Channel
    let state: ProxyState

    private init(port: Int, channel: any Channel, state: ProxyState) {
        self.port = port
        self.channel = channel
        self.state = state
    }

    /// Starts a proxy in front of `upstreamPort` on 127.0.0.1.
    public static func start(upstreamPort: Int, odds: Odds) async throws -> FaultyProxy {
        let state = ProxyState(upstreamPort: upstreamPort, odds: odds)
        let channel = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .serverChannelOption(ChannelOptions.socketOption(.so_reuseaddr), value: 1)
            .childChannelInitializer { channel in
                channel.pipeline.configureHTTPServerPipeline().flatMap {
                    channel.pipeline.addHandler(ProxyHandler(state: state))
                }
            }
            .bind(host: "127.0.0.1", port: 0).get()
        return FaultyProxy(port: channel.localAddress?.port ?? 0, channel: channel, state: state)
    }

    /// Changes the odds (to zero, to let the system settle).
    public func set(_ odds: Odds) { state.odds.withLock { $0 = odds } }

    /// How many requests met each fault, and how many passed ("passed").
    public var tally: [String: Int] { state.counts.withLock { $0 } }

    public func stop() async { try? await channel.close() }
}

final class ProxyState: Sendable {
    let upstreamPort: Int
    let odds: Mutex<FaultyProxy.Odds>
    let counts = Mutex<[String: Int]>([:])

    init(upstreamPort: Int, odds: FaultyProxy.Odds) {
        self.upstreamPort = upstreamPort
        self.odds = Mutex(odds)
    }

    /// The fault this request meets, if any, counted.
    func draw() -> (FaultyProxy.Fault?, Duration) {
        let odds = odds.withLock { $0 }
        var fault: FaultyProxy.Fault? = nil
        if !odds.faults.isEmpty, Double.random(in: 0..<1) < odds.probability { fault = odds.faults.randomElement() }
        counts.withLock { $0[fault?.rawValue ?? "passed", default: 0] += 1 }
        return (fault, odds.slowDelay)
    }
}

/// One client connection: gathers each request, then forwards it or misbehaves.
final class ProxyHandler: ChannelInboundHandler, @unchecked Sendable {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart

    let state: ProxyState
    private var head: HTTPRequestHead?
    private var body = ByteBuffer()

    init(state: ProxyState) { self.state = state }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let head):
            self.head = head
            body.clear()
        case .body(var part):
            body.writeBuffer(&part)
        case .end:
            guard let head else { return }
            handle(head, body, context: context)
        }
    }

    private func handle(_ head: HTTPRequestHead, _ body: ByteBuffer, context: ChannelHandlerContext) {
        let (fault, delay) = state.draw()
        let channel = context.channel
        let loop = context.eventLoop
        switch fault {
        case .internalError?, .unavailable?:
            let status: HTTPResponseStatus = fault == .internalError ? .internalServerError : .serviceUnavailable
            let code = fault == .internalError ? "InternalError" : "SlowDown"
            respond(channel, status: status, headers: [("Content-Type", "application/xml")], body: Self.errorXML(code))
        case .dropBefore?:
            channel.close(promise: nil)
        case .dropAfter?:
            forward(head, body, on: loop).whenComplete { _ in channel.close(promise: nil) }
        case .slow?:
            let nanoseconds = delay.components.seconds * 1_000_000_000 + delay.components.attoseconds / 1_000_000_000
            loop.scheduleTask(in: .nanoseconds(nanoseconds)) {
                self.relay(head, body, to: channel, on: loop)
            }
        case nil:
            relay(head, body, to: channel, on: loop)
        }
    }

    private func relay(_ head: HTTPRequestHead, _ body: ByteBuffer, to channel: any Channel, on loop: any EventLoop) {
        forward(head, body, on: loop).whenComplete { result in
            switch result {
            case .success(let (status, headers, answer)):
                self.respond(channel, status: status, headers: headers, body: answer)
            case .failure:
                self.respond(channel, status: .badGateway, headers: [], body: ByteBuffer())
            }
        }
    }

    private func respond(
        _ channel: any Channel, status: HTTPResponseStatus, headers: [(String, String)], body: ByteBuffer
    ) {
        var fields = HTTPHeaders(
            headers.filter { !["connection", "transfer-encoding", "content-length"].contains($0.0.lowercased()) })
        fields.replaceOrAdd(name: "Content-Length", value: String(body.readableBytes))
        channel.write(
            HTTPServerResponsePart.head(HTTPResponseHead(version: .http1_1, status: status, headers: fields)),
            promise: nil)
        channel.write(HTTPServerResponsePart.body(.byteBuffer(body)), promise: nil)
        channel.writeAndFlush(HTTPServerResponsePart.end(nil), promise: nil)
    }

    /// Sends the request to the upstream on a fresh connection and gathers its whole answer.
    private func forward(_ head: HTTPRequestHead, _ body: ByteBuffer, on loop: any EventLoop)
        -> EventLoopFuture<(HTTPResponseStatus, [(String, String)], ByteBuffer)>
    {
        let promise = loop.makePromise(of: (HTTPResponseStatus, [(String, String)], ByteBuffer).self)
        ClientBootstrap(group: loop)
            .channelInitializer { channel in
                channel.pipeline.addHTTPClientHandlers().flatMap {
                    channel.pipeline.addHandler(UpstreamHandler(promise: promise))
                }
            }
            .connect(host: "127.0.0.1", port: state.upstreamPort)
            .whenComplete { result in
                switch result {
                case .failure(let error): promise.fail(error)
                case .success(let upstream):
                    var forwarded = head
                    forwarded.headers.replaceOrAdd(name: "Connection", value: "close")
                    forwarded.headers.remove(name: "Transfer-Encoding")
                    forwarded.headers.replaceOrAdd(name: "Content-Length", value: String(body.readableBytes))
                    upstream.write(HTTPClientRequestPart.head(forwarded), promise: nil)
                    upstream.write(HTTPClientRequestPart.body(.byteBuffer(body)), promise: nil)
                    upstream.writeAndFlush(HTTPClientRequestPart.end(nil), promise: nil)
                }
            }
        return promise.futureResult
    }

    static func errorXML(_ code: String) -> ByteBuffer {
        ByteBuffer(
            string:
                "<?xml version=\"1.0\" encoding=\"UTF-8\"?><Error><Code>\(code)</Code><Message>injected by the test proxy</Message></Error>"
        )
    }
}

/// Gathers the upstream's answer and closes the upstream connection.
final class UpstreamHandler: ChannelInboundHandler, @unchecked Sendable {
    typealias InboundIn = HTTPClientResponsePart
    let promise: EventLoopPromise<(HTTPResponseStatus, [(String, String)], ByteBuffer)>
    private var head: HTTPResponseHead?
    private var body = ByteBuffer()

    init(promise: EventLoopPromise<(HTTPResponseStatus, [(String, String)], ByteBuffer)>) { self.promise = promise }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let head): self.head = head
        case .body(var part): body.writeBuffer(&part)
        case .end:
            if let head { promise.succeed((head.status, head.headers.map { ($0.name, $0.value) }, body)) }
            context.close(promise: nil)
        }
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        promise.fail(error)
        context.close(promise: nil)
    }

    func channelInactive(context: ChannelHandlerContext) {
        struct Closed: Error {}
        promise.fail(Closed())
    }
}
