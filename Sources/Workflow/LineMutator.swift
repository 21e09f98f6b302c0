/// Applies the first mutation operator that fits a line. Pure and deterministic.
enum LineMutator {
    /// The operator used and the mutated line, or nil when no operator applies.
    static func mutate(_ text: String, language: Language) -> (MutationOperator, String)? {
        let line = SourceLine(text, language: language)
        for op in MutationOperator.allCases {
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
            swapFirst(line, [("true", "false"), ("false", "true"), ("True", "False"), ("False", "True")], word: true)
        case .compoundAssignment: swapFirst(line, [("+=", "-="), ("-=", "+="), ("*=", "/="), ("/=", "*=")])
        case .increment: language.hashComments ? nil : swapFirst(line, [("++", "--"), ("--", "++")])
        case .arithmetic:
            swapFirst(line, [(" + ", " - "), (" - ", " + "), (" * ", " / "), (" / ", " * "), (" % ", " * ")])
        case .returnValue: replaceReturn(line, language: language)
        case .removedCall: removeCall(line, language: language)
        }
    }

    /// Replaces the earliest occurrence of any `from` token with its `to`.
    /// `isolated` rejects a match that touches that character on either side (so `==` is not part of `===`).
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
                if best == nil || index < best!.index { best = (index, from, to) }
                break
            }
        }
        guard let best else { return nil }
        return line.replacing(at: best.index, length: best.from.count, with: best.to)
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
