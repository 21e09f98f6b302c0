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

    /// Streams `data` to `reader`. A parser error, no element at all, or elements left open are
    /// `.malformed`; a reader that asked to stop is not an error.
    /// - Returns: whether the reader stopped the document before its end.
    @discardableResult
    static func parse(_ data: Data, limit: Int, _ reader: some ReportReader) throws(EvidenceError) -> Bool {
        try check(data, limit: limit)
        let parser = XMLParser(data: data)
        parser.shouldResolveExternalEntities = false
        parser.shouldProcessNamespaces = false
        let driver = Driver(reader)
        parser.delegate = driver
        let finished = parser.parse()
        if driver.stopped { return true }
        guard finished else {
            let reason =
                parser.parserError.map { "\($0.localizedDescription) at line \(parser.lineNumber)" } ?? "stopped"
            throw .malformed(reason)
        }
        guard driver.elements > 0 else { throw .malformed("no XML element") }
        guard driver.depth == 0 else { throw .malformed("\(driver.depth) elements left open") }
        return false
    }

    /// Tells the reader what streams by, counting elements so an unbalanced document is caught.
    final class Driver: NSObject, XMLParserDelegate {
        let reader: any ReportReader
        var depth = 0
        var elements = 0
        var stopped = false

        init(_ reader: any ReportReader) { self.reader = reader }

        func parser(
            _ parser: XMLParser, didStartElement element: String, namespaceURI: String?, qualifiedName: String?,
            attributes: [String: String] = [:]
        ) {
            depth += 1
            elements += 1
            guard reader.start(element, attributes: attributes) else {
                stopped = true
                parser.abortParsing()
                return
            }
        }

        func parser(_ parser: XMLParser, didEndElement element: String, namespaceURI: String?, qualifiedName: String?) {
            depth -= 1
            reader.end(element)
        }

        func parser(_ parser: XMLParser, foundCharacters string: String) { reader.text(string) }
    }
}

/// What a report reader is told as the document streams by.
protocol ReportReader: AnyObject {
    /// An element opened; false stops reading the document here (a bound was reached).
    func start(_ element: String, attributes: [String: String]) -> Bool
    func end(_ element: String)
    func text(_ string: String)
}

extension ReportReader {
    func text(_ string: String) {}
}
