/// The operators that rewrite a whole condition, return or statement.
extension LineMutator {
    private static let statementKeywords: Set<String> = [
        "return", "if", "while", "for", "let", "var", "const", "def", "func", "fn", "class", "struct", "guard",
        "switch", "case", "else", "import", "package", "use", "throw", "raise", "yield", "defer", "do", "catch",
        "try!", "public", "private", "static", "enum", "interface", "type", "new",
    ]

    static func negateCondition(_ line: SourceLine, language: Language) -> String? {
        guard let keyword = line.find("if", word: true) ?? line.find("while", word: true) else { return nil }
        let after = keyword + (line.chars[keyword] == "i" ? 2 : 5)
        switch language.conditions {
        case .parenthesized:
            guard let open = firstCode(line, from: after), line.chars[open] == "(",
                let close = line.matchingClose(from: open), close > open + 1
            else { return nil }
            let inner = String(line.chars[(open + 1)..<close])
            return line.replacing(at: open, length: close - open + 1, with: "(!(\(inner)))")
        case .braced:
            guard let brace = lastCode(line, "{"), brace > after else { return nil }
            return wrap(line, from: after, to: brace, prefix: "!(", suffix: ")", rejecting: ["let", "var", "case"])
        case .colon:
            guard let colon = lastCode(line, ":"), colon > after else { return nil }
            return wrap(line, from: after, to: colon, prefix: "not (", suffix: ")", rejecting: [])
        case .none:
            return nil
        }
    }

    private static func wrap(
        _ line: SourceLine, from start: Int, to end: Int, prefix: String, suffix: String, rejecting: Set<String>
    ) -> String? {
        let condition = String(line.chars[start..<end]).trimmingWhitespace
        guard !condition.isEmpty else { return nil }
        let firstWord = String(condition.prefix { $0.isIdentifierPart })
        guard !rejecting.contains(firstWord) else { return nil }
        let gap = line.chars[end] == ":" ? "" : " "
        return String(line.chars[..<start]) + " \(prefix)\(condition)\(suffix)\(gap)" + String(line.chars[end...])
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

    private static func lastCode(_ line: SourceLine, _ char: Character) -> Int? {
        line.chars.indices.last { line.isCode[$0] && line.chars[$0] == char }
    }
}
