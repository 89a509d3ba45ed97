package import DutyCalendar
package import DutyCore
import DutyFiles
package import DutyQueries
import DutyStore
import Foundation

// `report --year` and `calendar export --ics`: the requests as the options were typed, their answers, and the
// functions both front ends call (direct mode on the files, dutyd for its API).

/// `report --year`.
package struct ReportRequest: Codable, Sendable {
    package var year: Int
    package var unit: String?
    @Default<False> package var subtree: Bool
    package var at: String?

    package init(year: Int) { self.year = year }
}

package struct ReportAnswer: Codable, Sendable {
    package var report: YearReport
    package var warnings: [String]
}

/// What follows the lines of a streamed report (the API's last JSON line, under `end`).
package struct ReportEnding: Codable, Sendable, Equatable {
    package var year: Int
    package var at: String
    package var total: YearReport.Line
    package var count: Int
    package var warnings: [String]
}

/// `calendar export --ics`.
package struct CalendarRequest: Codable, Sendable {
    @Default<AllOccurrences> package var filters: OccurrencesRequest
    @Default<False> package var todo: Bool
    package var official: String?
    package var since: String?

    package init() {}
}

package struct CalendarAnswer: Codable, Sendable {
    package var ics: String
    package var warnings: [String]
}

/// A piece of a streamed calendar: its header, one event (or to-do), or its footer. The pieces in
/// order are the calendar's text.
package struct CalendarPiece: Codable, Sendable, Equatable, PlainTextRow {
    package var ics: String
    package var plainText: String { ics }
}

/// What follows the pieces of a streamed calendar: how many events, and the warnings.
package struct CalendarEnding: Codable, Sendable, Equatable {
    package var count: Int
    package var warnings: [String]
}

/// A row that is text of its own, written as it is where the answer is not JSON (the `.ics` feed).
package protocol PlainTextRow {
    var plainText: String { get }
}

extension Workspace {
    /// `report --year`: the lines to `emit` as they are counted (unit by unit, each unit's total first),
    /// then the year, the moment, the total and the warnings.
    package func report(
        _ r: ReportRequest,
        planner: Planner,
        records: DutyRecords,
        now: Instant,
        _ emit: (YearReport.Line) throws -> Void
    ) throws -> ReportEnding {
        guard (1970...9999).contains(r.year) else {
            throw Failure(ExitStatus.usage, "--year \(r.year): expected a year such as 2026")
        }
        var q = OccurrenceQuery(
            at: try r.at.map { try parseInstant($0, zone: settings.timezone, option: "--at") } ?? now
        )
        q.unit = r.unit
        q.subtree = r.subtree
        let end = try planner.eachYearReportLine(r.year, q, records: records, emit)
        return ReportEnding(
            year: end.year,
            at: end.at,
            total: end.total,
            count: end.count,
            warnings: workdays.unpublishedWarnings([
                CivilDate(year: r.year, month: 1, day: 1)!, CivilDate(year: r.year, month: 12, day: 31)!,
            ])
        )
    }

    /// `calendar export --ics`: from `--since` (default 90 days back) through `--within` (default 400
    /// days) ahead, the calendar to `emit` piece by piece as it is made.
    package func calendar(
        _ r: CalendarRequest,
        planner: Planner,
        records: DutyRecords,
        now: Instant,
        _ emit: (CalendarPiece) throws -> Void
    ) throws -> CalendarEnding {
        var q = try r.filters.query(zone: settings.timezone, now: now)
        if r.filters.within == nil { q.within = DutyDuration(400, .days) }
        let today = settings.timezone.day(of: q.at)
        let from = try r.since.map { try parseDate($0, option: "--since") } ?? today.adding(days: -90)
        guard from >= today.adding(days: -OccurrenceQuery.maximumDays) else {
            throw Failure(
                ExitStatus.usage,
                "--since \(from) is more than \(OccurrenceQuery.maximumDays) days (five years) back; export "
                    + "from a later day"
            )
        }
        var e = ICSExport(from: from, through: q.within.after(today, workdays: planner.workdays).date)
        e.todo = r.todo
        e.official = r.official
        let count = try planner.eachICSPiece(e, q, records: records, stamp: now) { try emit(CalendarPiece(ics: $0)) }
        return CalendarEnding(count: count, warnings: workdays.unpublishedWarnings([e.from, e.through]))
    }
}

/// `report --year`.
package enum Report: RowsOperation {
    package typealias Request = ReportRequest
    package typealias Answer = ReportAnswer
    package static let route = "report"
    package static let access = Access.read
    package static let command = ["report"]
    package static let rowsKey = "lines"
    package static func rows(
        _ r: ReportRequest,
        _ c: OperationContext,
        _ emit: (YearReport.Line) throws -> Void
    ) throws -> ReportEnding {
        try c.workspace.report(r, planner: try c.planner(), records: try c.records(), now: c.now, emit)
    }
    package static func answer(rows: [YearReport.Line], ending: ReportEnding) -> ReportAnswer {
        ReportAnswer(
            report: YearReport(
                year: ending.year,
                at: ending.at,
                lines: rows.filter { !$0.obligation.isEmpty },
                units: rows.filter { $0.obligation.isEmpty },
                total: ending.total
            ),
            warnings: ending.warnings
        )
    }
}

/// `calendar export --ics`.
package enum CalendarExport: RowsOperation {
    package typealias Request = CalendarRequest
    package typealias Answer = CalendarAnswer
    package static let route = "calendar"
    package static let access = Access.read
    package static let command = ["calendar", "export"]
    package static let rowsKey = "pieces"
    package static func rows(
        _ r: CalendarRequest,
        _ c: OperationContext,
        _ emit: (CalendarPiece) throws -> Void
    ) throws -> CalendarEnding {
        try c.workspace.calendar(r, planner: try c.planner(), records: try c.records(), now: c.now, emit)
    }
    package static func answer(rows: [CalendarPiece], ending: CalendarEnding) -> CalendarAnswer {
        CalendarAnswer(ics: rows.map(\.ics).joined(), warnings: ending.warnings)
    }
}
