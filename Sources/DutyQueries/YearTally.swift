package import DutyCalendar
package import DutyCore

/// How a node of the organisation stands this year: its occurrences by state and colour, and its
/// on-time figures counted as `report` counts them. What `dutyctl summary` shows and the
/// supervisors' board will.
package struct Tally: Codable, Sendable, Equatable {
    package var open = 0
    package var late = 0
    package var done = 0
    package var waived = 0
    package var red = 0
    package var yellow = 0
    package var blue = 0
    /// Done, or late: the base of the on-time rate, as `report` counts it (waived and still open ones
    /// left out).
    package var due = 0
    /// Done on or before the deadline day.
    package var onTime = 0
    /// Receipt (签收), for the obligations that ask for it, as `report` counts it: given by its day,
    /// after it, or not given and its day passed.
    package var receivedOnTime = 0
    package var receivedLate = 0
    package var receiptOverdue = 0

    package init() {}

    /// `onTime / due`; `nil` before any deadline of the year has passed.
    package var onTimeRate: Double? { due == 0 ? nil : Double(onTime) / Double(due) }

    /// Timely receipt (及时签收率): `receivedOnTime` out of the three; `nil` when none is counted.
    package var receiptRate: Double? {
        let asked = receivedOnTime + receivedLate + receiptOverdue
        return asked == 0 ? nil : Double(receivedOnTime) / Double(asked)
    }

    enum CodingKeys: String, CodingKey {
        case open, late, done, waived, red, yellow, blue, due
        case onTime = "on_time"
        case receivedOnTime = "received_on_time"
        case receivedLate = "received_late"
        case receiptOverdue = "receipt_overdue"
    }
}

/// Every unit's tally for one year at one moment, summed over subtrees in constant time: the
/// organisation is in tree order, so a subtree is a range and its tally a difference of two prefix
/// sums. Built once (a national year is some fifteen million occurrences: about a second) and good
/// for every question until the store changes or `validUntil`, the next moment an occurrence
/// changes state or colour.
package struct YearTally: Sendable {
    package let year: Int
    /// The tally is the same for every moment in `validFrom..<validUntil`.
    package let validFrom: Instant
    package let validUntil: Instant
    /// Per counter (the order of `Counter`), prefix sums over units: `[k][u]` sums units `0..<u`.
    private let prefix: [[Int32]]

    private enum Counter: Int, CaseIterable {
        case open, late, done, waived, red, yellow, blue, onTime, receivedOnTime, receivedLate, receiptOverdue
    }

    /// Unit `u` and everything below it.
    package func subtree(_ u: Int32, _ organisation: Organisation) -> Tally {
        range(Int(u), Int(organisation.subtreeEnd[Int(u)]))
    }

    /// The whole organisation.
    package var everything: Tally { range(0, prefix[0].count - 1) }

    private func range(_ lo: Int, _ hi: Int) -> Tally {
        func sum(_ c: Counter) -> Int { Int(prefix[c.rawValue][hi] - prefix[c.rawValue][lo]) }
        var t = Tally()
        t.open = sum(.open)
        t.late = sum(.late)
        t.done = sum(.done)
        t.waived = sum(.waived)
        t.red = sum(.red)
        t.yellow = sum(.yellow)
        t.blue = sum(.blue)
        t.due = t.done + t.late
        t.onTime = sum(.onTime)
        t.receivedOnTime = sum(.receivedOnTime)
        t.receivedLate = sum(.receivedLate)
        t.receiptOverdue = sum(.receiptOverdue)
        return t
    }

    /// Counts every occurrence whose deadline day is in the year of `at` (in the planner's zone), as it
    /// stands at `at`. Occurrences of officials count at their unit.
    package init(planner: Planner, records: DutyRecords, at: Instant) throws {
        let year = planner.zone.day(of: at).year
        guard let first = CivilDate(year: year, month: 1, day: 1), let last = CivilDate(year: year, month: 12, day: 31)
        else { throw QueryError("no year around \(at)") }
        let units = planner.organisation.units.count
        var counts = [[Int32]](repeating: [Int32](repeating: 0, count: units + 1), count: Counter.allCases.count)
        let plan = planner.plan(from: first, through: last, records: records)
        var from = Instant(microseconds: Int.min / 2)
        var until = Instant(microseconds: Int.max / 2)
        // When the tally changes: at a deadline (open → late, blue/yellow → red), at the yellow line,
        // at the first reminder. One look per deadline, not per subject.
        for o in plan.obligations {
            for set in o.sets {
                for t in set.timings where t.date >= first && t.date <= last {
                    var moments = [t.deadline, t.yellowFrom]
                    if let reminder = t.steps.first(where: { $0.kind == .reminder }) { moments.append(reminder.at) }
                    // Receipt: its day passing turns one awaited into one overdue.
                    if let due = t.receiptDue { moments.append(Instant(microseconds: due.microseconds + 1)) }
                    for m in moments {
                        // `state(at:)` is late once `at > deadline`: it changes just after it.
                        let change = m == t.deadline ? Instant(microseconds: m.microseconds + 1) : m
                        if change > at { until = min(until, change) } else { from = max(from, change) }
                    }
                }
            }
        }
        try StopSignal.throwIfStopped()
        plan.forEachOccurrence(deadlines: first, through: last) { o in
            let u = Int(planner.unitOf(subject: o.subject, obligation: o.obligation))
            guard u >= 0 else { return }
            func add(_ c: Counter) { counts[c.rawValue][u + 1] += 1 }
            switch o.state(at: at) {
            case .open: add(.open)
            case .late: add(.late)
            case .done: add(.done)
            case .waived: add(.waived)
            }
            switch o.colour(at: at) {
            case .red: add(.red)
            case .yellow: add(.yellow)
            case .blue: add(.blue)
            case nil: break
            }
            if let c = o.completion, c.on <= o.timing.date { add(.onTime) }
            if o.timing.receiptDue != nil, let (state, due) = planner.receiptState(o, at: at) {
                switch state {
                case .received: add(.receivedOnTime)
                case .receivedLate: add(.receivedLate)
                case .awaiting: if at > due { add(.receiptOverdue) }
                }
            }
        }
        try StopSignal.throwIfStopped()
        for k in counts.indices {
            for u in 0..<units { counts[k][u + 1] += counts[k][u] }
        }
        self.year = year
        self.validFrom = from
        self.validUntil = until
        self.prefix = counts
    }
}
