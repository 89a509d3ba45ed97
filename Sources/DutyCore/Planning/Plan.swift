package import DutyCalendar

/// Subjects that share the same deadlines.
package struct ScheduleSet: Sendable {
    package enum Members: Sendable {
        /// Every subject of the obligation (the common case: one schedule for all).
        case all
        /// These subjects, ascending.
        case some([Int32])
    }

    /// Deadlines, ascending.
    package var timings: [Timing]
    package var members: Members
    /// Members whose deadlines an extension moved into a set of their own, ascending.
    package var excluded: [Int32] = []
}

/// The schedule sets of one obligation.
package struct ObligationPlan: Sendable {
    package var obligation: Int
    package var sets: [ScheduleSet]
    /// For per-subject sets: the set of each subject.
    var setOf: [Int32: Int] = [:]

    /// The set a subject's deadlines are in, if it has any.
    func set(of subject: Int32, planner: Planner) -> Int? {
        if let i = setOf[subject] { return i }
        for (i, s) in sets.enumerated() {
            switch s.members {
            case .all:
                if planner.isSubject(subject, of: obligation) && !s.excluded.sortedContains(subject) { return i }
            case .some(let list):
                if list.sortedContains(subject) && !s.excluded.sortedContains(subject) { return i }
            }
        }
        return nil
    }
}

/// Every deadline from `from` through `through` (and the ones whose steps fall in that span), for
/// every obligation and subject, with what was recorded.
package struct Plan: Sendable {
    package let planner: Planner
    package let records: RecordIndex
    package let obligations: [ObligationPlan]
    package let from: CivilDate
    package let through: CivilDate
}

extension Planner {
    /// Days before `from` and after `through` whose deadlines still have steps in the span: the longest
    /// lead time and the longest ladder, plus room for shifts over long holidays.
    var stepMargin: (back: Int, forward: Int) {
        var back = 0
        var forward = 0
        for o in policy.obligations {
            for r in o.remind { forward = max(forward, r.maximumCalendarDays) }
            for l in o.ladder { back = max(back, l.after.maximumCalendarDays) }
            forward = max(forward, o.yellow.maximumCalendarDays)
        }
        return (back + 31, forward + 31)
    }

    /// The plan for deadlines from `from` through `through`, plus those whose reminders or escalations
    /// fall in that span.
    ///
    /// `arrivedSince`: deadlines started by a record written at or after it (an event, a completion)
    /// are kept whatever their date, so the dispatcher can still send the latest of their steps that
    /// passed before the record came (`Plan.forEachDue`).
    package func plan(
        from: CivilDate,
        through: CivilDate,
        records: DutyRecords,
        arrivedSince: Instant? = nil
    ) -> Plan {
        let index = RecordIndex(records: records, policy: policy)
        let (back, forward) = stepMargin
        let keepLo = from.adding(days: -back)
        let keepHi = through.adding(days: forward)
        // Sources of derived deadlines can lie further out than the deadlines themselves.
        let derivedSpan = policy.obligations.reduce(0) { span, obligation in
            if case .derived(_, _, let offset) = obligation.deadline {
                return span + offset.duration.maximumCalendarDays
            }
            return span
        }
        let lo = keepLo.adding(days: -(derivedSpan + 31))
        let hi = keepHi.adding(days: derivedSpan + 31)

        var full = [ObligationPlan?](repeating: nil, count: policy.obligations.count)
        // A question given up (its client gone, its time budget spent) stops between obligations;
        // its caller throws the partial plan away.
        let stop = StopSignal.current
        for o in policy.dependencyOrder where stop?.isStopped != true {
            full[o] = obligationPlan(
                o,
                from: lo,
                through: hi,
                sources: full,
                records: index,
                arrivedSince: arrivedSince
            )
        }
        // After every deadline is known: an extension moves its own occurrence, not the deadlines
        // derived from it.
        if !records.extensions.isEmpty { applyExtensions(records.extensions, to: &full) }
        let kept = full.enumerated().map { (o, plan) -> ObligationPlan in
            guard var plan else { return ObligationPlan(obligation: o, sets: []) }
            for i in plan.sets.indices {
                plan.sets[i].timings = plan.sets[i].timings.filter {
                    $0.date <= keepHi && ($0.date >= keepLo || $0.arrived(since: arrivedSince))
                }
            }
            return plan
        }
        return Plan(planner: self, records: index, obligations: kept, from: from, through: through)
    }

    private func obligationPlan(
        _ o: Int,
        from lo: CivilDate,
        through hi: CivilDate,
        sources: [ObligationPlan?],
        records: RecordIndex,
        arrivedSince: Instant?
    ) -> ObligationPlan {
        let ob = policy.obligations[o]
        switch ob.deadline {
        case .periodic(let schedules, let period, let lag):
            let timings = Planner.days(of: schedules, zone: zone, from: lo, through: hi).map { day in
                timing(
                    obligation: o,
                    period: period.label(of: day, lag: lag),
                    origin: .schedule(schedules.map(\.text).joined(separator: "; ")),
                    raw: day
                )
            }
            return ObligationPlan(obligation: o, sets: [ScheduleSet(timings: timings, members: .all)])

        case .quota(let checkpoints):
            var timings: [Timing] = []
            for year in lo.year...hi.year {
                for (k, c) in checkpoints.enumerated() {
                    timings.append(
                        timing(
                            obligation: o,
                            period: "\(year)-c\(k + 1)",
                            origin: .checkpoint(count: c.count, year: year),
                            raw: c.date(in: year)
                        )
                    )
                }
            }
            timings.sort { $0.deadline < $1.deadline }
            return ObligationPlan(obligation: o, sets: [ScheduleSet(timings: timings, members: .all)])

        case .derived(let from, let at, let offset):
            guard let s = obligationIndex[from], let source = sources[s] else {
                return ObligationPlan(obligation: o, sets: [])
            }
            // Subjects grouped by the source set of their related unit; for a source with one schedule
            // for all, the grouping was done once when the planner was built.
            var groups: [Int: ScheduleSet.Members] = [:]
            if let members = sharedDerived[o], source.sets.count == 1 {
                groups[0] = members
            } else {
                var lists: [Int: [Int32]] = [:]
                var all = true
                for u in subjects[o] {
                    let r = unit(at, from: u)
                    if r >= 0, let k = source.set(of: r, planner: self) {
                        lists[k, default: []].append(u)
                    } else {
                        all = false
                    }
                }
                for (k, list) in lists { groups[k] = lists.count == 1 && all ? .all : .some(list) }
            }
            var plan = ObligationPlan(obligation: o, sets: [])
            for (k, members) in groups.sorted(by: { $0.key < $1.key }) {
                let timings = source.sets[k].timings.map { t -> Timing in
                    let d = offset.applied(to: t.date, workdays: workdays)
                    return timing(
                        obligation: o,
                        period: t.period,
                        origin: .derived(
                            source: from,
                            at: at,
                            sourceDeadline: t.date,
                            sourcePeriod: t.period,
                            offset: offset
                        ),
                        raw: d
                    )
                }
                plan.sets.append(ScheduleSet(timings: timings, members: members))
                // Several groups (the source is per subject): index them, so a later lookup is not a scan.
                if groups.count > 1, case .some(let list) = members {
                    for m in list { plan.setOf[m] = plan.sets.count - 1 }
                }
            }
            return plan

        case .event(let kind, let after):
            var perSubject: [Int32: [Timing]] = [:]
            for e in records.records.events where e.kind == kind {
                guard let u = organisation.index[e.unit], isSubject(u, of: o) else { continue }
                let (d, _) = after.after(e.on, workdays: workdays)
                let arrived = arrivedSince.map { e.recordedAt >= $0 } ?? false
                guard d >= lo || arrived, d <= hi.adding(days: 366) else { continue }
                perSubject[u, default: []].append(
                    timing(
                        obligation: o,
                        period: e.id,
                        origin: .event(e, after: after),
                        raw: d,
                        earliest: e.on,
                        arrivedAt: e.recordedAt
                    )
                )
            }
            return perSubjectPlan(o, perSubject)

        case .completion(let of, let after):
            var perSubject: [Int32: [Timing]] = [:]
            for c in records.records.completions where c.occurrence.obligation == of {
                guard let s = subjectNumber(c.occurrence.subject, obligation: o) else { continue }
                let (d, _) = after.after(c.on, workdays: workdays)
                perSubject[s, default: []].append(
                    timing(
                        obligation: o,
                        period: c.occurrence.period,
                        origin: .completion(c.occurrence, on: c.on, after: after),
                        raw: d,
                        earliest: c.on,
                        arrivedAt: c.recordedAt
                    )
                )
            }
            return perSubjectPlan(o, perSubject)
        }
    }

    private func perSubjectPlan(_ o: Int, _ perSubject: [Int32: [Timing]]) -> ObligationPlan {
        var plan = ObligationPlan(obligation: o, sets: [])
        for (s, timings) in perSubject.sorted(by: { $0.key < $1.key }) {
            plan.sets.append(ScheduleSet(timings: timings.sorted { $0.deadline < $1.deadline }, members: .some([s])))
            plan.setOf[s] = plan.sets.count - 1
        }
        return plan
    }
}
