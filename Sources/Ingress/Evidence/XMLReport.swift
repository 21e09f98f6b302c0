import Foundation

#if canImport(FoundationXML)
import FoundationXML
#endif

/// The one way the project reads XML it did not write: a streaming `XMLParser` that neither
/// resolves external entities nor reads a document that declares a type or entities at all, so
/// neither a billion-laughs file nor a reference to `/etc/passwd` gets expanded.
enum XMLReport {
    /// Refuses a document with a `<!DOCTYPE` or `<!ENTITY` before parsing it.
    static func check(_ data: Data, limit: Int) throws(EvidenceError) {
        guard data.count <= limit else { throw .tooLarge(limit) }
        // FoundationXML crashes on a name that is not UTF-8 (found by fuzz-junit); the producers
        // write UTF-8, so anything else is refused before the parser sees it.
        guard let text = String(validating: data, as: UTF8.self) else { throw .malformed("not UTF-8") }
        // Nor does it survive every processing instruction (a `<?x?>` without data, found by
        // fuzz-junit): the reports have none but the XML declaration at the very start.
        let body = text.drop { $0 == "\u{FEFF}" || $0.isWhitespace }
        let rest = body.hasPrefix("<?xml ") ? body.drop { $0 != ">" } : body
        guard !rest.contains("<?") else { throw .malformed("a processing instruction") }
        for marker in ["<!DOCTYPE", "<!ENTITY", "<!doctype", "<!entity"] where data.range(of: Data(marker.utf8)) != nil
        {
            throw .entities
        }
    }

    /// Parses `data` with `delegate`; a parser error (or the delegate's abort), no element at all,
    /// or elements left open are `.malformed`.
    static func parse(_ data: Data, limit: Int, _ delegate: some BalancedReader) throws(EvidenceError) {
        try check(data, limit: limit)
        let parser = XMLParser(data: data)
        parser.shouldResolveExternalEntities = false
        parser.shouldProcessNamespaces = false
        parser.delegate = delegate
        guard parser.parse() else {
            let reason =
                parser.parserError.map { "\($0.localizedDescription) at line \(parser.lineNumber)" } ?? "stopped"
            throw .malformed(reason)
        }
        guard delegate.elements > 0 else { throw .malformed("no XML element") }
        guard delegate.depth == 0 else { throw .malformed("\(delegate.depth) elements left open") }
    }
}

/// A report reader that counts the elements it sees, so an unbalanced document is caught.
protocol BalancedReader: XMLParserDelegate {
    var depth: Int { get }
    var elements: Int { get }
}
