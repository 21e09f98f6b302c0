/// Follows strings and comments that span lines — Python's triple-quoted strings (docstrings),
/// Swift, Kotlin and Java text blocks, JavaScript template literals, Go raw strings, `/* … */`
/// comments — so the planner never mutates a line inside one, and measures bracket depth in code
/// only, so statement rewrites stay off lines inside brackets.
struct BlockScanner {
    let language: Language
    let extensionName: String

    /// What a line is inside of when it starts.
    enum Block: Equatable {
        case string(String)
        case comment
    }

    /// What the scan says of each line.
    struct LineFacts: Equatable {
        /// The line starts in, ends in, or opens a block that spans lines.
        var inBlock: Bool
        /// Open brackets of code before the line starts.
        var depth: Int
        /// The line's own brackets do not balance (it opens or closes a group).
        var unbalanced: Bool
    }

    init(path: String) {
        language = Language.forPath(path) ?? Language()
        let name = path.split(separator: "/").last.map(String.init) ?? path
        extensionName = name.split(separator: ".").last.map { $0.lowercased() } ?? ""
    }

    /// Delimiters that open and close the same kind of multi-line string.
    var stringDelimiters: [String] {
        switch extensionName {
        case "py": ["\"\"\"", "'''"]
        case "swift", "kt", "java", "scala", "dart": ["\"\"\""]
        case "js", "jsx", "ts", "tsx", "mjs", "cjs", "go": ["`"]
        default: []
        }
    }

    var hasBlockComments: Bool { !language.hashComments }

    /// The brackets that group an expression. Braces open blocks in the C family and Swift, so
    /// only Python and Ruby count them.
    var opens: Set<Character> { language.hashComments ? ["(", "[", "{"] : ["(", "["] }
    var closes: Set<Character> { language.hashComments ? [")", "]", "}"] : [")", "]"] }

    /// The facts of each line, starting in `start` at bracket depth `depth`; and the block the last
    /// line ends in.
    func scan(_ lines: [String], from start: Block?, depth: Int = 0) -> (facts: [LineFacts], end: Block?) {
        var block = start
        var depth = depth
        var facts: [LineFacts] = []
        for line in lines {
            let before = block
            let startDepth = depth
            var opened = false
            var lowest = depth
            let chars = Array(line)
            var index = 0
            while index < chars.count {
                if let current = block {
                    guard let end = closing(current, chars, from: index) else { break }
                    index = end
                    block = nil
                    continue
                }
                if let (found, length) = opening(chars, at: index) {
                    block = found
                    opened = true
                    index += length
                    continue
                }
                let char = chars[index]
                if isLineComment(chars, at: index) { break }
                if char == "\"" || char == "'" {
                    index = skipQuoted(chars, from: index)
                    continue
                }
                if opens.contains(char) { depth += 1 }
                if closes.contains(char) {
                    depth -= 1
                    lowest = min(lowest, depth)
                }
                index += 1
            }
            facts.append(
                LineFacts(
                    inBlock: before != nil || block != nil || opened, depth: startDepth,
                    unbalanced: depth != startDepth || lowest < startDepth))
        }
        return (facts, block)
    }

    /// The facts of a hunk's lines, read with the file's text when the hunk alone cannot tell.
    /// Without either, both readings of an unclear start count (a line inside under either is
    /// inside), and bracket depth is taken from its lowest point.
    func facts(hunk: [String]) -> [LineFacts] {
        let plain = scan(hunk, from: nil).facts
        guard let unclear = unclearStart(hunk) else { return lifted(plain) }
        let inside = scan(hunk, from: unclear).facts
        return lifted(
            zip(plain, inside).map {
                LineFacts(inBlock: $0.inBlock || $1.inBlock, depth: $0.depth, unbalanced: $0.unbalanced)
            })
    }

    /// Depths relative to a start of unknown depth: a hunk whose brackets close more than they open
    /// started inside some.
    private func lifted(_ facts: [LineFacts]) -> [LineFacts] {
        let lowest = facts.map(\.depth).min() ?? 0
        return facts.map { LineFacts(inBlock: $0.inBlock, depth: $0.depth - min(lowest, 0), unbalanced: $0.unbalanced) }
    }

    /// The block a hunk may have started inside, when its own lines cannot rule it out: a
    /// `*/` before any `/*`, or a string delimiter whose first use in the hunk is not clearly an
    /// opening one.
    func unclearStart(_ hunk: [String]) -> Block? {
        for (index, line) in hunk.enumerated() {
            let chars = Array(line)
            var position = 0
            while position < chars.count {
                if isLineComment(chars, at: position) { break }
                if hasBlockComments, matches("*/", chars, at: position) { return .comment }
                if hasBlockComments, matches("/*", chars, at: position) { return nil }
                if let delimiter = stringDelimiters.first(where: { matches($0, chars, at: position) }) {
                    return clearlyOpens(chars, at: position, previous: index > 0 ? hunk[index - 1] : nil)
                        ? nil : .string(delimiter)
                }
                if chars[position] == "\"" || chars[position] == "'" {
                    position = skipQuoted(chars, from: position)
                    continue
                }
                position += 1
            }
        }
        return nil
    }

    /// Whether a hunk's patch leaves a start unclear, so the file's text should be fetched.
    func needsSource(_ patch: String) -> Bool {
        Diff.hunks(in: patch).contains { hunk in
            hunk.contains(where: \.added) && unclearStart(hunk.map(\.text)) != nil
        }
    }

    /// Code that leads into a value just before the delimiter (`x = """`, `return f"""`,
    /// `call("""`), or a header line just before it (`def f():` then a docstring), says the
    /// delimiter opens a string. Prose before it may be a string's last line: unclear.
    private func clearlyOpens(_ chars: [Character], at position: Int, previous: String?) -> Bool {
        var before = String(chars[..<position]).trimmingWhitespace
        let prefix = before.reversed().prefix { "rfbuRFBU".contains($0) }.count
        if prefix > 0, prefix <= 2 { before = String(before.dropLast(prefix)).trimmingWhitespace }
        if let last = before.last {
            return "=(,[{+:".contains(last) || before.hasSuffix("return") || before.hasSuffix("yield")
        }
        guard let previous = previous?.trimmingWhitespace, let last = previous.last else { return false }
        return "=(,[{:".contains(last)
    }

    private func opening(_ chars: [Character], at index: Int) -> (Block, Int)? {
        if hasBlockComments, matches("/*", chars, at: index) { return (.comment, 2) }
        for delimiter in stringDelimiters where matches(delimiter, chars, at: index) {
            return (.string(delimiter), delimiter.count)
        }
        return nil
    }

    /// Where the block closes on this line (the index after its end), if it does.
    private func closing(_ block: Block, _ chars: [Character], from start: Int) -> Int? {
        let end = block == .comment ? "*/" : { if case .string(let d) = block { d } else { "" } }()
        var index = start
        while index < chars.count {
            if chars[index] == "\\", block != .comment {
                index += 2
                continue
            }
            if matches(end, chars, at: index) { return index + end.count }
            index += 1
        }
        return nil
    }

    private func isLineComment(_ chars: [Character], at index: Int) -> Bool {
        language.hashComments ? chars[index] == "#" : matches("//", chars, at: index)
    }

    /// The index after a one-line string that starts at `index`.
    private func skipQuoted(_ chars: [Character], from index: Int) -> Int {
        let quote = chars[index]
        var position = index + 1
        while position < chars.count {
            if chars[position] == "\\" {
                position += 2
                continue
            }
            if chars[position] == quote { return position + 1 }
            position += 1
        }
        return position
    }

    private func matches(_ token: String, _ chars: [Character], at index: Int) -> Bool {
        let needle = Array(token)
        guard index + needle.count <= chars.count else { return false }
        return Array(chars[index..<(index + needle.count)]) == needle
    }
}
