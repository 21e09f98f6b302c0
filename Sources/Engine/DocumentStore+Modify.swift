#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

extension DocumentStore {
    /// Reads a small JSON document (or starts from `initial`), changes it and writes it back
    /// under compare-and-swap, re-reading and re-applying `change` whenever another writer won.
    /// - Returns: what `change` returned on the attempt that was written.
    func modify<Value: Codable & Sendable & Equatable, Result>(
        _ key: StoreKey, initial: Value, attempts: Int = 16, _ change: (inout Value) -> Result
    ) async throws(StoreError) -> Result {
        for attempt in 0..<attempts {
            let stored = try await read(key)
            var value = initial
            if let stored {
                value = try StoredJSON.decode(Value.self, stored.data, key: key)
            }
            let before = value
            let result = change(&value)
            if value == before { return result }
            let data: Data
            do { data = try StoredJSON.encoder.encode(value) } catch { throw .corrupt("encode \(key): \(error)") }
            do throws(StoreError) {
                if let stored {
                    _ = try await replace(key, data, ifMatch: stored.version)
                } else {
                    _ = try await create(key, data)
                }
                return result
            } catch .conflict {
                try? await Task.sleep(for: .milliseconds(Int.random(in: 1...(4 << min(attempt, 6)))))
            }
        }
        throw .conflict("\(key): every compare-and-swap attempt lost")
    }
}

/// How every stored document is written and read: compact JSON, keys in the order of each type's
/// coding keys (sorting them cost about a sixth of an event's CPU). `tinybug workflows show`
/// prints a document indented.
enum StoredJSON {
    static var encoder: JSONEncoder {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.withoutEscapingSlashes]
        return encoder
    }

    /// The document at `key` as a `Value`, or `.corrupt` naming the key.
    static func decode<Value: Decodable>(_ type: Value.Type, _ data: Data, key: StoreKey) throws(StoreError) -> Value {
        do { return try JSONDecoder().decode(type, from: data) } catch { throw .corrupt("\(key): \(error)") }
    }
}
