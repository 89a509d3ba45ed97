package import DutyCalendar

// Extensions (延期): the rules a request must meet, and what requests and decisions do to a plan. An
// approved request moves its one occurrence's deadline and every later step; deadlines derived from
// it keep theirs (the extension was granted for that duty, not for the ones that follow from it).

extension Planner {
    /// Why a request to move `o`'s deadline to `until`, made at `now`, is refused; `nil` when it may
    /// be made. Requests already made for it are in `requests`.
    package func extensionRefusal(
        _ o: Occurrence,
        until: CivilDate,
        at now: Instant,
        requests: [ExtensionRequest]
    ) -> String? {
        let ob = policy.obligations[o.obligation]
        guard let rule = ob.extensionRule else {
            return
                "\(ob.id) allows no extension: the policy sets no extension for it (`dutyctl policy show \(ob.id)`)"
        }
        if let c = o.completion { return "\(o.id) is done (\(c.on)); nothing is left to extend" }
        if o.waiver != nil { return "\(o.id) is waived; nothing is left to extend" }
        if let p = requests.first(where: { $0.occurrence == o.id && $0.state == .pending }) {
            return
                "\(p.id) for \(o.id) (until \(p.until)) is waiting for a decision; one request at a time (`dutyctl extend ls --occurrence \(o.id)`)"
        }
        let t = o.timing
        let today = zone.day(of: now)
        if now > t.deadline {
            return "the deadline of \(o.id) was \(t.date); a request after the deadline is refused"
        }
        let last = rule.requestBefore.before(t.date, workdays: workdays).date
        if today > last {
            return
                "a request must come \(rule.requestBefore) before the deadline day \(t.date) (by \(last)); today is \(today)"
        }
        if until <= t.date {
            return "the new deadline \(until) is not after the current one (\(t.date))"
        }
        // The longest extension counts from the first deadline, however many were granted since.
        let first = t.extensionGranted?.from ?? t.date
        let longest = rule.longest.after(first, workdays: workdays).date
        if until > longest {
            return
                "the longest extension of \(ob.id) is \(rule.longest) after the deadline \(first): \(longest) at the latest, not \(until)"
        }
        if !workdays.isWorkingDay(until) {
            let status = workdays.status(of: until)
            let before = workdays.shift(until, rule: .previousWorkday).date
            let after = workdays.shift(until, rule: .nextWorkday).date
            return
                "\(until) is not a working day (\(status.explanation)); ask for \(before > t.date ? "\(before) or " : "")\(after)"
        }
        return nil
    }

    /// Moves the deadlines approved extensions moved, and attaches every request and decision to its
    /// occurrence as notices. Each occurrence with any gets a schedule set of its own subject; the set
    /// it leaves lists it as excluded.
    func applyExtensions(_ requests: [ExtensionRequest], to plans: inout [ObligationPlan?]) {
        var byOccurrence: [OccurrenceID: [ExtensionRequest]] = [:]
        for r in requests { byOccurrence[r.occurrence, default: []].append(r) }
        for (id, list) in byOccurrence.sorted(by: { $0.key < $1.key }) {
            guard let o = obligationIndex[id.obligation], plans[o] != nil,
                let s = subjectNumber(id.subject, obligation: o),
                let k = plans[o]!.set(of: s, planner: self),
                let i = plans[o]!.sets[k].timings.firstIndex(where: { $0.period == id.period })
            else { continue }
            var timings = plans[o]!.sets[k].timings
            timings[i] = extended(timings[i], obligation: o, requests: list.sorted { $0.number < $1.number })
            timings = timings.enumerated().sorted {
                ($0.element.deadline, $0.offset) < ($1.element.deadline, $1.offset)
            }
            .map(\.element)
            if case .some(let members) = plans[o]!.sets[k].members, members == [s] {
                plans[o]!.sets[k].timings = timings
            } else {
                let excluded = plans[o]!.sets[k].excluded
                plans[o]!.sets[k].excluded.insert(s, at: excluded.lowerBound(s))
                plans[o]!.sets.append(ScheduleSet(timings: timings, members: .some([s])))
                plans[o]!.setOf[s] = plans[o]!.sets.count - 1
            }
        }
    }

    /// `t` after these requests (in the order made): moved to the latest approved day, with a notice
    /// for each request (to the approvers) and each decision (to the people reminded).
    private func extended(_ t: Timing, obligation o: Int, requests: [ExtensionRequest]) -> Timing {
        let ob = policy.obligations[o]
        var moved = t
        if let granted = requests.last(where: { $0.state == .approved }), let at = granted.decidedAt {
            moved = timing(
                obligation: o,
                period: t.period,
                origin: .extended(t.origin, from: t.date, request: granted),
                raw: granted.until,
                earliest: zone.day(of: at),
                arrivedAt: at,
                extending: t
            )
        }
        var notices: [PlannedStep] = []
        func notice(
            _ name: String,
            _ kind: PlannedStep.Kind,
            _ at: Instant,
            _ to: [RecipientSpec],
            _ r: ExtensionRequest
        ) {
            let day = zone.day(of: at)
            notices.append(
                PlannedStep(
                    name: name,
                    kind: kind,
                    at: at,
                    day: workdays.shift(day, rule: .none),
                    offset: DutyDuration(0, .days),
                    recipients: to,
                    provisional: false,
                    request: r
                )
            )
        }
        let approvers = ob.extensionRule?.approvers ?? []
        for r in requests {
            notice("\(r.id)-requested", .extensionRequested, r.requestedAt, approvers, r)
            if r.state != .pending, let at = r.decidedAt {
                notice("\(r.id)-\(r.state.rawValue)", .extensionDecided, at, ob.remindTo, r)
            }
        }
        notices.sort { $0.at < $1.at }
        return moved.with(notices: notices)
    }
}

extension Plan {
    /// Every extension notice (`Timing.notices`) from `window.lowerBound` up to `window.upperBound` of
    /// an occurrence that is neither done nor waived: a request while it waits for its decision, a
    /// decision once. `body` gets the obligation, the subject, the deadline and the notice's index.
    package func forEachNotice(
        in window: Range<Instant>,
        _ body: (_ obligation: Int, _ subject: Int32, _ timing: Timing, _ notice: Int) -> Void
    ) {
        for plan in obligations {
            let o = plan.obligation
            let id = planner.policy.obligations[o].id
            for set in plan.sets {
                guard case .some(let members) = set.members, members.count == 1 else { continue }
                let s = members[0]
                for t in set.timings where !t.notices.isEmpty {
                    let subjectID = planner.subjectID(s, obligation: o)
                    let (c, w) = records.period(id, t).lookup(subjectID)
                    guard c == nil, w == nil else { continue }
                    for (k, n) in t.notices.enumerated() where window.contains(n.at) {
                        if n.kind == .extensionRequested, n.request?.state != .pending { continue }
                        body(o, s, t, k)
                    }
                }
            }
        }
    }
}
