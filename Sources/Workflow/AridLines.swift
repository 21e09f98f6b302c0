/// Lines whose mutants waste a reviewer's time, as Google's mutation testing suppresses them:
/// assertions, raised errors and their messages, coverage pragmas, logging and warnings,
/// `__repr__`-like bodies, module constants and type-only lines.
enum AridLines {
    /// The rule that makes a line arid, by name (the table tests read it), or nil.
    static func rule(_ text: String, language: Language) -> String? {
        let line = SourceLine(text, language: language)
        let code = line.code
        let lower = text.lowercased()
        if pragmas.contains(where: lower.contains) { return "pragma" }
        if assertions.contains(where: { code.hasPrefix($0) }) { return "assertion" }
        if raises.contains(where: { code.hasPrefix($0) }) { return "raise" }
        if logging.contains(where: { code.contains($0) }) { return "logging" }
        if typeOnly.contains(where: { code.hasPrefix($0) }) || isModuleConstant(code) { return "type-only" }
        // The code part ends before a trailing string: the message rule reads the whole line.
        if isMessage(text.trimmingWhitespace) { return "message" }
        return nil
    }

    static let pragmas = [
        "pragma: no cover", "pragma: no branch", "pragma: nocover", "istanbul ignore", "c8 ignore", "nocov",
        "coverage:ignore", "lcov_excl", "codecov:ignore",
    ]
    static let assertions = [
        "assert ", "assert(", "assert!", "assert_eq!", "assert_ne!", "debug_assert", "precondition(",
        "assertionFailure(", "preconditionFailure(", "fatalError(", "console.assert(", "Debug.Assert(",
    ]
    static let raises = ["raise ", "raise\t", "throw ", "throw(", "panic!(", "panic(", "unreachable!(", "todo!("]
    static let logging = [
        "warnings.warn(", "logging.", "logger.", "log.", "Log.", "LOG.", "console.", "print(", "println(",
        "printf(", "NSLog(", "os_log(", "fmt.Print", "debugPrint(", "System.out.", "System.err.", "println!",
        "eprintln!", "print!", "dbg!", "log::", "tracing::", "warn!(", "info!(", "debug!(", "error!(", "trace!(",
        "slog.", "Logger.", "self.log", "self.logger", "_log.", "_logger.",
    ]
    static let typeOnly = [
        "import ", "from ", "@overload", "@typing.overload", "if TYPE_CHECKING", "if typing.TYPE_CHECKING",
        "import type ", "export type ", "export interface ", "interface ", "type ", "typealias ", "using ",
        "#include", "package ", "use ", "__all__", "__version__", "__author__",
    ]

    /// `TYPE_CHECKING = False`, `DEBUG = True`, `MAX = 10` at the start of a line: a module's
    /// constant, which tests rarely pin and reviewers never want flipped.
    static func isModuleConstant(_ code: String) -> Bool {
        guard let equals = code.firstIndex(of: "="), code.first?.isUppercase == true else { return false }
        let name = String(code[..<equals]).trimmingWhitespace
        let after = code[code.index(after: equals)...]
        guard !after.hasPrefix("=") else { return false }
        return !name.isEmpty && name.allSatisfy { $0.isUppercase || $0.isNumber || $0 == "_" }
    }

    /// A line that only builds an error's message: a string literal alone (a message continued
    /// over lines), or assigned to a `msg`/`message`/`error` name.
    static func isMessage(_ code: String) -> Bool {
        let stripped = code.drop { "rfbuRFBU".contains($0) }
        if let first = stripped.first, first == "\"" || first == "'",
            let last = code.trimmingCharacters(in: ",)+ ").last, last == "\"" || last == "'"
        {
            return true
        }
        guard let equals = code.firstIndex(of: "=") else { return false }
        let name = String(code[..<equals]).trimmingWhitespace.lowercased()
        let value = String(code[code.index(after: equals)...]).trimmingWhitespace.drop { "rfbuRFBU".contains($0) }
        let named = ["msg", "message", "error", "err", "reason", "detail"].contains { name.hasSuffix($0) }
        return named && (value.first == "\"" || value.first == "'")
    }

    /// Definitions whose bodies only describe a value: `__repr__`, `__str__`, `description`,
    /// `toString`, `String()`, `fmt`.
    static func opensDescription(_ code: String) -> Bool {
        let markers = [
            "def __repr__", "def __str__", "def __format__", "var description", "var debugDescription",
            "toString()", "func (", "fn fmt(",
        ]
        return markers.contains { code.contains($0) } && (!code.contains("func (") || code.contains(") String()"))
    }
}

extension String {
    func trimmingCharacters(in set: String) -> String {
        var text = Substring(self)
        while let last = text.last, set.contains(last) { text.removeLast() }
        return String(text)
    }
}
