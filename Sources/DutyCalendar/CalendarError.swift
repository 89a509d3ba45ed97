/// What went wrong reading calendar input: a code that scripts can rely on, what was expected, and
/// where (`file:line:column`, or just the column of a one-line expression).
///
/// ```
/// column 4: month 13 is out of range; expected 1..12
/// config/holidays/cn/2027.json:3:12: expected a date YYYY-MM-DD
/// ```
package struct CalendarError: Error, Hashable, Sendable, CustomStringConvertible {
    package enum Code: String, Sendable {
        /// A systemd calendar expression that systemd would reject.
        case invalidExpression = "invalid-expression"
        /// An expression systemd accepts but cannot compute (its loop breaker gives up).
        case noElapse = "no-elapse"
        /// An RFC 5545 recurrence rule or start that is malformed or that RFC 5545 forbids.
        case invalidRule = "invalid-rule"
        /// A duration such as `7d` or `5wd` that does not parse.
        case invalidDuration = "invalid-duration"
        /// A word that is none of the allowed ones, such as a shift rule other than `none`,
        /// `previous-workday` or `next-workday`.
        case invalidValue = "invalid-value"
        /// A time-zone name the zone database does not know.
        case unknownZone = "unknown-zone"
        /// A date or instant that does not parse.
        case invalidDate = "invalid-date"
        /// A holiday file (JSON or ICS) that does not parse or contradicts itself.
        case invalidHolidayData = "invalid-holiday-data"
    }

    package var code: Code
    /// What was expected, in words, without the location.
    package var message: String
    /// The file, when the input came from one.
    package var file: String?
    package var line: Int?
    /// 1-based, counted in characters.
    package var column: Int?

    package init(_ code: Code, _ message: String, file: String? = nil, line: Int? = nil, column: Int? = nil) {
        self.code = code
        self.message = message
        self.file = file
        self.line = line
        self.column = column
    }

    package var description: String { placed(message, file: file, line: line, column: column) }
}

/// What someone typed or wrote, as an error message quotes it: its first 60 characters and `…`, so a
/// megabyte-long field is named by its start, not printed whole.
package func shown(_ text: some StringProtocol, limit: Int = 60) -> String {
    text.count > limit ? String(text.prefix(limit)) + "…" : String(text)
}

/// A message with where it applies, as every dutyd error prints it: `file:line:column: message`, or
/// `line 3, column 7: message` when there is no file.
package func placed(_ message: String, file: String?, line: Int?, column: Int?) -> String {
    var place = ""
    if let file {
        place = file
        if let line { place += ":\(line)" }
        if let column { place += ":\(column)" }
        place += ": "
    } else if let line {
        place = "line \(line)" + (column.map { ", column \($0)" } ?? "") + ": "
    } else if let column {
        place = "column \(column): "
    }
    return place + message
}
