import Foundation
import Workflow

#if canImport(FoundationXML)
import FoundationXML
#endif

/// Cobertura XML (coverage.py's `coverage xml`, and converters for JaCoCo and others): each
/// `<class filename>`'s `<line number hits>`, with filenames relative to a `<source>`. Paths are
/// made repository-relative by `LineCoverage.relative(to:)`.
public enum CoberturaReport {
    public static func parse(_ data: Data, limits: EvidenceLimits = EvidenceLimits()) throws(EvidenceError)
        -> LineCoverage
    {
        let reader = Reader()
        try XMLReport.parse(data, limit: limits.maxFileBytes, reader)
        var coverage = LineCoverage()
        // A filename is tried as given and under each source root the report names.
        for (filename, lines) in reader.known {
            let paths = [filename] + reader.sources.map { "\($0)/\(filename)" }
            for path in paths {
                coverage.known[path, default: []].formUnion(lines)
                coverage.covered[path, default: []].formUnion(reader.covered[filename] ?? [])
            }
        }
        return coverage
    }

    final class Reader: ReportReader {
        var sources: [String] = []
        var known: [String: Set<Int>] = [:]
        var covered: [String: Set<Int>] = [:]
        private var file: String?
        private var inSource = false
        private var source = ""

        func start(_ element: String, attributes: [String: String]) -> Bool {
            switch element {
            case "source":
                inSource = true
                source = ""
            case "class":
                file = attributes["filename"]
            case "line":
                guard let file, let number = attributes["number"].flatMap(Int.init), number > 0 else { return true }
                known[file, default: []].insert(number)
                if let hits = attributes["hits"].flatMap(Int.init), hits > 0 {
                    covered[file, default: []].insert(number)
                }
            default:
                break
            }
            return true
        }

        func text(_ string: String) {
            if inSource, source.count < 4096 { source += string }
        }

        func end(_ element: String) {
            switch element {
            case "source":
                inSource = false
                let root = source.trimmingCharacters(in: .whitespacesAndNewlines)
                if !root.isEmpty { sources.append(root.hasSuffix("/") ? String(root.dropLast()) : root) }
            case "class":
                file = nil
            default:
                break
            }
        }
    }
}
