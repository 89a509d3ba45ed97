package import DutyCalendar

/// Which occurrences a query wants.
package struct Scope: Sendable {
    /// Only these obligations (indices); `nil` for all.
    package var obligations: Set<Int>?
    /// Only subjects in this unit (officials: whose unit is this one).
    package var unit: Int32?
    /// With `unit`: the whole subtree below it too.
    package var subtree = false
    /// Without `unit`: only subjects in these units (a run of units in tree order; a long report
    /// walks the organisation a slice at a time).
    package var units: Range<Int32>?

    package init(obligations: Set<Int>? = nil, unit: Int32? = nil, subtree: Bool = false) {
        self.obligations = obligations
        self.unit = unit
        self.subtree = subtree
    }

    package static let everything = Scope()

    /// The units in scope as one run in tree order (a unit, its subtree, or `units`); `nil` for all.
    package func bounds(in organisation: Organisation) -> Range<Int32>? {
        if let unit { return unit..<(subtree ? organisation.subtreeEnd[Int(unit)] : unit + 1) }
        return units
    }
}

extension Plan {
    /// Calls `body` with every subject of a set in scope, ascending.
    @inline(__always)
    private func forEachMember(_ set: ScheduleSet, obligation o: Int, scope: Scope, _ body: (Int32) -> Void) {
        if !set.excluded.isEmpty {
            // Rare: a few subjects with an extension have a set of their own.
            var plain = set
            plain.excluded = []
            forEachMember(plain, obligation: o, scope: scope) { s in
                if !set.excluded.sortedContains(s) { body(s) }
            }
            return
        }
        let officials = planner.subjectIsOfficial[o]
        let list: [Int32]
        switch set.members {
        case .all: list = planner.subjects(of: o)
        case .some(let l): list = l
        }
        guard let bounds = scope.bounds(in: planner.organisation) else {
            for s in list { body(s) }
            return
        }
        let (root, end) = (bounds.lowerBound, bounds.upperBound)
        if officials {
            let unitOf = planner.organisation.officialUnit
            for s in list {
                let u = unitOf[Int(s)]
                if u >= root && u < end { body(s) }
            }
        } else {
            // Unit subjects are in tree order: the subtree is one slice.
            var lo = list.lowerBound(root)
            while lo < list.count && list[lo] < end {
                body(list[lo])
                lo += 1
            }
        }
    }

    /// Every tracked occurrence in scope whose deadline day is from `from` through `through`, with
    /// what was recorded for it, in no particular order. Ends early, with some left out, when the
    /// `StopSignal` it runs under is stopped (its caller then throws the answer away).
    package func forEachOccurrence(
        deadlines from: CivilDate,
        through: CivilDate,
        scope: Scope = .everything,
        _ body: (Occurrence) -> Void
    ) {
        let stop = StopSignal.current
        for plan in obligations {
            let o = plan.obligation
            if let only = scope.obligations, !only.contains(o) { continue }
            let id = planner.policy.obligations[o].id
            let hasRecords = records.hasRecords(id)
            for set in plan.sets {
                for t in set.timings where t.date >= from && t.date <= through {
                    if stop?.isStopped == true { return }
                    let recs = hasRecords ? records.period(id, t) : nil
                    let day = Int32(t.date.daysSinceEpoch)
                    forEachMember(set, obligation: o, scope: scope) { subject in
                        guard day >= planner.trackStartDay(subject: subject, obligation: o) else { return }
                        let subjectID = planner.subjectID(subject, obligation: o)
                        let (c, w) = recs?.lookup(subjectID) ?? (nil, nil)
                        body(
                            Occurrence(
                                id: OccurrenceID(obligation: id, subject: subjectID, period: t.period),
                                obligation: o,
                                subject: subject,
                                timing: t,
                                completion: c,
                                waiver: w,
                                receipt: recs?.receipt(subjectID)
                            )
                        )
                    }
                }
            }
        }
    }

    /// Every step from `window.lowerBound` up to (not including) `window.upperBound` of every tracked
    /// occurrence in scope that is neither done nor waived, leaving out steps dated before the
    /// subject's tracking start: `body` gets the obligation, the subject, the deadline and the indices
    /// of its steps in the window. Nothing is built per subject, so a national plan costs a loop, not an
    /// allocation, per occurrence.
    ///
    /// A deadline whose record arrived at or after `arrivedSince` (an event recorded after its due
    /// day, a completion recorded late) has every step before `window.upperBound`: those before the
    /// window were never due while it did not exist, and the dispatcher collapses them into the latest.
    package func forEachDue(
        in window: Range<Instant>,
        arrivedSince: Instant? = nil,
        scope: Scope = .everything,
        _ body: (_ obligation: Int, _ subject: Int32, _ timing: Timing, _ steps: Range<Int>) -> Void
    ) {
        for plan in obligations {
            let o = plan.obligation
            if let only = scope.obligations, !only.contains(o) { continue }
            let id = planner.policy.obligations[o].id
            let hasRecords = records.hasRecords(id)
            for set in plan.sets {
                for t in set.timings {
                    let lower = t.arrived(since: arrivedSince) ? Instant(microseconds: Int.min / 2) : window.lowerBound
                    guard let first = t.steps.firstIndex(where: { $0.at >= lower }),
                        t.steps[first].at < window.upperBound
                    else { continue }
                    var last = first
                    while last < t.steps.count && t.steps[last].at < window.upperBound { last += 1 }
                    let recs = hasRecords ? records.period(id, t) : nil
                    let day = Int32(t.date.daysSinceEpoch)
                    let firstDay = Int32(t.steps[first].day.date.daysSinceEpoch)
                    // The urging notice is the window's last step: a subject that gave receipt skips it.
                    let urgingLast = t.steps[last - 1].kind == .urging
                    forEachMember(set, obligation: o, scope: scope) { subject in
                        let start = planner.trackStartDay(subject: subject, obligation: o)
                        guard day >= start else { return }
                        var upTo = last
                        if let recs, !recs.isEmpty {
                            let subjectID = planner.subjectID(subject, obligation: o)
                            let (c, w) = recs.lookup(subjectID)
                            if c != nil || w != nil { return }
                            if urgingLast, recs.receipt(subjectID) != nil {
                                upTo -= 1
                                if upTo == first { return }
                            }
                        }
                        // A step before the subject was tracked was never due: a unit added on the 29th
                        // gets no reminder dated the 20th.
                        var from = first
                        if firstDay < start {
                            while from < upTo && t.steps[from].day.date.daysSinceEpoch < Int(start) { from += 1 }
                            if from == upTo { return }
                        }
                        body(o, subject, t, from..<upTo)
                    }
                }
            }
        }
    }

    /// The occurrence with this id, if its deadline is in the plan.
    package func occurrence(_ id: OccurrenceID) -> Occurrence? {
        guard let o = planner.obligationNumber(id.obligation),
            let s = planner.subjectNumber(id.subject, obligation: o),
            let k = obligations[o].set(of: s, planner: planner),
            let t = obligations[o].sets[k].timings.first(where: { $0.period == id.period })
        else { return nil }
        let recs = records.period(id.obligation, t)
        let (c, w) = recs.lookup(id.subject)
        return Occurrence(
            id: id,
            obligation: o,
            subject: s,
            timing: t,
            completion: c,
            waiver: w,
            receipt: recs.receipt(id.subject)
        )
    }
}

extension Planner {
    /// The first tracked day of a subject, as days since 1970.
    @inline(__always)
    func trackStartDay(subject s: Int32, obligation o: Int) -> Int32 {
        let u = unitOf(subject: s, obligation: o)
        return u >= 0 ? trackStart[Int(u)] : .max
    }

    /// The occurrence with this id wherever its deadline lies: plans the years around the one its
    /// period names (or its event's), so `explain` and `done` work on any year.
    package func occurrence(_ id: OccurrenceID, records: DutyRecords) -> Occurrence? {
        var year: Int?
        if let e = records.events.first(where: { $0.id == id.period }) {
            year = e.on.year
        } else if let y = Int(id.period.prefix(4)), id.period.count >= 4 {
            year = y
        } else if let c = records.completions.first(where: { $0.occurrence.period == id.period }) {
            year = c.on.year
        }
        guard let year, let lo = CivilDate(year: year - 1, month: 1, day: 1),
            let hi = CivilDate(year: year + 1, month: 12, day: 31)
        else { return nil }
        return plan(from: lo, through: hi, records: records).occurrence(id)
    }
}

extension Plan {
    /// The earliest step at or after `t` of any deadline that has subjects: its time, obligation and
    /// name; `nil` when the plan holds none. One pass over the distinct timings, not over subjects: the
    /// daemon sleeps from now to this (a step whose subjects are all done wakes it for nothing, once).
    package func nextStep(atOrAfter t: Instant) -> (at: Instant, obligation: Int, step: String)? {
        var best: (at: Instant, obligation: Int, step: String)?
        for plan in obligations {
            for set in plan.sets {
                if case .some(let list) = set.members, list.isEmpty { continue }
                for timing in set.timings {
                    guard let last = timing.steps.last, last.at >= t,
                        let step = timing.steps.first(where: { $0.at >= t })
                    else { continue }
                    if best.map({ step.at < $0.at }) ?? true { best = (step.at, plan.obligation, step.name) }
                }
            }
        }
        return best
    }
}
