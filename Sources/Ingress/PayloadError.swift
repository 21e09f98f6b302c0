#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// A payload that is not what it claims to be. Answers 400 with `field` named in the body.
public struct PayloadError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The JSON path of the missing or invalid field, `pull_request.head.sha`; empty for the whole body.
    public var field: String
    public var problem: String

    public init(field: String, problem: String) {
        self.field = field
        self.problem = problem
    }

    public var description: String { field.isEmpty ? problem : "\(field): \(problem)" }

    /// Decodes `T` from `body`, turning decoding errors into a `PayloadError` that names the field.
    static func decode<T: Decodable>(_ type: T.Type, from body: Data) throws(PayloadError) -> T {
        do {
            return try JSONDecoder().decode(type, from: body)
        } catch let error as DecodingError {
            throw PayloadError(error)
        } catch {
            throw PayloadError(field: "", problem: "the body is not JSON")
        }
    }

    init(_ error: DecodingError) {
        switch error {
        case .keyNotFound(let key, let context):
            self.init(field: Self.path(context.codingPath + [key]), problem: "is missing")
        case .valueNotFound(_, let context):
            self.init(field: Self.path(context.codingPath), problem: "is null")
        case .typeMismatch(let type, let context):
            self.init(field: Self.path(context.codingPath), problem: "is not a \(type)")
        case .dataCorrupted(let context):
            self.init(
                field: Self.path(context.codingPath),
                problem: context.codingPath.isEmpty ? "the body is not valid JSON" : context.debugDescription)
        @unknown default:
            self.init(field: "", problem: "the body could not be decoded")
        }
    }

    private static func path(_ keys: [any CodingKey]) -> String {
        keys.map { $0.intValue.map(String.init) ?? $0.stringValue }.joined(separator: ".")
    }
}
