/// A line the PR added, with its number in the new version of the file.
public struct AddedLine: Equatable, Sendable {
    public var number: Int
    public var text: String
}

/// Reads GitHub's per-file unified `patch` text.
public enum Diff {
    /// The added lines of a patch, numbered as in the head version of the file.
    public static func addedLines(in patch: String) -> [AddedLine] {
        var added: [AddedLine] = []
        var next: Int? = nil
        for raw in patch.split(separator: "\n", omittingEmptySubsequences: false) {
            let line = raw.last == "\r" ? raw.dropLast() : raw
            if line.hasPrefix("@@") {
                next = hunkStart(line)
                continue
            }
            guard let current = next else { continue }
            switch line.first {
            case "+":
                added.append(AddedLine(number: current, text: String(line.dropFirst())))
                next = current + 1
            case " ":
                next = current + 1
            case "-", "\\":
                continue
            default:
                if line.isEmpty { next = current + 1 }
            }
        }
        return added
    }

    /// The first new-file line number of a hunk header `@@ -a,b +c,d @@`.
    static func hunkStart(_ header: Substring) -> Int? {
        guard let plus = header.firstIndex(of: "+") else { return nil }
        let digits = header[header.index(after: plus)...].prefix { $0.isNumber }
        return Int(digits)
    }
}
