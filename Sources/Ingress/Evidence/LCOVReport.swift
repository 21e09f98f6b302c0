import Workflow

#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// lcov's tracefile: records between `SF:<path>` and `end_of_record`, one `DA:<line>,<hits>` per
/// line. Paths are made repository-relative by `LineCoverage.relative(to:)`.
public enum LCOVReport {
    public static func parse(_ data: Data, limits: EvidenceLimits = EvidenceLimits()) throws(EvidenceError)
        -> LineCoverage
    {
        guard data.count <= limits.maxFileBytes else { throw .tooLarge(limits.maxFileBytes) }
        var coverage = LineCoverage()
        var file: String?
        var lineNumber = 0
        for raw in data.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false) {
            lineNumber += 1
            let line = String(decoding: raw, as: UTF8.self).trimmingWhitespace
            if line.hasPrefix("SF:") {
                file = String(line.dropFirst(3))
            } else if line == "end_of_record" {
                file = nil
            } else if line.hasPrefix("DA:") {
                guard let file else { throw .malformed("DA outside a record at line \(lineNumber)") }
                let fields = line.dropFirst(3).split(separator: ",")
                guard fields.count >= 2, let number = Int(fields[0]), number > 0, let hits = Int(fields[1]) else {
                    throw .malformed("bad DA at line \(lineNumber)")
                }
                coverage.known[file, default: []].insert(number)
                if hits > 0 { coverage.covered[file, default: []].insert(number) }
            }
        }
        return coverage
    }
}
