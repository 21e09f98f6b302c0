/// Applies the first mutation operator that fits a line. Pure and deterministic.
enum LineMutator {
    /// Operators that rewrite a whole condition or statement: only on a line that stands alone.
    static let statementLevel: Set<MutationOperator> = [.negatedCondition, .returnValue, .removedCall]

    /// The operator used and the mutated line, or nil when no operator applies.
    /// - Parameter statements: whether statement-level rewrites may apply (the line is not inside
    ///   brackets and opens or closes none).
    static func mutate(_ text: String, language: Language, statements: Bool = true) -> (MutationOperator, String)? {
        let line = SourceLine(text, language: language)
        for op in MutationOperator.allCases where statements || !statementLevel.contains(op) {
            if let replacement = apply(op, to: line, language: language), replacement != text {
                return (op, replacement)
            }
        }
        return nil
    }

    static func apply(_ op: MutationOperator, to line: SourceLine, language: Language) -> String? {
        switch op {
        case .negatedCondition: negateCondition(line, language: language)
        case .equality: swapFirst(line, [("===", "!=="), ("!==", "==="), ("==", "!="), ("!=", "==")], isolated: "=")
        case .relational: swapFirst(line, [(" <= ", " < "), (" >= ", " > "), (" < ", " <= "), (" > ", " >= ")])
        case .logical: swapLogic(line, language: language)
        case .booleanLiteral:
            language.capitalizedBooleans
                ? swapFirst(line, [("True", "False"), ("False", "True")], word: true)
                : swapFirst(line, [("true", "false"), ("false", "true")], word: true)
        case .compoundAssignment: swapFirst(line, [("+=", "-="), ("-=", "+="), ("*=", "/="), ("/=", "*=")])
        case .increment: language.hashComments ? nil : swapFirst(line, [("++", "--"), ("--", "++")])
        case .arithmetic:
            swapFirst(line, [(" + ", " - "), (" - ", " + "), (" * ", " / "), (" / ", " * "), (" % ", " * ")])
        case .returnValue: replaceReturn(line, language: language)
        case .removedCall: removeCall(line, language: language)
        }
    }

    /// Replaces the earliest occurrence of any `from` token with its `to`, as a whole token: an
    /// operator touching another operator character (`//=`, `**=`, `->`, `=>`, `===`) is part of a
    /// longer one and is left alone.
    private static func swapFirst(
        _ line: SourceLine, _ pairs: [(String, String)], word: Bool = false, isolated: Character? = nil
    ) -> String? {
        var best: (index: Int, from: String, to: String)? = nil
        for (from, to) in pairs {
            var start = 0
            while let index = line.find(from, from: start, word: word) {
                if let isolated, touches(line, index, from.count, isolated) {
                    start = index + 1
                    continue
                }
                if !word, partOfLongerOperator(line, index, from) {
                    start = index + 1
                    continue
                }
                if best == nil || index < best!.index { best = (index, from, to) }
                break
            }
        }
        guard let best else { return nil }
        return line.replacing(at: best.index, length: best.from.count, with: best.to)
    }

    static let operatorCharacters: Set<Character> = [
        "=", "<", ">", "!", "+", "-", "*", "/", "%", "&", "|", "^", "~", "?",
    ]

    /// Whether the token's first or last character (spaces aside) touches another operator
    /// character.
    private static func partOfLongerOperator(_ line: SourceLine, _ index: Int, _ token: String) -> Bool {
        let core = token.trimmingWhitespace
        let lead = token.prefix { $0 == " " }.count
        let start = index + lead
        let end = start + core.count
        let before = start > 0 ? line.chars[start - 1] : " "
        let after = end < line.chars.count ? line.chars[end] : " "
        return operatorCharacters.contains(before) || operatorCharacters.contains(after)
    }

    private static func touches(_ line: SourceLine, _ index: Int, _ length: Int, _ char: Character) -> Bool {
        (index > 0 && line.chars[index - 1] == char)
            || (index + length < line.chars.count && line.chars[index + length] == char)
    }

    private static func swapLogic(_ line: SourceLine, language: Language) -> String? {
        var pairs = [("&&", "||"), ("||", "&&")]
        if language.wordLogic { pairs += [(" and ", " or "), (" or ", " and ")] }
        return swapFirst(line, pairs)
    }
}
