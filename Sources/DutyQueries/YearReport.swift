import DutyCalendar
import DutyCore

/// `dutyctl report --year`: per unit and obligation, how the deadlines of a year went — the figures a
/// yearly assessment asks for (第八条, 第十一条). A deadline counts in the year its deadline day falls
/// in, once the unit is tracked.
package struct YearReport: Sendable, Codable {
    /// One unit and obligation, or a unit's total (`obligation` empty), or everything (`unit` empty).
    package struct Line: Sendable, Codable, Equatable {
        package var unit: String
        package var unit_name: String
        package var obligation: String
        package var title: String
        package var article: String
        /// Deadlines in the year.
        package var due = 0
        /// Done on or before the deadline day.
        package var on_time = 0
        /// Done after it; by how many days at most and in all.
        package var late = 0
        package var late_days_max = 0
        package var late_days_total = 0
        package var waived = 0
        /// Past the deadline and not done.
        package var overdue = 0
        /// Deadline still ahead, not done.
        package var open = 0
        /// On time out of those done or overdue (waived and open left out); `nil` when there are none.
        package var on_time_rate: Double?
        /// Receipt (签收), for the obligations that ask for it: given by its day, after it, or not
        /// given and its day passed.
        package var received_on_time = 0
        package var received_late = 0
        package var receipt_overdue = 0
        /// Timely receipt (及时签收率): on time out of those three; `nil` when there are none.
        package var receipt_rate: Double?
        /// Deadlines an approved extension (延期) moved: counted by the new day (on time if done by it),
        /// and here.
        package var extended = 0

        mutating func add(_ o: Line) {
            due += o.due
            on_time += o.on_time
            late += o.late
            late_days_max = max(late_days_max, o.late_days_max)
            late_days_total += o.late_days_total
            waived += o.waived
            overdue += o.overdue
            open += o.open
            received_on_time += o.received_on_time
            received_late += o.received_late
            receipt_overdue += o.receipt_overdue
            extended += o.extended
        }

        mutating func finish() {
            let counted = on_time + late + overdue
            on_time_rate = counted == 0 ? nil : (Double(on_time) / Double(counted) * 1000).rounded() / 1000
            let asked = received_on_time + received_late + receipt_overdue
            receipt_rate = asked == 0 ? nil : (Double(received_on_time) / Double(asked) * 1000).rounded() / 1000
        }
    }

    package var year: Int
    /// The moment "overdue" and "open" are reckoned at.
    package var at: String
    /// Per unit and obligation, in tree order then policy order.
    package var lines: [Line]
    /// Per unit.
    package var units: [Line]
    package var total: Line

    package init(year: Int, at: String, lines: [Line], units: [Line], total: Line) {
        (self.year, self.at, self.lines, self.units, self.total) = (year, at, lines, units, total)
    }
}

/// What follows the lines of a streamed report: the year, the moment, the total and how many lines.
package struct YearReportEnding: Codable, Sendable, Equatable {
    package var year: Int
    package var at: String
    package var total: YearReport.Line
    package var count: Int
}
