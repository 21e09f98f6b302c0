import Engine
import Foundation
import Ingress

/// What a function answers: a status and a small JSON body. Each closed set of errors maps to a
/// status here and nowhere else.
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
    static func ignored(_ reason: String) -> Answer { Answer(status: 202, body: Body(result: "ignored", error: reason)) }
    static func ok(_ result: String, workflow: String? = nil) -> Answer {
        Answer(status: 200, body: Body(result: result, workflow: workflow))
    }
    static func error(_ status: Int, _ message: String, field: String? = nil) -> Answer {
        Answer(status: status, body: Body(result: "rejected", error: message, field: field))
    }

    static func from(_ error: SignatureError) -> Answer {
        switch error {
        case .missingHeader(let name): .error(401, "missing signature header \(name)")
        case .malformed(let name): .error(401, "malformed signature header \(name)")
        case .mismatch: .error(401, "signature does not match")
        case .expired: .error(401, "signature timestamp outside the accepted window")
        }
    }

    static func from(_ error: PayloadError) -> Answer { .error(400, error.description, field: error.field) }

    static func from(_ error: EngineError) -> Answer {
        switch error {
        case .store(.invalidKey(let key)): .error(400, "invalid id: \(key)")
        case .store(.corrupt(let reason)): .error(500, "stored document is corrupt: \(reason)")
        case .store(let error): .error(503, "store unavailable: \(error)")
        case .notFound(let tenant, let workflow): .error(404, "no workflow \(workflow) for tenant \(tenant)")
        case .tooManyConflicts(let key): .error(503, "too much contention on \(key); retry")
        }
    }

    public var json: Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return (try? encoder.encode(body)) ?? Data("{}".utf8)
    }
}
