// Compiled beside main.swift with this commit's planner. As in production (the file list
// effect), a file's text is given only when its patch cannot tell where a hunk starts.
extension ChangedFile {
    mutating func setSource(_ text: String?) {
        if MutantPlanner.needsSource(self) { source = text }
    }
}
