// Rewrites one FileStore document as fast as it can, for the torn-write test: each version holds
// its number and about 300 KB of padding, and "wrote N" is printed once version N is stored.
// TINYBUG_FAULTS (for example mid-file-write=0.2) arms the fault points.
import Engine
import Foundation

struct Version: Codable {
    var n: Int
    var padding: String
}

let arguments = CommandLine.arguments
guard arguments.count == 2 else {
    FileHandle.standardError.write(Data("usage: store-writer STORE-ROOT\n".utf8))
    exit(2)
}
Faults.arm(try Faults.parse(ProcessInfo.processInfo.environment["TINYBUG_FAULTS"] ?? ""))
let store = try FileStore(root: arguments[1])
let key = StoreKey("tenants/torn/workflows/w.json")!
while true {
    let stored = try await store.read(key)
    let n = try stored.map { try JSONDecoder().decode(Version.self, from: $0.data).n + 1 } ?? 1
    let data = try JSONEncoder().encode(Version(n: n, padding: String(repeating: "x", count: 300_000 + n % 997)))
    if let stored {
        _ = try await store.replace(key, data, ifMatch: stored.version)
    } else {
        _ = try await store.create(key, data)
    }
    FileHandle.standardOutput.write(Data("wrote \(n)\n".utf8))
}
