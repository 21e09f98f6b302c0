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

    /// A hunk's lines as they read in the head version: context and added lines, numbered.
    public struct NewLine: Equatable, Sendable {
        public var number: Int
        public var text: String
        public var added: Bool
    }

    /// Each hunk's new-side lines, in order: what a line's surroundings (a string or comment it
    /// sits in, brackets it is inside) are read from.
    public static func hunks(in patch: String) -> [[NewLine]] {
        var hunks: [[NewLine]] = []
        var next: Int? = nil
        for raw in patch.split(separator: "\n", omittingEmptySubsequences: false) {
            let line = raw.last == "\r" ? raw.dropLast() : raw
            if line.hasPrefix("@@") {
                next = hunkStart(line)
                if next != nil { hunks.append([]) }
                continue
            }
            guard let current = next, !hunks.isEmpty else { continue }
            switch line.first {
            case "+", " ":
                hunks[hunks.count - 1].append(
                    NewLine(number: current, text: String(line.dropFirst()), added: line.first == "+"))
                next = current + 1
            case "-", "\\":
                continue
            default:
                if line.isEmpty {
                    hunks[hunks.count - 1].append(NewLine(number: current, text: "", added: false))
                    next = current + 1
                }
            }
        }
        return hunks
    }

    /// The first new-file line number of a hunk header `@@ -a[,b] +c[,d] @@`, or nil for anything
    /// else: a malformed header starts no hunk, so no line is numbered 0 or past `maxLine`.
    static func hunkStart(_ header: Substring) -> Int? {
        let parts = header.split(separator: " ")
        guard parts.count >= 4, parts[0] == "@@", parts[1].hasPrefix("-"), parts[2].hasPrefix("+"), parts[3] == "@@"
        else {
            return nil
        }
        let range = parts[2].dropFirst().split(separator: ",", maxSplits: 1, omittingEmptySubsequences: false)
        guard let first = range.first, first.allSatisfy(\.isASCII), let start = Int(first),
            (1...maxLine).contains(start)
        else {
            return nil
        }
        return start
    }

    /// No source file has more lines than this; a larger number in a header is not a real hunk.
    public static let maxLine = 10_000_000
}
