import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdCore
import NIOCore
import NIOFoundationCompat
import Orchestration
import Synchronization

/// What a function accepts from a connection before it knows who is talking: body sizes, the
/// bytes buffered across all requests, and how long headers, bodies and idle connections may take.
public struct ServerLimits: Sendable {
    /// The most a webhook body may be; more is refused with 413.
    public var maxBodyBytes = 25 * 1024 * 1024
    /// The most body bytes buffered across every request in flight; past it, 503 with `Retry-After`.
    public var maxBufferedBytes = 64 * 1024 * 1024
    public var headerTimeout: Duration = .seconds(10)
    public var bodyTimeout: Duration = .seconds(30)
    public var idleTimeout: Duration = .seconds(60)

    public init() {}

    /// Hummingbird's HTTP/1 server with these timeouts.
    var server: HTTPServerBuilder {
        let (headers, body, idle) = (TimeAmount(headerTimeout), TimeAmount(bodyTimeout), TimeAmount(idleTimeout))
        return .http1(
            configuration: .init(
                additionalChannelHandlers: [RequestDeadlines(headers: headers, body: body, idle: idle)],
                idleTimeout: TimeAmount(idleTimeout)))
    }
}

extension TimeAmount {
    init(_ duration: Duration) {
        let (seconds, attoseconds) = duration.components
        self = .nanoseconds(seconds * 1_000_000_000 + attoseconds / 1_000_000_000)
    }
}

/// The body bytes buffered across all requests of a process, bounded.
public final class BodyBudget: Sendable {
    public let limit: Int
    private let used = Mutex(0)

    public init(limit: Int) { self.limit = limit }

    /// Takes `bytes` from the budget, or refuses when that would pass the limit.
    public func reserve(_ bytes: Int) -> Bool {
        used.withLock { used in
            guard used + bytes <= limit else { return false }
            used += bytes
            return true
        }
    }

    public func release(_ bytes: Int) { used.withLock { $0 -= bytes } }
}

extension FunctionApp {
    /// Reads the body within the limits, hands it to `handle`, and gives its bytes back to the
    /// budget once `handle` is done. A declared length over the limit is refused before reading.
    static func withBody<T>(
        _ request: Request, limits: ServerLimits, budget: BodyBudget, _ handle: (Data) async throws(ContractError) -> T
    ) async throws(ContractError) -> T {
        let declared = request.headers[.contentLength].flatMap(Int.init)
        if let declared, declared > limits.maxBodyBytes {
            throw ContractError(413, "the body is over \(limits.maxBodyBytes) bytes")
        }
        // A declared length is taken whole before reading, so bodies under pressure are refused at
        // once instead of each holding part of the budget; a chunked body is taken as it comes.
        var reserved = 0
        defer { budget.release(reserved) }
        if let declared {
            guard budget.reserve(declared) else {
                throw ContractError(503, "too many large requests at once; retry later")
            }
            reserved = declared
        }
        var buffer = ByteBuffer()
        do {
            for try await chunk in request.body {
                guard buffer.readableBytes + chunk.readableBytes <= limits.maxBodyBytes else {
                    throw ContractError(413, "the body is over \(limits.maxBodyBytes) bytes")
                }
                let more = buffer.readableBytes + chunk.readableBytes - reserved
                if more > 0 {
                    guard budget.reserve(more) else {
                        throw ContractError(503, "too many large requests at once; retry later")
                    }
                    reserved += more
                }
                var chunk = chunk
                buffer.writeBuffer(&chunk)
            }
        } catch let error as ContractError {
            throw error
        } catch {
            throw ContractError(400, "the body could not be read")
        }
        // Shares the buffer's storage: the body is in memory once.
        let data =
            buffer.getData(at: buffer.readerIndex, length: buffer.readableBytes, byteTransferStrategy: .noCopy)
            ?? Data()
        return try await handle(data)
    }
}
