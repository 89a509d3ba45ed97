package import DutyCalendar
package import DutyCore

extension Planner {
    /// How an occurrence's deadline and every notification time were derived, one line per step of the
    /// arithmetic (`dutyctl explain`).
    package func explain(_ o: Occurrence, now: Instant, records: RecordIndex) -> [String] {
        let ob = policy.obligations[o.obligation]
        let t = o.timing
        var lines: [String] = []
        func day(_ d: CivilDate) -> String { "\(d) \(d.weekday.shortName)" }
        func time(_ i: Instant) -> String { i.format(in: zone) }

        lines.append("\(o.id) — \(ob.title)" + (ob.article.isEmpty ? "" : " (\(ob.article))"))
        let officials = ob.appliesTo.subjectsAreOfficials
        let u = unitOf(subject: o.subject, obligation: o.obligation)
        if officials {
            let p = organisation.officials[Int(o.subject)]
            lines.append(
                "subject: official \(p.id) \(p.name) (\(p.roles.joined(separator: ", "))) of \(organisation.units[Int(u)].id) \(organisation.units[Int(u)].name)"
            )
        } else {
            let unit = organisation.units[Int(u)]
            lines.append("subject: unit \(unit.id) \(unit.name) (\(unit.kind))")
        }
        lines.append("policy: \(ob.source)")

        func describe(_ origin: Timing.Origin, raw: CivilDate) {
            switch origin {
            case .schedule(let text):
                lines.append("rule: periodic, \(text); this deadline's period is \(t.period)")
                lines.append("rule date: \(day(raw))")
            case .checkpoint(let count, let year):
                let done = records.quotaCompletions(ob.id, year: year, subject: o.id.subject)
                lines.append("rule: quota, at least \(count) completion(s) in \(year) by \(day(raw))")
                lines.append(
                    "recorded in \(year): \(done.count)"
                        + (done.isEmpty ? "" : " (" + done.map { $0.on.description }.joined(separator: ", ") + ")")
                )
            case .derived(let source, let at, let sourceDeadline, let sourcePeriod, let offset):
                let r = unit(at, from: u)
                let where_ = r >= 0 ? "\(organisation.units[Int(r)].id) \(organisation.units[Int(r)].name)" : "(none)"
                lines.append("rule: derived, \(offset) \(source) at \(at) = \(where_)")
                lines.append(
                    "source: \(source)/\(r >= 0 ? organisation.units[Int(r)].id : "?")/\(sourcePeriod) is due \(day(sourceDeadline))"
                )
                lines.append(
                    "rule date: \(day(sourceDeadline)) \(offset.before ? "−" : "+") \(offset.duration) = \(day(raw))"
                )
            case .event(let e, let after):
                lines.append(
                    "rule: triggered by event \(e.id) (\(e.kind) at \(e.unit) on \(day(e.on)), recorded by \(e.by))"
                )
                lines.append("rule date: \(day(e.on)) + \(after) = \(day(raw))")
            case .completion(let source, let on, let after):
                lines.append("rule: triggered by completing \(source) on \(day(on))")
                lines.append("rule date: \(day(on)) + \(after) = \(day(raw))")
            case .extended(let original, let from, let r):
                describe(original, raw: from)
                lines.append(
                    "extended (延期): \(r.id), asked by \(r.requestedBy) on \(zone.day(of: r.requestedAt)) (\(r.reason)), approved by \(r.decidedBy ?? "?") on \(r.decidedAt.map { zone.day(of: $0).description } ?? "?"): \(day(from)) → \(day(raw))"
                )
            }
        }
        describe(t.origin, raw: t.raw)
        lines.append("shift: \(ob.shift.rawValue)")
        // Each day passed over and why, then why the deadline day is worked (a make-up day says so).
        for l in t.shift.explanation { lines.append("  " + l) }
        lines.append(
            "deadline: \(day(t.date)), end of day \(time(t.deadline))" + (t.provisional ? " (provisional)" : "")
        )
        if let start = trackStart(subject: o.subject, obligation: o.obligation) {
            lines.append("tracked from: \(start)")
        }
        let state = o.state(at: now)
        var stateLine = "state at \(time(now)): \(state.rawValue)"
        if let c = o.colour(at: now) { stateLine += ", \(c.rawValue)" }
        if let c = o.completion {
            stateLine +=
                " on \(c.on)"
                + (c.on > t.date ? " (late by \(c.on.daysSinceEpoch - t.date.daysSinceEpoch) days)" : " (on time)")
            stateLine += ", recorded by \(c.by)" + (c.reference.map { ", reference \($0)" } ?? "")
        }
        if let w = o.waiver { stateLine += ": \(w.reason) (by \(w.by))" }
        lines.append(stateLine)
        lines.append("yellow from: \(time(t.yellowFrom)) (\(ob.yellow) before the deadline)")
        if let (_, due) = receiptDue(o), let ack = ob.acknowledge {
            var line = "receipt (签收): due by \(time(due)) (\(ack) after the first notice)"
            if let v = receiptView(o, now: now) {
                line += ": \(v.state)" + (v.by.map { " by \($0)" } ?? "") + (v.at.map { " at \($0)" } ?? "")
            }
            lines.append(line)
        }

        lines.append(
            "steps (at \(zeroPadded(sendAtMinute / 60, 2)):\(zeroPadded(sendAtMinute % 60, 2)) local time, on working days):"
        )
        for s in t.steps {
            var line = "  \(s.name): \(time(s.at))"
            switch s.kind {
            case .reminder: line += " — \(s.offset) before the deadline"
            case .urging: line += " — receipt not given \(s.offset) after the first notice (催办)"
            case .extensionRequested, .extensionDecided: break
            default: line += s.offset.value == 0 ? " — on the deadline day" : " — \(s.offset) after the deadline"
            }
            if s.day.date != s.day.original {
                line += "; \(day(s.day.original)) is a day off, \(s.day.rule.rawValue) → \(day(s.day.date))"
            }
            if s.provisional { line += " (provisional)" }
            if o.completion != nil || o.waiver != nil {
                line += " [stopped: \(o.completion != nil ? "done" : "waived")]"
            } else if s.kind == .urging, let r = o.receipt, r.at <= now {
                line += " [stopped: received]"
            } else if let start = trackStart(subject: o.subject, obligation: o.obligation), s.day.date < start {
                line += " [before tracking began: never sent]"
            } else if s.at <= now {
                line += " [passed]"
            }
            lines.append(line)
            let people = recipients(s.recipients, obligation: o.obligation, subject: o.subject)
            if people.isEmpty {
                lines.append(
                    "      to: nobody (no official holds \(s.recipients.map(\.description).joined(separator: "; ")))"
                )
            } else {
                for p in people.map(person) {
                    lines.append(
                        "      to: \(p.name) (\(p.role ?? "mailbox"), \(p.relation) \(p.unit))"
                            + (p.email.map { " <\($0)>" } ?? " (no email)")
                    )
                }
            }
        }
        if !t.notices.isEmpty {
            lines.append("extension requests (延期):")
            for n in t.notices {
                guard let r = n.request else { continue }
                let people = recipients(n.recipients, obligation: o.obligation, subject: o.subject).map(person)
                let to = people.isEmpty ? "nobody" : people.map(\.name).joined(separator: ", ")
                if n.kind == .extensionRequested {
                    lines.append(
                        "  \(r.id): asked \(time(r.requestedAt)) by \(r.requestedBy) to move it to \(day(r.until)) (\(r.reason)); \(r.state.rawValue); told \(to)"
                    )
                } else {
                    lines.append(
                        "  \(r.id) \(r.state.rawValue) \(time(n.at)) by \(r.decidedBy ?? "?")\(r.note.map { " (\($0))" } ?? ""); told \(to)"
                    )
                }
            }
        }
        let l = liability(obligation: o.obligation, subject: o.subject)
        let names = { (list: [Int32]) in list.map { organisation.officials[Int($0)].name }.joined(separator: ", ") }
        lines.append(
            "liability (第十三条): main: \(l.main.isEmpty ? "—" : names(l.main)); important: \(l.important.isEmpty ? "—" : names(l.important))"
        )
        return lines
    }
}
