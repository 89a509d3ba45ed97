package import DutyCalendar
import DutyCore
package import DutyFiles
import DutyNotify
package import DutyQueries
import DutyStore

/// The exit statuses of dutyd and dutyctl (sysexits(3), docs/design.md's exit statuses), and the HTTP
/// status the API answers each with. Every number lives here.
package enum ExitStatus: Int32, Sendable, CaseIterable {
    case success = 0
    /// A failure at run time: the store is unavailable, a delivery could not be set up.
    case runtime = 1
    /// Bad usage: a command line or a request that does not fit.
    case usage = 64
    /// Bad input data: a file or a value that is wrong (with its file, line and column).
    case dataError = 65
    /// The daemon is not there, starting, or busy.
    case unavailable = 69
    /// Not allowed.
    case noPermission = 77
    /// A configuration problem: settings, policy, templates.
    case config = 78

    /// What the API answers with this status.
    package var httpStatus: Int {
        switch self {
        case .success: 200
        case .usage: 400
        case .dataError: 422
        case .unavailable: 503
        case .noPermission: 403
        case .runtime, .config: 500
        }
    }
}

/// An error of ours: it knows its exit status (and so its HTTP status) and its message. Every error
/// type a command or a request can end with conforms (below); `Failure(translating:)` reads them all,
/// and the API server, the API client, dutyctl and dutyd map through it.
package protocol DutyError: Error, CustomStringConvertible {
    var exitStatus: ExitStatus { get }
    /// What the user reads, saying what to do next (with the file, line and column where there is
    /// one): `description` unless the type says more.
    var userMessage: String { get }
}

extension DutyError {
    package var userMessage: String { description }
}

/// Everything a command can fail with, and its exit status. Messages go to standard error as
/// `dutyctl: …` (or `dutyd: …`) and say what to do next.
package struct Failure: DutyError {
    package var status: ExitStatus
    package var message: String
    /// An HTTP status other than the exit status's own (413 for a body too large).
    package var httpOverride: Int?

    package init(_ status: ExitStatus, _ message: String, http: Int? = nil) {
        self.status = status
        self.message = message
        self.httpOverride = http
    }

    package var exitStatus: ExitStatus { status }
    package var httpStatus: Int { httpOverride ?? status.httpStatus }
    package var description: String { message }
    package var userMessage: String { message }

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
        // A zone named on the command line that does not exist is a usage mistake.
        self.init(error.code == .unknownZone ? .usage : .dataError, lines.joined(separator: "\n"))
    }
}

extension Failure {
    /// The exit status and message of an error a command lets through, or `nil` for errors that
    /// are not ours (argument-parser's own).
    package init?(translating error: any Error) {
        if let f = error as? Failure {
            self = f
        } else if let e = error as? any DutyError {
            self.init(e.exitStatus, e.userMessage)
        } else {
            return nil
        }
    }
}

extension CalendarError: DutyError {
    package var exitStatus: ExitStatus { .dataError }
}

extension ConfigError: DutyError {
    package var exitStatus: ExitStatus { .config }
}

extension TemplateError: DutyError {
    package var exitStatus: ExitStatus { .config }
}

extension CSVError: DutyError {
    package var exitStatus: ExitStatus { .dataError }
}

extension QueryError: DutyError {
    package var exitStatus: ExitStatus { .dataError }
}

extension StoreError: DutyError {
    package var exitStatus: ExitStatus {
        switch code {
        case .unavailable, .fenced: .runtime
        case .settings: .config
        case .notFound, .conflict, .damaged: .dataError
        }
    }
}

extension PolicyError: DutyError {
    package var exitStatus: ExitStatus { .config }
    /// One problem a line, each with its place, then what to do.
    package var userMessage: String {
        problems.map { "\($0)\n" }.joined()
            + "the policy has \(problems.count) problem(s); fix them and run `dutyctl policy check`"
    }
}
