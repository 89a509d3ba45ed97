import DutyCalendar
import DutyCore

/// Reads one policy file's tables into the policy being built. Each obligation is read on its own, so
/// one mistake does not hide the next obligation's.
struct PolicyFileReader {
    let zone: Zone
    let file: String

    /// What `[defaults]` gives the obligations of this file.
    struct Defaults {
        var shift = ShiftRule.previousWorkday
        var remind: [DutyDuration] = []
        var remindTo: [RecipientSpec] = []
        var yellow = DutyDuration(3, .workingDays)
        var responsible: [String] = []
        var ladder: [LadderStep] = []
        var acknowledge: DutyDuration?
        var urgeTo: [RecipientSpec]?
        var urgeAlso: [RecipientSpec] = []
        var extensionRule: ExtensionRule?
    }

    static let topKeys = ["kinds", "roles", "liability", "defaults", "obligation", "bulletin"]
    static let stepKeys = [
        "shift", "remind", "remind_to", "yellow", "responsible", "ladder", "acknowledge", "urge_to", "urge_also",
        "extension",
    ]
    static let obligationKeys =
        [
            "title", "article", "description", "applies_to", "period", "period_lag", "schedule", "rrule", "dtstart",
            "quota", "derived", "trigger",
        ] + stepKeys

    func read(
        _ top: TOMLReader,
        into policy: inout Policy,
        fileOf: inout [String: String],
        problems: inout [PolicyProblem]
    ) {
        func attempt(_ body: () throws(PolicyProblem) -> Void) {
            do { try body() } catch { problems.append(error) }
        }
        attempt { () throws(PolicyProblem) in try top.checkKeys(Self.topKeys) }
        attempt { () throws(PolicyProblem) in
            guard let kinds = try top.table("kinds") else { return }
            for k in kinds.keys.sorted() {
                if let other = fileOf["kinds.\(k)"] {
                    throw kinds.problem(k, "unit kind '\(k)' is already declared in \(other)")
                }
                if let name = kinds.table[k]?.string {
                    policy.kinds[k] = Policy.Kind(name: name)
                } else if let t = try kinds.table(k) {
                    try t.checkKeys(["name", "region"])
                    policy.kinds[k] = Policy.Kind(
                        name: try t.requiredString("name", "the kind's name"),
                        region: try t.bool("region") ?? false
                    )
                } else {
                    throw kinds.problem(k, "\(k): expected a name in quotes or a table { name = \"…\", region = true }")
                }
                fileOf["kinds.\(k)"] = file
                if fileOf["kinds"] == nil { fileOf["kinds"] = file }
            }
        }
        attempt { () throws(PolicyProblem) in
            guard let roles = try top.table("roles") else { return }
            for k in roles.keys.sorted() {
                if let other = fileOf["roles.\(k)"] {
                    throw roles.problem(k, "role '\(k)' is already declared in \(other)")
                }
                policy.roles[k] = try roles.requiredString(k, "a description of the role")
                fileOf["roles.\(k)"] = file
            }
        }
        attempt { () throws(PolicyProblem) in
            guard let l = try top.table("liability") else { return }
            try l.checkKeys(["main", "important"])
            policy.mainLiability += try l.strings("main", "roles") ?? []
            policy.importantLiability += try l.strings("important", "roles") ?? []
            fileOf["liability"] = file
        }
        attempt { () throws(PolicyProblem) in
            guard let b = try top.table("bulletin") else { return }
            if let other = fileOf["bulletin"] { throw top.problem("bulletin", "[bulletin] is already set in \(other)") }
            try b.checkKeys(["periods", "send_after", "to"])
            let names = try b.strings("periods", "period kinds") ?? ["half-year"]
            var periods: [PeriodKind] = []
            for (i, n) in names.enumerated() {
                guard let k = PeriodKind(rawValue: n), [.year, .halfYear, .quarter, .month].contains(k) else {
                    throw b.problem(
                        "periods.\(i)",
                        "periods: unknown period '\(n)'; expected year, half-year, quarter or month"
                    )
                }
                periods.append(k)
            }
            let after = try duration(b, "send_after", try b.string("send_after", "a duration") ?? "5wd")
            guard let to = try b.tables("to"), !to.isEmpty else {
                throw b.problem(
                    nil,
                    "missing to: who gets a region's bulletin, seen from its committee, such as [{ unit = \"self\", roles = [\"secretary\"] }, { unit = \"region/propaganda\", roles = [\"head\"] }]"
                )
            }
            policy.bulletin = BulletinRule(periods: periods, sendAfter: after, to: try to.map(recipient))
            fileOf["bulletin"] = file
        }
        var defaults = Defaults()
        attempt { () throws(PolicyProblem) in
            guard let d = try top.table("defaults") else { return }
            try d.checkKeys(Self.stepKeys)
            defaults = try readSteps(d, base: defaults)
        }
        guard let obligations = try? top.table("obligation") else {
            attempt { () throws(PolicyProblem) in _ = try top.table("obligation") }
            return
        }
        for id in obligations.keys {
            attempt { () throws(PolicyProblem) in
                if let problem = Identifier.problem(id) {
                    throw obligations.problem(id, "obligation \(problem)")
                }
                if let other = fileOf["obligation.\(id)"] {
                    throw obligations.problem(id, "obligation '\(id)' is already defined in \(other)")
                }
                guard let t = try obligations.table(id) else { return }
                policy.obligations.append(try readObligation(id, t, defaults: defaults))
                fileOf["obligation.\(id)"] = file
            }
        }
    }

    private func readObligation(_ id: String, _ t: TOMLReader, defaults: Defaults) throws(PolicyProblem) -> Obligation {
        try t.checkKeys(Self.obligationKeys)
        let title = try t.requiredString("title", "what the duty is, for people")
        let article = try t.string("article", "the article it comes from") ?? ""
        guard let applies = try t.table("applies_to") else {
            throw t.problem(
                nil,
                "missing applies_to: expected { kinds = [\"committee\"] } or { roles = [\"secretary\"] }"
            )
        }
        try applies.checkKeys(["kinds", "levels", "roles"])
        let appliesTo: AppliesTo
        let kinds = try applies.strings("kinds", "unit kinds")
        if let roles = try applies.strings("roles", "roles") {
            if applies.has("levels") { throw applies.problem("levels", "levels: only with kinds, not roles") }
            appliesTo = .officials(roles: Set(roles), kinds: kinds.map(Set.init))
        } else if let kinds {
            var levels: Set<Int>?
            if let v = applies.table["levels"] {
                guard let a = v.array, a.allSatisfy({ ($0.int ?? 0) >= 1 }) else {
                    throw applies.problem("levels", "levels: expected a list of region levels, 1 for the top region")
                }
                levels = Set(a.compactMap(\.int))
            }
            appliesTo = .units(kinds: Set(kinds), levels: levels)
        } else {
            throw applies.problem(nil, "applies_to: expected kinds = [\"…\"] or roles = [\"…\"]")
        }

        let ways = ["schedule", "rrule", "quota", "derived", "trigger"].filter(t.has)
        guard ways.count == 1 else {
            throw t.problem(
                ways.count > 1 ? ways[1] : nil,
                ways.isEmpty
                    ? "no deadline rule: expected one of schedule (OnCalendar), rrule, quota, derived or trigger"
                    : "\(ways.joined(separator: " and ")) both give deadlines; keep one"
            )
        }
        if !t.has("schedule") && !t.has("rrule") {
            for k in ["period", "period_lag"] where t.has(k) {
                throw t.problem(k, "\(k): only periodic obligations (schedule or rrule) name their period")
            }
        }
        if t.has("dtstart") && !t.has("rrule") { throw t.problem("dtstart", "dtstart: only with rrule") }

        let deadline: DeadlineRule
        switch ways[0] {
        case "schedule", "rrule":
            deadline = try readPeriodic(t)
        case "quota":
            deadline = try readQuota(t)
        case "derived":
            let d = try t.table("derived")!
            try d.checkKeys(["from", "at", "before", "after"])
            let from = try d.requiredString("from", "the obligation it derives from")
            let at = try relation(d, "at") ?? .ownUnit
            let offset: Offset
            switch (try d.string("before", "a duration"), try d.string("after", "a duration")) {
            case (let b?, nil): offset = Offset(try duration(d, "before", b), before: true)
            case (nil, let a?): offset = Offset(try duration(d, "after", a), before: false)
            default: throw d.problem(nil, "derived: expected before = \"10d\" or after = \"10d\" (one of them)")
            }
            deadline = .derived(from: from, at: at, offset: offset)
        default:
            let g = try t.table("trigger")!
            try g.checkKeys(["event", "completed", "after"])
            let after = try duration(g, "after", try g.requiredString("after", "a duration such as \"15d\""))
            switch (try g.string("event", "an event kind"), try g.string("completed", "an obligation id")) {
            case (let e?, nil):
                if let problem = Identifier.problem(e) { throw g.problem("event", "event kind: \(problem)") }
                deadline = .event(kind: e, after: after)
            case (nil, let c?): deadline = .completion(of: c, after: after)
            default:
                throw g.problem(nil, "trigger: expected event = \"KIND\" or completed = \"OBLIGATION\" (one of them)")
            }
        }

        let steps = try readSteps(t, base: defaults)
        var obligation = Obligation(
            id: id,
            title: title,
            article: article,
            appliesTo: appliesTo,
            deadline: deadline,
            shift: steps.shift,
            remind: steps.remind,
            remindTo: steps.remindTo,
            yellow: steps.yellow,
            ladder: steps.ladder,
            responsible: steps.responsible,
            source: file
        )
        obligation.acknowledge = steps.acknowledge
        obligation.urgeTo = steps.urgeTo
        obligation.urgeAlso = steps.urgeAlso
        obligation.extensionRule = steps.extensionRule
        obligation.inherited = Set(Self.stepKeys.filter { !t.has($0) })
        return obligation
    }

    private func readPeriodic(_ t: TOMLReader) throws(PolicyProblem) -> DeadlineRule {
        let periodText = try t.string("period", "a period") ?? "year"
        guard let period = PeriodKind(rawValue: periodText) else {
            throw t.problem(
                "period",
                "unknown period '\(periodText)'; expected \(PeriodKind.allCases.map(\.rawValue).joined(separator: ", "))"
            )
        }
        let lag = try t.int("period_lag", 0...12) ?? 0
        var schedules: [Schedule] = []
        if let exprs = try t.strings("schedule", "calendar expressions") {
            for (i, e) in exprs.enumerated() {
                do {
                    let spec = try CalendarSpec.parse(e, localZone: zone)
                    schedules.append(.onCalendar(spec, text: e))
                } catch {
                    throw PolicyProblem(
                        "schedule: invalid calendar expression '\(e)': \(error.message)"
                            + (error.column.map { " (at character \($0))" } ?? ""),
                        key: t.key(t.table["schedule"]?.array != nil ? "schedule.\(i)" : "schedule")
                    )
                }
            }
        } else {
            let text = try t.requiredString("rrule", "an RFC 5545 rule")
            let start = try t.requiredString("dtstart", "the rule's first day, such as \"2026-01-01\"")
            let rule: RecurrenceRule
            do {
                rule = try RecurrenceRule.parse(text)
            } catch {
                throw t.problem("rrule", "rrule: \(error.message)")
            }
            guard rule.frequency <= .daily else {
                throw t.problem("rrule", "rrule: deadlines are days; FREQ=\(rule.frequency.name) is finer than DAILY")
            }
            let local: LocalDateTime
            if let d = CivilDate(iso: start) {
                local = LocalDateTime(date: d)
            } else if let (l, rest) = LocalDateTime.parsePrefix(start), rest.isEmpty {
                local = l
            } else {
                throw t.problem("dtstart", "dtstart: expected a date such as \"2026-01-01\", found '\(start)'")
            }
            schedules.append(.rrule(Recurrence(rule: rule, start: local, zone: zone), text: text))
        }
        // Every schedule must give deadlines, each in its own period: 20 years show both; a schedule
        // with nothing in them is searched on to 2199 before it is refused.
        let lo = CivilDate(year: 2020, month: 1, day: 1)!
        var days = Planner.days(
            of: schedules,
            zone: zone,
            from: lo,
            through: CivilDate(year: 2039, month: 12, day: 31)!
        )
        if days.isEmpty {
            days = Planner.days(
                of: schedules,
                zone: zone,
                from: CivilDate(year: 2000, month: 1, day: 1)!,
                through: CivilDate(year: 2199, month: 12, day: 31)!
            )
        }
        guard !days.isEmpty else {
            throw t.problem(
                t.has("schedule") ? "schedule" : "rrule",
                "the schedule gives no day from 2000 through 2199"
            )
        }
        var seen: [String: CivilDate] = [:]
        for d in days {
            let label = period.label(of: d, lag: lag)
            if let first = seen[label] {
                throw t.problem(
                    t.has("schedule") ? "schedule" : "rrule",
                    "the schedule gives two deadlines in period \(label) (\(first) and \(d)); choose a shorter period or fewer days"
                )
            }
            seen[label] = d
        }
        return .periodic(schedules: schedules, period: period, lag: lag)
    }

    private func readQuota(_ t: TOMLReader) throws(PolicyProblem) -> DeadlineRule {
        guard let list = try t.tables("quota"), !list.isEmpty else {
            throw t.problem(
                "quota",
                "quota: expected a list such as [{ count = 1, by = \"06-30\" }, { count = 2, by = \"12-31\" }]"
            )
        }
        var checkpoints: [Checkpoint] = []
        for c in list {
            try c.checkKeys(["count", "by"])
            guard let count = try c.int("count", 1...366) else {
                throw c.problem(nil, "missing count: expected a whole number")
            }
            let by = try c.requiredString("by", "a day of the year \"MM-DD\"")
            let parts = by.split(separator: "-")
            guard parts.count == 2, parts.allSatisfy({ $0.count == 2 }), let m = Int(parts[0]), let d = Int(parts[1]),
                (1...12).contains(m), d >= 1, d <= CivilDate.daysInMonth(year: 2024, month: m)
            else {
                throw c.problem("by", "by: expected a day of the year \"MM-DD\" such as \"06-30\", found '\(by)'")
            }
            if let last = checkpoints.last, last.count >= count || (last.month, last.day) >= (m, d) {
                throw c.problem(nil, "quota checkpoints must come in date order with growing counts")
            }
            checkpoints.append(Checkpoint(month: m, day: d, count: count))
        }
        return .quota(checkpoints: checkpoints)
    }

    private func readSteps(_ t: TOMLReader, base: Defaults) throws(PolicyProblem) -> Defaults {
        var d = base
        if let s = try t.string("shift", "a shift rule") {
            guard let rule = ShiftRule(rawValue: s) else {
                throw t.problem("shift", "unknown shift rule '\(s)'; expected none, previous-workday or next-workday")
            }
            d.shift = rule
        }
        if let list = try t.strings("remind", "lead times") {
            var leads: [DutyDuration] = []
            for (i, s) in list.enumerated() { leads.append(try duration(t, "remind.\(i)", s)) }
            d.remind = leads
        }
        if let specs = try t.tables("remind_to") { d.remindTo = try specs.map(recipient) }
        if let s = try t.string("yellow", "a duration") { d.yellow = try duration(t, "yellow", s) }
        if let r = try t.strings("responsible", "roles") { d.responsible = r }
        // Receipt (签收): asked within this time after the first notice; "none" turns a default off.
        if let s = try t.string("acknowledge", "a duration such as \"1wd\", or \"none\"") {
            d.acknowledge = s == "none" ? nil : try duration(t, "acknowledge", s)
        }
        if let specs = try t.tables("urge_to") { d.urgeTo = try specs.map(recipient) }
        if let specs = try t.tables("urge_also") { d.urgeAlso = try specs.map(recipient) }
        // Extensions (延期): how early a request must come, how far it may go, who decides.
        if t.table["extension"]?.string == "none" {
            d.extensionRule = nil
        } else if let e = try t.table("extension") {
            try e.checkKeys(["request_before", "longest", "approvers"])
            let before = try duration(e, "request_before", try e.string("request_before", "a duration") ?? "0d")
            guard let longestText = try e.string("longest", "a duration such as \"30d\" or \"10wd\"") else {
                throw e.problem(nil, "missing longest: how far past the deadline an extension may go, such as \"30d\"")
            }
            let longest = try duration(e, "longest", longestText)
            guard let approvers = try e.tables("approvers"), !approvers.isEmpty else {
                throw e.problem(
                    nil,
                    "missing approvers: who may decide a request, such as [{ unit = \"region/propaganda\", roles = [\"head\"] }]"
                )
            }
            d.extensionRule = ExtensionRule(
                requestBefore: before,
                longest: longest,
                approvers: try approvers.map(recipient)
            )
        }
        if let steps = try t.tables("ladder") {
            var ladder: [LadderStep] = []
            for s in steps {
                try s.checkKeys(["step", "after", "to", "also"])
                let kindText = try s.requiredString("step", "due, overdue or escalation")
                guard let kind = LadderStep.Kind(rawValue: kindText) else {
                    throw s.problem("step", "unknown step '\(kindText)'; expected due, overdue or escalation")
                }
                let after = try duration(s, "after", try s.string("after", "a duration") ?? "0d")
                var recipients: [RecipientSpec]
                switch (try s.tables("to"), try s.tables("also")) {
                case (let to?, nil): recipients = try to.map(recipient)
                case (nil, let also?):
                    guard let previous = ladder.last else {
                        throw s.problem(
                            "also",
                            "also: the first step has no earlier recipients to add to; write to = [...]"
                        )
                    }
                    recipients = previous.recipients + (try also.map(recipient))
                default:
                    throw s.problem(
                        nil,
                        "expected to = [...] (who gets this step) or also = [...] (added to the step before)"
                    )
                }
                if let last = ladder.last, last.after.typicalCalendarDays > after.typicalCalendarDays {
                    throw s.problem("after", "ladder steps must come in time order")
                }
                ladder.append(LadderStep(kind: kind, after: after, recipients: recipients))
            }
            d.ladder = ladder
        }
        return d
    }

    private func recipient(_ t: TOMLReader) throws(PolicyProblem) -> RecipientSpec {
        try t.checkKeys(["unit", "roles", "mailbox"])
        let rel = try relation(t, "unit") ?? .ownUnit
        let roles = try t.strings("roles", "roles") ?? []
        let mailbox = try t.bool("mailbox") ?? false
        if roles.isEmpty && !mailbox && rel.base != .subject {
            throw t.problem(nil, "a recipient needs roles = [...] or mailbox = true")
        }
        return RecipientSpec(rel, roles: roles, mailbox: mailbox)
    }

    private func relation(_ t: TOMLReader, _ k: String) throws(PolicyProblem) -> Relation? {
        guard let s = try t.string(k, "a relation such as \"self\" or \"region/propaganda\"") else { return nil }
        switch Relation.parse(s) {
        case .success(let r): return r
        case .failure(var p):
            p.key = t.key(k)
            throw p
        }
    }

    private func duration(_ t: TOMLReader, _ k: String, _ text: String) throws(PolicyProblem) -> DutyDuration {
        do {
            return try DutyDuration.parse(text)
        } catch {
            throw PolicyProblem("\(k.split(separator: ".").first ?? ""): \(error.message)", key: t.key(k))
        }
    }
}
