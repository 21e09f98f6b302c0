// Compiled beside main.swift with a planner from before files carried their text.
extension ChangedFile {
    mutating func setSource(_ text: String?) {}
}
