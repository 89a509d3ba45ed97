import DutyCalendar

/// A mistake in a policy, with where it was written when the reader knows.
///
/// The policy reader (DutyService) fills `file`, `line` and `column`; the core only knows the message
/// and the path of the key it concerns (`obligation.semiannual-report.schedule`).
package struct PolicyProblem: Error, Sendable, Hashable, CustomStringConvertible {
    package var message: String
    /// The dotted key the problem is about, for locating it in the file.
    package var key: String?
    package var file: String?
    package var line: Int?
    package var column: Int?

    package init(_ message: String, key: String? = nil, file: String? = nil, line: Int? = nil, column: Int? = nil) {
        self.message = message
        self.key = key
        self.file = file
        self.line = line
        self.column = column
    }

    package var description: String { placed(message, file: file, line: line, column: column) }
}
