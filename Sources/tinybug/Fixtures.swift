import Foundation

/// The project's `fixtures/` folder, found from this source file so `swift run` works from any directory.
enum Fixtures {
    static var root: URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("fixtures")
    }

    static func data(_ relative: String) throws -> Data {
        let url = root.appendingPathComponent(relative)
        guard let data = FileManager.default.contents(atPath: url.path) else {
            throw CLIError("cannot read fixture \(url.path)")
        }
        return data
    }
}

struct CLIError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}
