import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import Orchestration

extension Answer: ResponseGenerator {
    public func response(from request: Request, context: some RequestContext) throws -> Response {
        Response.json(HTTPResponse.Status(code: status), json)
    }
}

extension ContractError: HTTPResponseError {
    public var status: HTTPResponse.Status { HTTPResponse.Status(code: statusCode) }

    public func response(from request: Request, context: some RequestContext) throws -> Response {
        var response = Response.json(status, json)
        // Unavailable is worth retrying soon; say when.
        if statusCode == 503 { response.headers[.retryAfter] = "5" }
        return response
    }
}

/// A value answered as JSON with status 200 (the control API's reads and steering).
struct JSONAnswer<Value: Encodable & Sendable>: ResponseGenerator {
    var value: Value
    var status: HTTPResponse.Status = .ok

    func response(from request: Request, context: some RequestContext) throws -> Response {
        Response.json(status, try JSONBody.encoder.encode(value))
    }
}

/// A server-rendered page: never cached, and a sign-in challenge where asked for.
struct HTMLPage: ResponseGenerator {
    var status: HTTPResponse.Status = .ok
    var html: String
    var challenge = false

    func response(from request: Request, context: some RequestContext) throws -> Response {
        var headers: HTTPFields = [
            .contentType: "text/html; charset=utf-8", .cacheControl: "no-store",
            .contentSecurityPolicy:
                "default-src 'none'; style-src 'unsafe-inline'; img-src data:; form-action 'self'; base-uri 'none'; frame-ancestors 'none'",
            HTTPField.Name("X-Content-Type-Options")!: "nosniff", HTTPField.Name("Referrer-Policy")!: "no-referrer",
            HTTPField.Name("X-Frame-Options")!: "DENY",
        ]
        if challenge { headers[.wwwAuthenticate] = #"Basic realm="tinybug", charset="UTF-8""# }
        return Response(status: status, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(string: html)))
    }
}

/// A contract error on a page: the same status, as a small HTML page.
struct PageError: HTTPResponseError {
    var error: ContractError
    var status: HTTPResponse.Status { error.status }

    func response(from request: Request, context: some RequestContext) throws -> Response {
        let (title, text) =
            switch error.statusCode {
            case 401: ("Sign in", "Sign in with your API token as the password.")
            case 404: ("Not found", "No such tenant or workflow.")
            case 400: ("Bad request", "The address is not valid.")
            default: ("Unavailable", "The store is unavailable. Try again shortly.")
            }
        return try HTMLPage(
            status: status, html: HTML.page(title: title, body: "<p>\(text)</p>"), challenge: error.statusCode == 401
        )
        .response(from: request, context: context)
    }
}

extension Response {
    static func json(_ status: HTTPResponse.Status, _ data: Data) -> Response {
        Response(
            status: status, headers: [.contentType: "application/json"],
            body: ResponseBody(byteBuffer: ByteBuffer(bytes: data)))
    }
}
