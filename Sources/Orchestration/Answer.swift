import Engine
import Foundation
import Ingress

/// What a function answers when the request was taken: a status and a small JSON body.
public struct Answer: Sendable, Equatable {
    public struct Body: Codable, Sendable, Equatable {
        public var result: String
        public var workflow: String?
        public var workflows: [String]?
        public var error: String?
        public var field: String?
    }

    public var status: Int
    public var body: Body

    static func accepted(_ workflow: String? = nil, workflows: [String]? = nil) -> Answer {
        Answer(status: 202, body: Body(result: "accepted", workflow: workflow, workflows: workflows))
    }
    static func ignored(_ reason: String) -> Answer {
        Answer(status: 202, body: Body(result: "ignored", error: reason))
    }
    static func ok(_ result: String, workflow: String? = nil) -> Answer {
        Answer(status: 200, body: Body(result: result, workflow: workflow))
    }

    public var json: Data { JSONBody.encode(body) }
}

/// A request refused under the contract (CONTRACT.md "Answers"): its status and what the sender
/// can act on. Each closed set of errors maps to a status here and nowhere else.
public struct ContractError: Error, Sendable, Equatable {
    public var statusCode: Int
    public var message: String
    public var field: String?
    public init(_ status: Int, _ message: String, field: String? = nil) {
        statusCode = status
        self.message = message
        self.field = field
    }

    public init(_ error: SignatureError) {
        switch error {
        case .missingHeader(let name): self.init(401, "missing signature header \(name)")
        case .malformed(let name): self.init(401, "malformed signature header \(name)")
        case .mismatch: self.init(401, "signature does not match")
        case .expired: self.init(401, "signature timestamp outside the accepted window")
        }
    }

    public init(_ error: PayloadError) { self.init(400, error.description, field: error.field) }

    public init(_ error: EngineError) {
        switch error {
        case .store(.invalidKey(let key)): self.init(400, "invalid id: \(key)")
        case .store(.corrupt): self.init(503, "a stored document is unreadable; it was left as it is")
        case .store: self.init(503, "the store is unavailable; retry later")
        case .notFound(let tenant, let workflow): self.init(404, "no workflow \(workflow) for tenant \(tenant)")
        case .tooManyConflicts: self.init(503, "too many concurrent changes to this workflow; retry")
        }
    }

    public init(_ error: StoreError) { self.init(EngineError.store(error)) }

    /// The JSON body of the refusal.
    public var json: Data { JSONBody.encode(Answer.Body(result: "rejected", error: message, field: field)) }
}

/// How answers are written: compact JSON with sorted keys.
public enum JSONBody {
    /// The encoder every answer body uses.
    public static var encoder: JSONEncoder {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return encoder
    }

    static func encode(_ value: some Encodable) -> Data {
        do { return try encoder.encode(value) } catch {
            return Data(#"{"result":"rejected","error":"unencodable answer"}"#.utf8)
        }
    }
}
