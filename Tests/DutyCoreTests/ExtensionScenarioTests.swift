import DutyCalendar
import DutyCore
import DutyTestScoping
import Testing

/// Extensions (延期) on China's real 2026 calendar: the rules a request must meet, and what an
/// approved one does to its occurrence and nothing else.
@Suite("Extension scenarios", .ownThreads)
struct ExtensionScenarioTests {
    typealias F = Fixture

    /// A report due Friday 13 February 2026, the last working day before Spring Festival (15–23
    /// February off, Saturdays 14 and 28 February worked); extensions asked 3 working days ahead, at
    /// most 15 working days, decided by the parent region's propaganda head.
    static func planner() -> Planner {
        var report = F.obligation("report", kinds: ["committee"], F.onCalendar("*-02-13", period: .year))
        report.extensionRule = ExtensionRule(
            requestBefore: DutyDuration(3, .workingDays),
            longest: DutyDuration(15, .workingDays),
            approvers: [RecipientSpec(Relation(.parentRegion, department: "propaganda"), roles: ["head"])]
        )
        return F.planner(F.policy(report))
    }

    static let id = OccurrenceID("report/gd.gz.panyu/2026")!

    static func request(
        until: String,
        at: String,
        number: Int64 = 1,
        state: ExtensionRequest.State = .pending,
        decidedAt: String? = nil
    ) -> ExtensionRequest {
        ExtensionRequest(
            number: number,
            occurrence: id,
            until: F.date(until),
            reason: "年终总结会议改期",
            requestedAt: F.at(at),
            requestedBy: "py.clerk",
            how: "api",
            state: state,
            decidedAt: decidedAt.map(F.at),
            decidedBy: decidedAt == nil ? nil : "gz.xcb.head"
        )
    }

    @Test("a request must come 3 working days before the deadline day: 2 are refused, and one after the deadline")
    func requestRules() throws {
        let planner = Self.planner()
        let o = try #require(F.occurrences(planner, year: 2026)[Self.id.description])
        #expect(o.timing.date == F.date("2026-02-13"))
        func refusal(_ until: String, at: String, requests: [ExtensionRequest] = []) -> String? {
            planner.extensionRefusal(o, until: F.date(until), at: F.at(at), requests: requests)
        }
        // Tuesday 10 February is 3 working days before (11, 12, 13): accepted to the day's end
        #expect(refusal("2026-02-25", at: "2026-02-10T23:00:00") == nil)
        // Wednesday 11 February leaves 2: refused, saying by when it had to come
        let late = try #require(refusal("2026-02-25", at: "2026-02-11T09:00:00"))
        #expect(late.contains("3wd before the deadline day 2026-02-13 (by 2026-02-10)"), "\(late)")
        // After the deadline: refused as such
        let after = try #require(refusal("2026-02-25", at: "2026-02-14T00:00:01"))
        #expect(after.contains("a request after the deadline is refused"), "\(after)")
        // 15 working days after 13 February, counting both worked Saturdays and skipping the festival,
        // is Thursday 12 March: the 13th is too far
        #expect(refusal("2026-03-12", at: "2026-02-09T10:00:00") == nil)
        let far = try #require(refusal("2026-03-13", at: "2026-02-09T10:00:00"))
        #expect(far.contains("2026-03-12 at the latest"), "\(far)")
        // A day of the festival is not a deadline day: the nearest working days are named
        let off = try #require(refusal("2026-02-20", at: "2026-02-09T10:00:00"))
        #expect(off.contains("not a working day") && off.contains("2026-02-14 or 2026-02-24"), "\(off)")
        // Not later than the deadline, and one waiting request at a time
        #expect(refusal("2026-02-13", at: "2026-02-09T10:00:00")?.contains("not after the current one") == true)
        let waiting = [Self.request(until: "2026-02-25", at: "2026-02-09T10:00:00")]
        #expect(refusal("2026-02-26", at: "2026-02-09T11:00:00", requests: waiting)?.contains("ext-1") == true)
        // An obligation without `extension` allows none
        let plain = F.planner(
            F.policy(F.obligation("report", kinds: ["committee"], F.onCalendar("*-02-13", period: .year)))
        )
        let p = try #require(F.occurrences(plain, year: 2026)[Self.id.description])
        #expect(
            plain.extensionRefusal(p, until: F.date("2026-02-25"), at: F.at("2026-02-09T10:00:00"), requests: [])?
                .contains("allows no extension") == true
        )
    }

    @Test("an extension approved across Spring Festival moves that occurrence's deadline and later steps, no other")
    func approvedAcrossSpringFestival() throws {
        let planner = Self.planner()
        // Asked on Monday 9 February for Wednesday 25 February, approved on Tuesday 10 February at 15:00
        let approved = Self.request(
            until: "2026-02-25",
            at: "2026-02-09T10:00:00",
            state: .approved,
            decidedAt: "2026-02-10T15:00:00"
        )
        let records = DutyRecords(extensions: [approved])
        let all = F.occurrences(planner, year: 2026, records: records)
        let o = try #require(all[Self.id.description])
        // Then the deadline is the 25th; the reminder 7 days before (the 18th, in the festival) moves
        // back to the worked Saturday 14th, the one a day before is Tuesday 24th; the 30-day reminder
        // would fall before the approval and is not planned
        #expect(o.timing.date == F.date("2026-02-25"))
        #expect(o.timing.deadline == F.at("2026-02-25T23:59:59"))
        #expect(o.timing.extensionGranted?.from == F.date("2026-02-13"))
        #expect(
            o.timing.steps.map(\.name) == [
                "reminder-7d@2026-02-25", "reminder-1d@2026-02-25", "due@2026-02-25", "escalation-1@2026-02-25",
                "escalation-2@2026-02-25",
            ]
        )
        #expect(
            o.timing.steps.map { $0.day.date.description } == [
                "2026-02-14", "2026-02-24", "2026-02-25", "2026-03-04", "2026-03-27",
            ]
        )
        // Every other unit keeps 13 February
        for other in ["report/gd/2026", "report/gd.gz/2026"] {
            #expect(all[other]?.timing.date == F.date("2026-02-13"), "\(other)")
        }
        // The occurrence is listed once, under its new day
        #expect(all.keys.filter { $0 == Self.id.description }.count == 1)
        // Done on the 25th it is on time; on the 26th, late
        for (on, late) in [("2026-02-25", false), ("2026-02-26", true)] {
            let done = DutyRecords(
                completions: [F.completion(Self.id.description, on: on)],
                extensions: [approved]
            )
            let d = try #require(F.occurrences(planner, year: 2026, records: done)[Self.id.description])
            #expect(d.doneLate == late, "\(on)")
        }
        // Looked up by id, as `explain` and `done` do, it is the extended one
        #expect(planner.occurrence(Self.id, records: records)?.timing.date == F.date("2026-02-25"))

        // The dispatcher's pass on 13 February sends the others their due notice, not this one
        func due(in window: Range<Instant>, _ records: DutyRecords) -> [String] {
            var out: [String] = []
            planner.plan(from: F.date("2026-01-01"), through: F.date("2026-12-31"), records: records).forEachDue(
                in: window
            ) { ob, s, t, steps in
                for k in steps { out.append("\(planner.subjectID(s, obligation: ob)) \(t.steps[k].name)") }
            }
            return out.sorted()
        }
        let thirteenth = F.at("2026-02-13T00:00:00")..<F.at("2026-02-14T00:00:00")
        #expect(due(in: thirteenth, records) == ["gd due", "gd.gz due"])
        #expect(due(in: thirteenth, DutyRecords()) == ["gd due", "gd.gz due", "gd.gz.panyu due"])
        #expect(
            due(in: F.at("2026-02-25T00:00:00")..<F.at("2026-02-26T00:00:00"), records) == [
                "gd.gz.panyu due@2026-02-25"
            ]
        )
    }

    @Test("the request goes to the approvers while it waits, the decision to the people reminded, each once")
    func notices() throws {
        let planner = Self.planner()
        func notices(_ r: ExtensionRequest, in window: Range<Instant>) -> [String] {
            var out: [String] = []
            let plan = planner.plan(
                from: F.date("2026-01-01"),
                through: F.date("2026-12-31"),
                records: DutyRecords(extensions: [r])
            )
            plan.forEachNotice(in: window) { ob, s, t, k in
                let people = planner.recipients(t.notices[k].recipients, obligation: ob, subject: s).compactMap {
                    $0.official.map { planner.organisation.officials[Int($0)].id }
                }
                out.append("\(t.notices[k].name) → \(people.joined(separator: " "))")
            }
            return out
        }
        let day = F.at("2026-02-09T00:00:00")..<F.at("2026-02-11T00:00:00")
        let pending = Self.request(until: "2026-02-25", at: "2026-02-09T10:00:00")
        #expect(notices(pending, in: day) == ["ext-1-requested → gz.xcb.head"])
        // Outside the window: nothing
        #expect(notices(pending, in: F.at("2026-02-10T00:00:00")..<F.at("2026-02-11T00:00:00")).isEmpty)
        // Decided: the approvers are not asked again; the clerk is told
        for state in [ExtensionRequest.State.approved, .denied] {
            let decided = Self.request(
                until: "2026-02-25",
                at: "2026-02-09T10:00:00",
                state: state,
                decidedAt: "2026-02-10T15:00:00"
            )
            #expect(notices(decided, in: day) == ["ext-1-\(state.rawValue) → py.clerk"])
        }
        // A denied request leaves the deadline where it was
        let denied = Self.request(
            until: "2026-02-25",
            at: "2026-02-09T10:00:00",
            state: .denied,
            decidedAt: "2026-02-10T15:00:00"
        )
        let o = try #require(
            F.occurrences(planner, year: 2026, records: DutyRecords(extensions: [denied]))[Self.id.description]
        )
        #expect(o.timing.date == F.date("2026-02-13") && o.timing.extensionGranted == nil)
        #expect(o.timing.steps.last?.name == "escalation-2")
    }
}
