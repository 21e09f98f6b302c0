// The planner's driver for `make bench-planner`: compiled with the Workflow module's sources
// (of this commit, or of an earlier one for the "before" column), it reads GitHub-shaped changed
// files as JSON on standard input and prints the planned mutants as JSON.
import Foundation

struct File: Decodable {
    var filename: String
    var status: String
    var patch: String?
    var source: String?
}

struct Planned: Encodable {
    var id: Int
    var path: String
    var line: Int
    var original: String
    var replacement: String
    var `operator`: String
}

let limit = CommandLine.arguments.dropFirst().first.flatMap(Int.init) ?? 1000
let input = FileHandle.standardInput.readDataToEndOfFile()
let files = try JSONDecoder().decode([File].self, from: input).map { file in
    var changed = ChangedFile(path: file.filename, status: file.status, patch: file.patch)
    changed.setSource(file.source)
    return changed
}
let mutants = MutantPlanner.plan(files, limit: limit).map {
    Planned(
        id: $0.id, path: $0.path, line: $0.line, original: $0.original, replacement: $0.replacement,
        operator: $0.operator.rawValue)
}
FileHandle.standardOutput.write(try JSONEncoder().encode(mutants))
