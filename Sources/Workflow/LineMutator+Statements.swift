/// The operators that rewrite a whole condition, return or statement.
extension LineMutator {
    private static let statementKeywords: Set<String> = [
        "return", "if", "while", "for", "let", "var", "const", "def", "func", "fn", "class", "struct", "guard",
        "switch", "case", "else", "import", "package", "use", "throw", "raise", "yield", "defer", "do", "catch",
        "try!", "public", "private", "static", "enum", "interface", "type", "new",
    ]

    /// Negates a whole `if`/`elif`/`while`/`guard` condition that starts the statement (never a
    /// ternary's or a comprehension's); a leading `not`/`!` is removed rather than wrapped again.
    static func negateCondition(_ line: SourceLine, language: Language) -> String? {
        guard let (keyword, length) = conditionKeyword(line) else { return nil }
        let after = keyword + length
        switch language.conditions {
        case .parenthesized:
            guard let open = firstCode(line, from: after), line.chars[open] == "(",
                let close = line.matchingClose(from: open), close > open + 1
            else { return nil }
            let inner = String(line.chars[(open + 1)..<close])
            return line.replacing(at: open, length: close - open + 1, with: "(\(negated(inner, language)))")
        case .braced:
            let isGuard = line.chars[keyword] == "g"
            guard let end = isGuard ? lastCodeWord(line, "else") : lastCode(line, "{"), end > after else { return nil }
            return wrap(line, from: after, to: end, language: language, rejecting: ["let", "var", "case"])
        case .colon:
            guard let colon = lastCode(line, ":"), colon > after, line.code.hasSuffix(":") else { return nil }
            return wrap(line, from: after, to: colon, language: language, rejecting: [])
        case .none:
            return nil
        }
    }

    /// The condition keyword that begins the line's statement (after a closing `}` and `else`),
    /// and its length.
    private static func conditionKeyword(_ line: SourceLine) -> (Int, Int)? {
        for keyword in ["if", "elif", "while", "guard"] {
            guard let index = line.find(keyword, word: true) else { continue }
            let before = String(line.chars[..<index]).trimmingWhitespace
            if ["", "}", "} else", "else"].contains(before) { return (index, keyword.count) }
        }
        return nil
    }

    /// The condition negated: its leading `not`/`!` taken off when it negates the whole of it,
    /// else the whole of it wrapped.
    static func negated(_ condition: String, _ language: Language) -> String {
        let trimmed = condition.trimmingWhitespace
        let not = language.wordLogic ? "not " : "!"
        let joins = ["&&", "||", " and ", " or ", "?"]
        if trimmed.hasPrefix(not), !joins.contains(where: trimmed.contains), !trimmed.hasPrefix("!=") {
            return String(trimmed.dropFirst(not.count)).trimmingWhitespace
        }
        return language.wordLogic ? "not (\(trimmed))" : "!(\(trimmed))"
    }

    private static func wrap(
        _ line: SourceLine, from start: Int, to end: Int, language: Language, rejecting: Set<String>
    ) -> String? {
        let condition = String(line.chars[start..<end]).trimmingWhitespace
        guard !condition.isEmpty else { return nil }
        let firstWord = String(condition.prefix { $0.isIdentifierPart })
        guard !rejecting.contains(firstWord) else { return nil }
        let gap = line.chars[end] == ":" ? "" : " "
        return String(line.chars[..<start]) + " \(negated(condition, language))\(gap)" + String(line.chars[end...])
    }

    static func replaceReturn(_ line: SourceLine, language: Language) -> String? {
        guard let keyword = line.find("return", word: true) else { return nil }
        let code = line.code
        guard code.hasPrefix("return ") else { return nil }
        var expression = String(code.dropFirst("return ".count)).trimmingWhitespace
        let semicolon = expression.hasSuffix(";")
        if semicolon { expression.removeLast() }
        guard !expression.isEmpty, !expression.contains("\"_") else { return nil }
        let replacement: String
        if let value = Int(expression) {
            replacement = value == 0 ? "1" : "0"
        } else if let null = language.nullLiteral, expression != null,
            !["undefined", "nil", "None", "null"].contains(expression)
        {
            replacement = null
        } else {
            return nil
        }
        return String(line.chars[..<keyword]) + "return " + replacement + (semicolon ? ";" : "")
    }

    static func removeCall(_ line: SourceLine, language: Language) -> String? {
        var code = line.code
        if code.hasSuffix(";") { code.removeLast() }
        for prefix in ["try ", "await "] where code.hasPrefix(prefix) { code.removeFirst(prefix.count) }
        guard code.hasSuffix(")"), let open = code.firstIndex(of: "("), open > code.startIndex else { return nil }
        let head = code[..<open]
        guard head.allSatisfy({ $0.isIdentifierPart || $0 == "." || $0 == "?" || $0 == "!" }),
            let firstWord = head.split(separator: ".").first, !statementKeywords.contains(String(firstWord)),
            !topLevelAssignment(code)
        else { return nil }
        return line.indentation + language.emptyStatement
    }

    private static func topLevelAssignment(_ code: String) -> Bool {
        var depth = 0
        for char in code {
            if char == "(" || char == "[" || char == "{" { depth += 1 }
            if char == ")" || char == "]" || char == "}" { depth -= 1 }
            if char == "=" && depth == 0 { return true }
        }
        return false
    }

    private static func firstCode(_ line: SourceLine, from start: Int) -> Int? {
        (start..<line.chars.count).first { line.isCode[$0] && line.chars[$0] != " " && line.chars[$0] != "\t" }
    }

    private static func lastCodeWord(_ line: SourceLine, _ word: String) -> Int? {
        var found: Int? = nil
        var start = 0
        while let index = line.find(word, from: start, word: true) {
            found = index
            start = index + 1
        }
        return found
    }

    private static func lastCode(_ line: SourceLine, _ char: Character) -> Int? {
        line.chars.indices.last { line.isCode[$0] && line.chars[$0] == char }
    }
}
