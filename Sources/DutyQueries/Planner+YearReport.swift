package import DutyCalendar
package import DutyCore

extension Planner {
    /// The report of `year` for the units in `q`'s scope (`--unit`, `--subtree`), as things stand at
    /// `q.at`, as one value.
    package func yearReport(_ year: Int, _ q: OccurrenceQuery, records: DutyRecords) throws -> YearReport {
        var lines: [YearReport.Line] = []
        var units: [YearReport.Line] = []
        let end = try eachYearReportLine(year, q, records: records) {
            if $0.obligation.isEmpty { units.append($0) } else { lines.append($0) }
        }
        return YearReport(year: year, at: end.at, lines: lines, units: units, total: end.total)
    }

    /// Units in one slice of a report: their lines are counted together, then handed on.
    package static let reportSlice: Int32 = 20_000

    /// The report's lines to `emit` as they are counted: unit by unit in tree order, each unit's total
    /// (obligation empty) and then its line per obligation. The organisation is counted a slice of
    /// units at a time, so a national report holds one slice's lines, not a million units'.
    package func eachYearReportLine(
        _ year: Int,
        _ q: OccurrenceQuery,
        records: DutyRecords,
        slice: Int32 = Planner.reportSlice,
        _ emit: (YearReport.Line) throws -> Void
    ) throws -> YearReportEnding {
        guard let first = CivilDate(year: year, month: 1, day: 1), let last = CivilDate(year: year, month: 12, day: 31),
            (1970...9999).contains(year)
        else { throw QueryError("--year \(year): expected a year such as 2026") }
        var end = try eachReportLine(deadlines: first, through: last, q, records: records, slice: slice, emit)
        end.year = year
        return end
    }

    /// The same for the deadlines from `first` through `last` (a half year for the bulletin).
    package func eachReportLine(
        deadlines first: CivilDate,
        through last: CivilDate,
        _ q: OccurrenceQuery,
        records: DutyRecords,
        slice: Int32 = Planner.reportSlice,
        _ emit: (YearReport.Line) throws -> Void
    ) throws -> YearReportEnding {
        let year = first.year
        let asked = try scope(q)
        let range = asked.bounds(in: organisation) ?? 0..<Int32(organisation.units.count)
        let plan = plan(from: first, through: last, records: records)
        var total = YearReport.Line(unit: "", unit_name: "", obligation: "", title: "", article: "")
        var count = 0
        var lo = range.lowerBound
        while lo < range.upperBound {
            let hi = min(range.upperBound, lo + max(1, slice))
            var slice = asked
            (slice.unit, slice.subtree, slice.units) = (nil, false, lo..<hi)
            var cells: [Int32: [Int: YearReport.Line]] = [:]
            plan.forEachOccurrence(deadlines: first, through: last, scope: slice) { occurrence in
                let u = unitOf(subject: occurrence.subject, obligation: occurrence.obligation)
                guard u >= 0 else { return }
                let ob = policy.obligations[occurrence.obligation]
                let unit = organisation.units[Int(u)]
                var line =
                    cells[u]?[occurrence.obligation]
                    ?? YearReport.Line(
                        unit: unit.id,
                        unit_name: unit.name,
                        obligation: ob.id,
                        title: ob.title,
                        article: ob.article
                    )
                line.due += 1
                if occurrence.timing.extensionGranted != nil { line.extended += 1 }
                if let c = occurrence.completion {
                    let days = c.on.daysSinceEpoch - occurrence.timing.date.daysSinceEpoch
                    if days <= 0 {
                        line.on_time += 1
                    } else {
                        line.late += 1
                        line.late_days_max = max(line.late_days_max, days)
                        line.late_days_total += days
                    }
                } else if occurrence.waiver != nil {
                    line.waived += 1
                } else if q.at > occurrence.timing.deadline {
                    line.overdue += 1
                } else {
                    line.open += 1
                }
                if let (state, due) = receiptState(occurrence, at: q.at) {
                    switch state {
                    case .received: line.received_on_time += 1
                    case .receivedLate: line.received_late += 1
                    case .awaiting: if q.at > due { line.receipt_overdue += 1 }
                    }
                }
                cells[u, default: [:]][occurrence.obligation] = line
            }
            try StopSignal.throwIfStopped()
            for u in cells.keys.sorted() {
                let unit = organisation.units[Int(u)]
                var sum = YearReport.Line(unit: unit.id, unit_name: unit.name, obligation: "", title: "", article: "")
                var lines: [YearReport.Line] = []
                for o in cells[u]!.keys.sorted() {
                    var line = cells[u]![o]!
                    line.finish()
                    lines.append(line)
                    sum.add(line)
                }
                total.add(sum)
                sum.finish()
                try emit(sum)
                for line in lines { try emit(line) }
                count += 1 + lines.count
            }
            lo = hi
        }
        total.finish()
        return YearReportEnding(year: year, at: q.at.format(in: zone), total: total, count: count)
    }
}
