import DutyCalendar
import DutyCore
import DutyTestScoping
import Testing

/// Given a policy, an organisation and what was recorded; when the planner runs; then the deadlines,
/// states and recipients a user relies on. Dates come from China's real 2025–2026 schedules.
@Suite("Planner scenarios", .ownThreads)
struct PlannerScenarioTests {
    typealias F = Fixture

    @Test("periodic: a month-end deadline moves off Spring Festival and keeps a make-up Saturday")
    func periodicShifts() throws {
        // Given a yearly report due on the last day of January and one due on the last day of February
        let policy = F.policy(
            F.obligation("jan-report", kinds: ["committee"], F.onCalendar("*-01~01", period: .year)),
            F.obligation("feb-report", kinds: ["committee"], F.onCalendar("*-02~01", period: .year))
        )
        // When all units are tracked from 2024
        let planner = Planner(
            policy: policy,
            organisation: F.organisation,
            workdays: F.workdays,
            zone: F.shanghai,
            trackFrom: F.date("2024-01-01")
        )
        let y2025 = F.occurrences(planner, year: 2025)
        let y2026 = F.occurrences(planner, year: 2026)
        // Then 31 January 2025 (Spring Festival) moves back to Monday the 27th
        let jan2025 = try #require(y2025["jan-report/gd.gz/2025"])
        #expect(jan2025.timing.date == F.date("2025-01-27"))
        #expect(jan2025.timing.raw == F.date("2025-01-31"))
        #expect(
            jan2025.timing.shift.skipped.map(\.date)
                == ["2025-01-31", "2025-01-30", "2025-01-29", "2025-01-28"].map(F.date)
        )
        // Saturday 31 January 2026 moves to Friday the 30th; Saturday 28 February 2026 is worked and stays
        #expect(y2026["jan-report/gd.gz/2026"]?.timing.date == F.date("2026-01-30"))
        #expect(y2026["feb-report/gd.gz/2026"]?.timing.date == F.date("2026-02-28"))
        #expect(y2026["feb-report/gd.gz/2026"]?.timing.provisional == false)
        // The deadline is the end of that day in Beijing time
        #expect(jan2025.timing.deadline == F.at("2025-01-27T23:59:59"))
    }

    @Test("periodic: reminders fall on working days at the send time, escalations on the next working day")
    func stepTimes() throws {
        // Given a report due Friday 9 October 2026, the day after the National Day holiday
        let planner = F.planner(
            F.policy(F.obligation("oct-report", kinds: ["committee"], F.onCalendar("*-10-09", period: .year)))
        )
        let o = try #require(F.occurrences(planner, year: 2026)["oct-report/gd.gz.panyu/2026"])
        // Then 7 days before (2 October, a holiday) becomes 30 September; 30 days after (Sunday 8 November)
        // becomes Monday 9 November
        let times = Dictionary(uniqueKeysWithValues: o.timing.steps.map { ($0.name, $0.at) })
        #expect(times["reminder-30d"] == F.at("2026-09-09T09:00:00"))
        #expect(times["reminder-7d"] == F.at("2026-09-30T09:00:00"))
        #expect(times["reminder-1d"] == F.at("2026-10-08T09:00:00"))
        #expect(times["due"] == F.at("2026-10-09T09:00:00"))
        #expect(times["escalation-1"] == F.at("2026-10-16T09:00:00"))
        #expect(times["escalation-2"] == F.at("2026-11-09T09:00:00"))
        #expect(
            o.timing.steps.map(\.name) == [
                "reminder-30d", "reminder-7d", "reminder-1d", "due", "escalation-1", "escalation-2",
            ]
        )
    }

    @Test("a lead time in working days counts over the National Day and Mid-Autumn holidays")
    func workingDayLead() throws {
        let o = F.obligation(
            "oct-report",
            kinds: ["committee"],
            F.onCalendar("*-10-09", period: .year),
            remind: [DutyDuration(5, .workingDays)]
        )
        let found = try #require(F.occurrences(F.planner(F.policy(o)), year: 2026)["oct-report/gd/2026"])
        // Back from Friday 9 October: 8 Oct, 30, 29, 28 Sep, then over 25–27 Sep (holiday) and the 26th to Thursday 24 Sep
        #expect(found.timing.steps.first?.name == "reminder-5wd")
        #expect(found.timing.steps.first?.at == F.at("2026-09-24T09:00:00"))
    }

    @Test("quota: one completion this year meets the first checkpoint; the second is still open")
    func quotaCheckpoints() throws {
        // Given a study required twice a year (1 by 30 June, 2 by 31 December)
        let policy = F.policy(
            F.obligation(
                "study",
                kinds: ["committee"],
                .quota(checkpoints: [Checkpoint(month: 6, day: 30, count: 1), Checkpoint(month: 12, day: 31, count: 2)])
            )
        )
        // When the city committee recorded one study in May
        let records = DutyRecords(completions: [F.completion("study/gd.gz/2026-c1", on: "2026-05-10")])
        let all = F.occurrences(F.planner(policy), year: 2026, records: records)
        let now = F.at("2026-11-29T09:00:00")
        // Then its first checkpoint is done, the second open; the province, with none, is late on the first
        #expect(all["study/gd.gz/2026-c1"]?.state(at: now) == .done)
        #expect(all["study/gd.gz/2026-c2"]?.state(at: now) == .open)
        #expect(all["study/gd.gz/2026-c2"]?.timing.date == F.date("2026-12-31"))
        #expect(all["study/gd/2026-c1"]?.state(at: now) == .late)
        #expect(all["study/gd/2026-c1"]?.timing.date == F.date("2026-06-30"))
        // And a second completion meets the second checkpoint, whichever id it was recorded under
        let two = DutyRecords(
            completions: records.completions + [F.completion("study/gd.gz/2026-c1", on: "2026-11-20")]
        )
        #expect(
            F.occurrences(F.planner(policy), year: 2026, records: two)["study/gd.gz/2026-c2"]?.state(at: now) == .done
        )
    }

    @Test("derived: 10 days before the local propaganda department's summary, then shifted")
    func derived() throws {
        // Given the summary due at the end of June and December and each unit's report 10 days before it
        let policy = F.policy(
            F.obligation("summary", kinds: ["propaganda"], F.onCalendar("*-06,12~01", period: .halfYear)),
            F.obligation(
                "unit-report",
                kinds: ["unit"],
                .derived(
                    from: "summary",
                    at: Relation(.region, department: "propaganda"),
                    offset: Offset(DutyDuration(10, .days), before: true)
                )
            )
        )
        let all = F.occurrences(F.planner(policy), year: 2026)
        // Then the school's first report is 10 days before 30 June (Saturday 20 June), moved back over the
        // Dragon Boat holiday (19 June) to Thursday 18 June; the second is Monday 21 December
        let h1 = try #require(all["unit-report/gd.gz.panyu.school1/2026-H1"])
        #expect(h1.timing.raw == F.date("2026-06-20"))
        #expect(h1.timing.date == F.date("2026-06-18"))
        guard case .derived(_, _, let sourceDeadline, let sourcePeriod, _) = h1.timing.origin else {
            Issue.record("expected a derived origin")
            return
        }
        #expect(sourceDeadline == F.date("2026-06-30"))
        #expect(sourcePeriod == "2026-H1")
        #expect(all["unit-report/gd.gz.panyu.school1/2026-H2"]?.timing.date == F.date("2026-12-21"))
        // December depends on the 2027 schedule, not published yet
        #expect(all["unit-report/gd.gz.panyu.school1/2026-H2"]?.timing.provisional == true)
    }

    @Test("triggered by an event: 1 day after, next working day, no reminder before the event")
    func eventTriggered() throws {
        let policy = F.policy(
            F.obligation(
                "major-report",
                kinds: ["committee"],
                .event(kind: "major-situation", after: DutyDuration(1, .days)),
                shift: .nextWorkday
            )
        )
        // When a major situation is recorded on Friday 27 November 2026 at the county committee
        let event = Event(
            id: "major-situation-2026-11-27",
            kind: "major-situation",
            unit: "gd.gz.panyu",
            on: F.date("2026-11-27"),
            recordedAt: F.at("2026-11-27T15:00:00"),
            by: "test"
        )
        let all = F.occurrences(F.planner(policy), year: 2026, records: DutyRecords(events: [event]))
        // Then its report is due Monday 30 November (Saturday 28th is a day off), and nothing is sent before the 27th
        let o = try #require(all["major-report/gd.gz.panyu/major-situation-2026-11-27"])
        #expect(o.timing.date == F.date("2026-11-30"))
        #expect(o.timing.steps.allSatisfy { $0.at >= F.at("2026-11-27T00:00:00") })
        #expect(all.count == 1)
    }

    @Test("derived from a triggered deadline: each unit follows its own event")
    func derivedFromTriggered() throws {
        let policy = F.policy(
            F.obligation(
                "major-report",
                kinds: ["committee"],
                .event(kind: "major-situation", after: DutyDuration(1, .days)),
                shift: .nextWorkday
            ),
            F.obligation(
                "follow-up",
                kinds: ["committee"],
                .derived(
                    from: "major-report",
                    at: .ownUnit,
                    offset: Offset(DutyDuration(5, .workingDays), before: false)
                )
            )
        )
        func event(_ unit: String, _ day: String) -> Event {
            Event(
                id: "major-situation-\(day)",
                kind: "major-situation",
                unit: unit,
                on: F.date(day),
                recordedAt: F.at(day + "T10:00:00"),
                by: "test"
            )
        }
        let records = DutyRecords(events: [event("gd.gz", "2026-11-27"), event("gd", "2026-09-29")])
        let all = F.occurrences(F.planner(policy), year: 2026, records: records)
        // gd.gz: report Mon 30 Nov, follow-up 5 working days later, Mon 7 Dec
        #expect(all["follow-up/gd.gz/major-situation-2026-11-27"]?.timing.date == F.date("2026-12-07"))
        // gd: report Wed 30 Sep, follow-up 5 working days later over National Day: 8, 9, 10 (make-up Saturday), 12, 13 Oct
        #expect(all["major-report/gd/major-situation-2026-09-29"]?.timing.date == F.date("2026-09-30"))
        #expect(all["follow-up/gd/major-situation-2026-09-29"]?.timing.date == F.date("2026-10-13"))
        #expect(all.keys.filter { $0.hasPrefix("follow-up/") }.count == 2)
    }

    @Test("triggered by a completion: 15 days after the supervision is done")
    func completionTriggered() throws {
        let policy = F.policy(
            F.obligation("supervision", kinds: ["propaganda"], F.onCalendar("*-11-30", period: .year)),
            F.obligation(
                "result-report",
                kinds: ["propaganda"],
                .completion(of: "supervision", after: DutyDuration(15, .days))
            )
        )
        let records = DutyRecords(completions: [F.completion("supervision/gd.gz.xcb/2026", on: "2026-11-20")])
        let all = F.occurrences(F.planner(policy), year: 2026, records: records)
        // Then 20 November + 15 days = Saturday 5 December, moved back to Friday 4 December, same period
        #expect(all["result-report/gd.gz.xcb/2026"]?.timing.date == F.date("2026-12-04"))
        // And departments that did not complete their supervision have no result report
        #expect(all["result-report/gd.xcb/2026"] == nil)
    }

    @Test("escalation: each step reaches more people, up to the parent region; liability per 第十三条")
    func escalationRecipients() throws {
        let planner = F.planner(
            F.policy(F.obligation("report", kinds: ["committee"], F.onCalendar("*-06-30", period: .year)))
        )
        let o = try #require(F.occurrences(planner, year: 2026)["report/gd.gz.panyu/2026"])
        func ids(_ step: String) -> [String] {
            let s = o.timing.steps.first { $0.name == step }!
            return planner.recipients(s.recipients, obligation: o.obligation, subject: o.subject).map {
                planner.organisation.officials[Int($0.official!)].id
            }
        }
        #expect(ids("reminder-30d") == ["py.clerk"])
        #expect(ids("due") == ["py.clerk", "py.dep", "py.sec"])
        #expect(ids("escalation-1") == ["py.clerk", "py.dep", "py.sec", "gz.xcb.head"])
        #expect(ids("escalation-2") == ["py.clerk", "py.dep", "py.sec", "gz.xcb.head", "gz.sec"])
        let l = planner.liability(obligation: o.obligation, subject: o.subject)
        #expect(l.main.map { planner.organisation.officials[Int($0)].id }.sorted() == ["py.dep", "py.sec"])
        #expect(l.important.map { planner.organisation.officials[Int($0)].id } == ["py.mem"])
    }

    @Test("a completion or a waiver stops the remaining steps")
    func completionStopsSteps() throws {
        let policy = F.policy(F.obligation("report", kinds: ["committee"], F.onCalendar("*-06-30", period: .year)))
        let planner = F.planner(policy)
        let window = F.at("2026-06-30T00:00:00")..<F.at("2026-08-31T00:00:00")
        func due(_ records: DutyRecords) -> [String: [String]] {
            var out: [String: [String]] = [:]
            planner.plan(from: F.date("2026-06-01"), through: F.date("2026-08-31"), records: records).forEachDue(
                in: window
            ) { o, s, t, steps in
                out[planner.subjectID(s, obligation: o), default: []] += t.steps[steps].map(\.name)
            }
            return out
        }
        // Given nothing recorded, every committee gets the due notice and both escalations
        #expect(due(DutyRecords())["gd.gz"] == ["due", "escalation-1", "escalation-2"])
        // When the city committee reports on 2 July and the county is waived
        let records = DutyRecords(
            completions: [F.completion("report/gd.gz/2026", on: "2026-07-02")],
            waivers: [
                Waiver(
                    occurrence: OccurrenceID("report/gd.gz.panyu/2026")!,
                    reason: "合并汇报",
                    recordedAt: F.at("2026-06-01T10:00:00"),
                    by: "test"
                )
            ]
        )
        let after = due(records)
        // Then neither gets any step; the province still does
        #expect(after["gd.gz"] == nil)
        #expect(after["gd.gz.panyu"] == nil)
        #expect(after["gd"] == ["due", "escalation-1", "escalation-2"])
        let o = try #require(F.occurrences(planner, year: 2026, records: records)["report/gd.gz/2026"])
        #expect(o.remainingSteps(after: F.at("2026-06-01T00:00:00")).isEmpty)
        #expect(o.doneLate)
    }

    @Test("tracking starts when a unit is added: no occurrence before that")
    func trackingStart() throws {
        let policy = F.policy(
            F.obligation("report", kinds: ["committee"], F.onCalendar("*-06-30", "*-12-31", period: .halfYear))
        )
        var units = F.organisation.units
        units[units.firstIndex { $0.id == "gd.gz" }!].trackFrom = F.date("2026-11-29")
        let planner = F.planner(policy, organisation: Organisation(units: units, officials: F.organisation.officials))
        let all = F.occurrences(planner, year: 2026)
        #expect(all["report/gd.gz/2026-H1"] == nil)
        #expect(all["report/gd.gz/2026-H2"] != nil)
        #expect(all["report/gd/2026-H1"] != nil)
        #expect(F.occurrences(planner, year: 2025).isEmpty)
    }

    @Test("levels: an obligation for the top two region levels skips the county")
    func levels() throws {
        var o = F.obligation("provincial", kinds: ["committee", "propaganda"], F.onCalendar("*-06-30", period: .year))
        o.appliesTo = .units(kinds: ["committee", "propaganda"], levels: [1, 2])
        let all = F.occurrences(F.planner(F.policy(o)), year: 2026)
        #expect(
            Set(all.keys) == [
                "provincial/gd/2026", "provincial/gd.xcb/2026", "provincial/gd.gz/2026", "provincial/gd.gz.xcb/2026",
            ]
        )
    }

    @Test("no step is due before tracking starts, though the deadline after it is tracked")
    func noStepBeforeTracking() throws {
        let policy = F.policy(F.obligation("report", kinds: ["committee"], F.onCalendar("*-12-31", period: .year)))
        var units = F.organisation.units
        units[units.firstIndex { $0.id == "gd.gz" }!].trackFrom = F.date("2026-12-10")
        let planner = F.planner(policy, organisation: Organisation(units: units, officials: F.organisation.officials))
        var steps: [String: [String]] = [:]
        let window = F.at("2026-11-01T00:00:00")..<F.at("2027-01-01T00:00:00")
        planner.plan(from: F.date("2026-11-01"), through: F.date("2026-12-31"), records: DutyRecords()).forEachDue(
            in: window
        ) {
            o,
            s,
            t,
            range in steps[planner.subjectID(s, obligation: o), default: []] += t.steps[range].map(\.name)
        }
        // The 30-day reminder (1 December) came before gd.gz was tracked; the province gets it
        #expect(steps["gd.gz"] == ["reminder-7d", "reminder-1d", "due"])
        #expect(steps["gd"] == ["reminder-30d", "reminder-7d", "reminder-1d", "due"])
    }

    @Test("colours: blue from the first reminder, yellow in the last 3 working days, red when late")
    func colours() throws {
        let planner = F.planner(
            F.policy(F.obligation("report", kinds: ["committee"], F.onCalendar("*-10-09", period: .year)))
        )
        let o = try #require(F.occurrences(planner, year: 2026)["report/gd/2026"])
        #expect(o.colour(at: F.at("2026-09-01T09:00:00")) == nil)
        #expect(o.colour(at: F.at("2026-09-09T09:00:00")) == .blue)
        // 3 working days before Friday 9 October: the 8th, 30 September and 29 September (1–7 October are
        // holidays)
        #expect(o.colour(at: F.at("2026-09-28T23:00:00")) == .blue)
        #expect(o.colour(at: F.at("2026-09-29T00:00:00")) == .yellow)
        #expect(o.colour(at: F.at("2026-10-09T23:59:59")) == .yellow)
        #expect(o.colour(at: F.at("2026-10-10T00:00:00")) == .red)
    }

    @Test("a send time the clock skips moves forward; one it passes twice is used once, the first time")
    func dstSendTime() throws {
        let ny = try #require(Zone.named("America/New_York"))
        func planner(_ minute: Int) -> Planner {
            Planner(
                policy: F.policy(),
                organisation: F.organisation,
                workdays: F.workdays,
                zone: ny,
                sendAtMinute: minute
            )
        }
        // 02:30 does not exist on 8 March 2026 in New York: 03:30 EDT
        #expect(planner(150).sendTime(on: F.date("2026-03-08")) == Instant(iso: "2026-03-08T07:30:00Z"))
        // 01:30 happens twice on 1 November 2026: the first, EDT
        #expect(planner(90).sendTime(on: F.date("2026-11-01")) == Instant(iso: "2026-11-01T05:30:00Z"))
    }

    @Test(
        "period labels",
        arguments: [
            (PeriodKind.year, "2026-12-31", 0, "2026"), (.year, "2027-01-31", 1, "2026"),
            (.halfYear, "2026-06-30", 0, "2026-H1"),
            (.halfYear, "2026-07-01", 0, "2026-H2"), (.halfYear, "2026-01-31", 1, "2025-H2"),
            (.quarter, "2026-12-31", 0, "2026-Q4"),
            (.quarter, "2026-01-15", 1, "2025-Q4"), (.month, "2026-01-31", 1, "2025-12"),
            (.week, "2026-12-31", 0, "2026-W53"),
            (.week, "2027-01-01", 0, "2026-W53"), (.week, "2024-12-30", 0, "2025-W01"),
            (.day, "2026-11-29", 0, "2026-11-29"),
        ]
    )
    func periodLabels(kind: PeriodKind, date: String, lag: Int, label: String) {
        #expect(kind.label(of: Fixture.date(date), lag: lag) == label)
    }

    @Test(
        "receipt (签收) due 3 working days after the first notice counts the make-up Saturday before Spring Festival; the urging waits for the holiday's end"
    )
    func receiptOverSpringFestival() throws {
        // Given a report due Friday 13 March 2026, reminded 30 days before (Wednesday 11 February),
        // receipt asked within 3 working days, the parent region's propaganda head in copy of the urging
        var report = F.obligation("report", kinds: ["committee"], F.onCalendar("*-03-13", period: .year))
        report.acknowledge = DutyDuration(3, .workingDays)
        report.urgeAlso = [RecipientSpec(Relation(.parentRegion, department: "propaganda"), roles: ["head"])]
        let planner = F.planner(F.policy(report))
        let o = try #require(F.occurrences(planner, year: 2026)["report/gd.gz.panyu/2026"])
        // Then 12 Feb, 13 Feb and the make-up working Saturday 14 Feb are the three days: due by its end
        #expect(o.timing.steps.first?.name == "reminder-30d")
        #expect(o.timing.steps.first?.day.date == F.date("2026-02-11"))
        #expect(o.timing.receiptDue == F.at("2026-02-14T23:59:59"))
        // and the urging goes out on the first working day after the holiday (15–23 February), at 09:00
        let urging = try #require(o.timing.steps.first { $0.kind == .urging })
        #expect(urging.at == F.at("2026-02-24T09:00:00"))
        #expect(
            o.timing.steps.map(\.name) == [
                "reminder-30d", "urging", "reminder-7d", "reminder-1d", "due", "escalation-1", "escalation-2",
            ]
        )
        let to = planner.recipients(urging.recipients, obligation: o.obligation, subject: o.subject).compactMap {
            $0.official.map { planner.organisation.officials[Int($0)].id }
        }
        #expect(to == ["py.clerk", "gz.xcb.head"])

        // Receipt: nothing asked before the first notice, then awaited, then given on time or late
        #expect(planner.receiptState(o, at: F.at("2026-02-10T12:00:00")) == nil)
        #expect(planner.receiptState(o, at: F.at("2026-02-12T12:00:00"))?.state == .awaiting)
        func received(_ at: String) -> DutyRecords {
            DutyRecords(receipts: [Receipt(occurrence: o.id, at: F.at(at), by: "py.clerk", how: "api")])
        }
        for (at, state) in [
            ("2026-02-14T20:00:00", Occurrence.ReceiptState.received), ("2026-02-24T08:00:00", .receivedLate),
        ] {
            let given = try #require(F.occurrences(planner, year: 2026, records: received(at))[o.id.description])
            #expect(planner.receiptState(given, at: F.at("2026-02-25T00:00:00"))?.state == state, "\(at)")
        }
        // A completion is a receipt, by the end of the day it was done however late it was typed in
        let done = DutyRecords(completions: [F.completion("report/gd.gz.panyu/2026", on: "2026-02-13")])
        let completed = try #require(F.occurrences(planner, year: 2026, records: done)[o.id.description])
        #expect(planner.receiptState(completed, at: F.at("2026-02-25T00:00:00"))?.state == .received)

        // The dispatcher's pass on 24 February: the urging for those without receipt only
        func urged(_ records: DutyRecords) -> [String] {
            var out: [String] = []
            planner.plan(from: F.date("2026-01-01"), through: F.date("2026-12-31"), records: records).forEachDue(
                in: F.at("2026-02-24T00:00:00")..<F.at("2026-02-25T00:00:00")
            ) { ob, s, t, steps in
                if t.steps[steps].contains(where: { $0.kind == .urging }) {
                    out.append(planner.subjectID(s, obligation: ob))
                }
            }
            return out.sorted()
        }
        #expect(urged(DutyRecords()) == ["gd", "gd.gz", "gd.gz.panyu"])
        #expect(urged(received("2026-02-14T20:00:00")) == ["gd", "gd.gz"])
        #expect(urged(done) == ["gd", "gd.gz"])

        // Without acknowledge: no receipt, no urging
        let plain = F.planner(
            F.policy(F.obligation("report", kinds: ["committee"], F.onCalendar("*-03-13", period: .year)))
        )
        let p = try #require(F.occurrences(plain, year: 2026)["report/gd.gz.panyu/2026"])
        #expect(p.timing.receiptDue == nil && !p.timing.steps.contains { $0.kind == .urging })
        #expect(plain.receiptState(p, at: F.at("2026-02-25T00:00:00")) == nil)
    }
}
