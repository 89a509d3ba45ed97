package import DutyCalendar
import DutyCore
import DutyNotify
import DutyStore

/// Everything a command can fail with, and its exit status. Messages go to standard error as
/// `dutyctl: …` (or `dutyd: …`) and say what to do next.
package struct Failure: Error {
    package var status: Int32
    package var message: String

    package static let runtime: Int32 = 1
    package static let usage: Int32 = 64
    package static let dataError: Int32 = 65
    package static let config: Int32 = 78

    package init(_ status: Int32, _ message: String) {
        self.status = status
        self.message = message
    }

    package init(_ error: CalendarError, expression: String? = nil) {
        var lines: [String] = []
        if let expression, let column = error.column, error.file == nil {
            lines.append(
                "invalid \(error.code == .invalidRule ? "recurrence rule" : "calendar expression") '\(expression)'"
            )
            lines.append("  \(expression)")
            let before = expression.prefix(max(0, column - 1))
            lines.append("  " + String(repeating: " ", count: displayWidth(before)) + "^")
        }
        lines.append(error.description)
        self.init(error.code == .unknownZone ? Failure.usage : Failure.dataError, lines.joined(separator: "\n"))
    }
}

extension Failure {
    /// The exit status and message of an error a command lets through (docs/design.md's exit statuses), or
    /// `nil` for errors that are not ours (argument-parser's own).
    package init?(translating error: any Error) {
        switch error {
        case let f as Failure: self = f
        case let e as CalendarError: self.init(Failure.dataError, "\(e)")
        case let e as ConfigError: self.init(Failure.config, "\(e)")
        case let e as TemplateError: self.init(Failure.config, "\(e)")
        case let e as CSVError: self.init(Failure.dataError, "\(e)")
        case let e as QueryError: self.init(Failure.dataError, "\(e)")
        case let e as StoreError: self.init(e.code == .unavailable ? Failure.runtime : Failure.dataError, "\(e)")
        case let e as PolicyError:
            // One problem a line, each with its place, then what to do.
            self.init(
                Failure.config,
                e.problems.map { "\($0)\n" }.joined()
                    + "the policy has \(e.problems.count) problem(s); fix them and run `dutyctl policy check`"
            )
        default: return nil
        }
    }
}
