/// One line of source with its code part told apart from string literals and trailing comments,
/// so mutations never touch text inside a string or a comment.
struct SourceLine {
    let chars: [Character]
    /// `true` where the character is code, `false` inside a string literal or a trailing comment.
    let isCode: [Bool]

    init(_ text: String, language: Language) {
        chars = Array(text)
        var mask = [Bool](repeating: true, count: chars.count)
        var quote: Character? = nil
        var index = 0
        while index < chars.count {
            let char = chars[index]
            if let open = quote {
                mask[index] = false
                if char == "\\" {
                    if index + 1 < chars.count { mask[index + 1] = false }
                    index += 2
                    continue
                }
                if char == open { quote = nil }
            } else if char == "\"" || char == "'" || char == "`" {
                quote = char
                mask[index] = false
            } else if Self.startsComment(chars, at: index, language: language) {
                for rest in index..<chars.count { mask[rest] = false }
                break
            }
            index += 1
        }
        isCode = mask
    }

    private static func startsComment(_ chars: [Character], at index: Int, language: Language) -> Bool {
        if language.hashComments { return chars[index] == "#" }
        return chars[index] == "/" && index + 1 < chars.count && (chars[index + 1] == "/" || chars[index + 1] == "*")
    }

    var text: String { String(chars) }

    /// The leading white space.
    var indentation: String { String(chars.prefix { $0 == " " || $0 == "\t" }) }

    /// The code part, trimmed: the line without its trailing comment.
    var code: String {
        let kept = zip(chars, isCode).map { $0.1 ? $0.0 : ($0.0 == "\"" || $0.0 == "'" ? $0.0 : "_") }
        let end = isCode.lastIndex(of: true).map { $0 + 1 } ?? 0
        return String(kept.prefix(end)).trimmingWhitespace
    }

    /// The first position at or after `start` where `token` stands entirely in code.
    /// With `word`, the characters either side must not be letters, digits or `_`.
    func find(_ token: String, from start: Int = 0, word: Bool = false) -> Int? {
        let needle = Array(token)
        guard !needle.isEmpty, chars.count >= needle.count, start <= chars.count - needle.count else { return nil }
        for index in start...(chars.count - needle.count) where matches(needle, at: index, word: word) {
            return index
        }
        return nil
    }

    private func matches(_ needle: [Character], at index: Int, word: Bool) -> Bool {
        for offset in 0..<needle.count where chars[index + offset] != needle[offset] || !isCode[index + offset] {
            return false
        }
        guard word else { return true }
        let before = index > 0 ? chars[index - 1] : " "
        let after = index + needle.count < chars.count ? chars[index + needle.count] : " "
        return !before.isIdentifierPart && !after.isIdentifierPart
    }

    /// The line with `length` characters at `index` replaced by `replacement`.
    func replacing(at index: Int, length: Int, with replacement: String) -> String {
        String(chars[..<index]) + replacement + String(chars[(index + length)...])
    }

    /// The index of the bracket that closes the one at `open`, counting only code.
    func matchingClose(from open: Int) -> Int? {
        let opening = chars[open]
        let closing: Character = opening == "(" ? ")" : opening == "[" ? "]" : "}"
        var depth = 0
        for index in open..<chars.count where isCode[index] {
            if chars[index] == opening { depth += 1 }
            if chars[index] == closing {
                depth -= 1
                if depth == 0 { return index }
            }
        }
        return nil
    }
}

extension Character {
    var isIdentifierPart: Bool { isLetter || isNumber || self == "_" || self == "$" }
}

extension String {
    var trimmingWhitespace: String {
        let scalars = Substring(self).drop { $0 == " " || $0 == "\t" }
        var end = scalars.endIndex
        while end > scalars.startIndex,
            scalars[scalars.index(before: end)] == " " || scalars[scalars.index(before: end)] == "\t"
        {
            end = scalars.index(before: end)
        }
        return String(scalars[scalars.startIndex..<end])
    }
}
