import DutyCalendar
import DutyCore
import DutyOperations
import DutyQueries
import DutyStore
import DutyTestScoping
import Foundation
import Testing

/// `summary` counts from prefix sums over the tree; here against the occurrences counted one by one.
@Suite("Year tally and summary", .ownThreads)
struct SummaryTests {
    @Test("every unit's subtree tally equals its occurrences counted one by one, at moments across the year")
    func tallyAgreesWithOccurrences() throws {
        let (workspace, store) = try ExampleConfigurationTests.load()
        // Tracked from the start of the year, so deadlines have passed; some done on time, one late,
        // one waived.
        _ = try store.importUnits(
            try store.units().map { u in
                var u = u
                u.trackFrom = CivilDate(iso: "2026-01-01")
                return u
            },
            replace: true
        )
        let planner = try workspace.planner(store)
        let jan = Instant(iso: "2026-12-01T09:00:00+08:00")!
        var q = OccurrenceQuery(at: jan)
        q.states = [.late]
        let late = try planner.overdue(q, records: try store.records())
        #expect(late.count > 20)
        for (k, o) in late.prefix(12).enumerated() {
            let on = k == 0 ? o.timing.date.adding(days: 3) : o.timing.date
            try store.complete(Completion(occurrence: o.id, on: on, recordedAt: jan, by: "t"), repeatable: false)
        }
        try store.waive(Waiver(occurrence: late[12].id, reason: "合并", recordedAt: jan, by: "t"))
        // Receipts of this half year's unit situation reports: one on its day, one after it.
        var h2 = OccurrenceQuery(at: jan)
        h2.within = DutyDuration(60, .days)
        h2.obligations = ["unit-situation-report"]
        let asked = try planner.upcoming(h2, records: try store.records())
        #expect(asked.count > 2)
        for (k, o) in asked.prefix(2).enumerated() {
            let due = try #require(planner.receiptDue(o)).due
            let at = Instant(microseconds: due.microseconds + (k == 0 ? -3_600_000_000 : 3_600_000_000))
            try store.acknowledge(Receipt(occurrence: o.id, at: at, by: "t", how: "api"))
        }
        let records = try store.records()
        let first = CivilDate(iso: "2026-01-01")!
        let last = CivilDate(iso: "2026-12-31")!
        for at in ["2026-03-01T09:00:00+08:00", "2026-12-01T09:00:00+08:00", "2026-12-29T10:00:00+08:00"] {
            let at = Instant(iso: at)!
            let tally = try YearTally(planner: planner, records: records, at: at)
            #expect(tally.year == 2026 && tally.validFrom <= at && at < tally.validUntil)
            let org = planner.organisation
            for u in 0..<Int32(org.units.count) {
                var expected = Tally()
                planner.plan(from: first, through: last, records: records).forEachOccurrence(
                    deadlines: first,
                    through: last,
                    scope: Scope(unit: u, subtree: true)
                ) { o in
                    switch o.state(at: at) {
                    case .open: expected.open += 1
                    case .late: expected.late += 1
                    case .done: expected.done += 1
                    case .waived: expected.waived += 1
                    }
                    switch o.colour(at: at) {
                    case .red: expected.red += 1
                    case .yellow: expected.yellow += 1
                    case .blue: expected.blue += 1
                    case nil: break
                    }
                    // As `report` counts: done (on time or late) or late, waived and open left out.
                    if o.completion != nil || (o.waiver == nil && o.timing.deadline < at) { expected.due += 1 }
                    if let c = o.completion, c.on <= o.timing.date { expected.onTime += 1 }
                    if let (state, due) = planner.receiptState(o, at: at) {
                        switch state {
                        case .received: expected.receivedOnTime += 1
                        case .receivedLate: expected.receivedLate += 1
                        case .awaiting: if at > due { expected.receiptOverdue += 1 }
                        }
                    }
                }
                #expect(tally.subtree(u, org) == expected, "\(org.units[Int(u)].id) at \(at)")
            }
            // The same on-time figures as `report` for the same units at the same moment.
            for id in ["gd", "gd.gz", "gd.sz.xcb"] {
                var q = OccurrenceQuery(at: at)
                q.unit = id
                q.subtree = true
                let total = try planner.yearReport(2026, q, records: records).total
                let t = tally.subtree(try #require(org.index[id]), org)
                #expect(
                    t.onTime == total.on_time && t.due == total.on_time + total.late + total.overdue,
                    "\(id) at \(at)"
                )
                #expect(
                    t.receivedOnTime == total.received_on_time && t.receivedLate == total.received_late
                        && t.receiptOverdue == total.receipt_overdue,
                    "receipts of \(id) at \(at)"
                )
            }
            // The whole organisation is the sum of its top units.
            let roots = Workspace.roots(org)
            #expect(roots.map { tally.subtree($0, org).done }.reduce(0, +) == tally.everything.done)
            if at > Instant(iso: "2026-12-01T09:00:00+08:00")! {
                // By December the two receipts count, one on its day and one late, and the rest are overdue.
                let all = tally.everything
                #expect(all.receivedOnTime >= 1 && all.receivedLate >= 1 && all.receiptOverdue > 0, "\(all)")
            }
        }
        // What summary shows: on time 11 of the 12 done (one was late), the waived one left out.
        var r = SummaryRequest()
        r.depth = 0
        let answer = try workspace.summary(r, planner: planner, now: Instant(iso: "2026-12-29T10:00:00+08:00")!) {
            try YearTally(planner: planner, records: records, at: $0)
        }
        #expect(answer.node.tally.done == 12 && answer.node.tally.waived == 1)
        #expect(answer.node.tally.onTime == 11)
        #expect(answer.node.children == nil && answer.node.units == planner.organisation.units.count)
        // 2026 is published (its last days look into 2027, which is not: the same warning as report's).
        #expect(!answer.warnings.contains { $0.contains("2026 holiday") })
        // A year whose holidays are not published says its counts are provisional, as report does.
        let later = try workspace.summary(r, planner: planner, now: Instant(iso: "2028-06-01T10:00:00+08:00")!) {
            try YearTally(planner: planner, records: records, at: $0)
        }
        #expect(later.year == 2028 && later.warnings.contains { $0.contains("2028") }, "\(later.warnings)")
    }

    @Test("a report counted a few units at a time gives the same lines as one counted at once")
    func reportInSlices() throws {
        let (workspace, store) = try ExampleConfigurationTests.load()
        let planner = try workspace.planner(store)
        let at = Instant(iso: "2027-03-01T09:00:00+08:00")!
        for (unit, subtree) in [(nil, false), ("gd.gz", true), ("gd.sz.xcb", false)] as [(String?, Bool)] {
            var q = OccurrenceQuery(at: at)
            q.unit = unit
            q.subtree = subtree
            var whole: [YearReport.Line] = []
            var sliced: [YearReport.Line] = []
            let one = try planner.eachYearReportLine(2026, q, records: try store.records()) { whole.append($0) }
            let many = try planner.eachYearReportLine(2026, q, records: try store.records(), slice: 3) {
                sliced.append($0)
            }
            #expect(whole == sliced && one == many && one.count == whole.count)
            #expect(whole.contains { !$0.obligation.isEmpty } && one.total.due > 0)
        }
    }
}
