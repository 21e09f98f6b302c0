import Foundation
import Testing

/// Reads a file of the project's `fixtures/` folder, found from this source file.
func fixture(_ relative: String, sourceLocation: SourceLocation = #_sourceLocation) throws -> Data {
    let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()
    let path = root.appendingPathComponent("fixtures").appendingPathComponent(relative).path
    return try #require(
        FileManager.default.contents(atPath: path), "missing fixture \(relative)", sourceLocation: sourceLocation)
}
