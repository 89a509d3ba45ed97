import DutyCalendar
import DutyCore
import DutyFiles
import DutyOperations
import DutyQueries
import DutyStore
import DutyTestScoping
import Foundation
import Testing

/// The shipped example (config/dutyd.toml, the regulation's policy, the example organisation) as an
/// administrator meets it on 29 November 2026: the acceptance scenario, on the real files.
@Suite("Example configuration", .ownThreads)
struct ExampleConfigurationTests {
    static let repo = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()
    static let today = CivilDate(iso: "2026-11-29")!
    static let now = Instant(iso: "2026-11-29T09:00:00+08:00")!

    /// The example loaded into a fresh in-memory store, units added today.
    static func load() throws -> (Workspace, DutyStore) {
        let settings = try Settings.load(path: repo.appendingPathComponent("config/dutyd.toml").path)
        let workspace = try Workspace.load(settings)
        let store = try DutyStore()
        let units = try OrganisationCSV.units(
            Array(try Data(contentsOf: repo.appendingPathComponent("config/organisation/units.csv"))),
            file: "units.csv",
            policy: workspace.policy,
            addedOn: today
        )
        _ = try store.importUnits(units.map(\.value), replace: false)
        let officials = try OrganisationCSV.officials(
            Array(try Data(contentsOf: repo.appendingPathComponent("config/organisation/officials.csv"))),
            file: "officials.csv",
            policy: workspace.policy
        )
        _ = try store.importOfficials(officials.map(\.value), replace: false)
        return (workspace, store)
    }

    static func upcoming(_ workspace: Workspace, _ store: DutyStore) throws -> [String: Occurrence] {
        var q = OccurrenceQuery(at: now)
        q.within = DutyDuration(400, .days)
        let list = try workspace.planner(store).upcoming(q, records: try store.records())
        return Dictionary(list.map { ($0.id.description, $0) }, uniquingKeysWith: { a, _ in a })
    }

    @Test("the regulation's policy has every obligation of the catalogue, with its article")
    func catalogue() throws {
        let (workspace, _) = try Self.load()
        let articles = Dictionary(uniqueKeysWithValues: workspace.policy.obligations.map { ($0.id, $0.article) })
        let expected = [
            "semiannual-report": "第七条", "propaganda-summary": "第七条", "unit-situation-report": "第七条",
            "standing-committee-study": "第四条(三)", "situation-analysis": "第四条(三)", "party-briefing": "第四条(三)",
            "joint-meeting": "第五条(三)", "annual-supervision": "第五条(五)", "supervision-result-report": "第五条(五)",
            "plenary-report": "第七条", "duty-report": "第七条", "annual-assessment": "第八条", "cadre-training": "第四条(二)",
            "major-situation-report": "第四条(三)", "accountability-filing": "第十四条",
        ]
        #expect(articles == expected)
    }

    @Test("upcoming over 400 days lists every scheduled obligation for every unit it applies to")
    func everyObligationForEveryUnit() throws {
        let (workspace, store) = try Self.load()
        let planner = try workspace.planner(store)
        let found = try Self.upcoming(workspace, store)
        for (o, ob) in workspace.policy.obligations.enumerated() {
            switch ob.deadline {
            case .event, .completion: continue  // nothing triggered yet
            default: break
            }
            for s in planner.subjects(of: o) {
                let subject = planner.subjectID(s, obligation: o)
                #expect(found.keys.contains { $0.hasPrefix("\(ob.id)/\(subject)/") }, "\(ob.id) missing for \(subject)")
            }
            #expect(!planner.subjects(of: o).isEmpty, "\(ob.id) applies to nobody in the example")
        }
    }

    @Test("deadlines are the catalogue's defaults after shifting")
    func defaultDeadlines() throws {
        let (workspace, store) = try Self.load()
        let found = try Self.upcoming(workspace, store)
        func date(_ id: String) -> String? { found[id]?.timing.date.description }
        #expect(date("semiannual-report/gd.gz/2026-H2") == "2026-12-31")
        #expect(date("semiannual-report/gd.gz/2027-H1") == "2027-06-30")
        #expect(date("annual-supervision/gd.xcb/2026") == "2026-11-30")
        #expect(date("propaganda-summary/gd.gz.xcb/2027-H1") == "2027-06-30")
        // Sunday 31 October 2027 and Sunday 31 January 2027 move back to the Friday (weekend rule, provisional)
        #expect(date("cadre-training/gd.gz/2027") == "2027-10-29")
        #expect(date("duty-report/huang.zhiqiang/2026") == "2027-01-29")
        #expect(found["duty-report/huang.zhiqiang/2026"]?.timing.provisional == true)
        #expect(date("situation-analysis/gd.gz.jyj/2027-Q1") == "2027-03-31")
        #expect(date("standing-committee-study/gd/2027-c1") == "2027-06-30")
    }

    @Test("derived deadlines sit 10 days before the local propaganda department's summary")
    func derivedDeadlines() throws {
        let (workspace, store) = try Self.load()
        let found = try Self.upcoming(workspace, store)
        // The school in Panyu reports to the Panyu propaganda department: 31 December − 10 days = 21 December
        let h2 = try #require(found["unit-situation-report/gd.gz.panyu.school1/2026-H2"])
        #expect(h2.timing.raw == CivilDate(iso: "2026-12-21"))
        #expect(h2.timing.date == CivilDate(iso: "2026-12-21"))
        // 30 June 2027 − 10 days = Sunday 20 June, moved back to Friday 18 June
        let h1 = try #require(found["unit-situation-report/gd.gz.panyu.school1/2027-H1"])
        #expect(h1.timing.raw == CivilDate(iso: "2027-06-20"))
        #expect(h1.timing.date == CivilDate(iso: "2027-06-18"))
        for o in found.values where o.id.obligation == "unit-situation-report" {
            guard case .derived(_, _, let source, _, _) = o.timing.origin else { continue }
            #expect(o.timing.raw == source.adding(days: -10))
        }
    }

    @Test("a quota obligation with one completion this year still shows its second checkpoint")
    func quotaSecondCheckpoint() throws {
        let (workspace, store) = try Self.load()
        try store.complete(
            Completion(
                occurrence: OccurrenceID("standing-committee-study/gd.gz/2026-c1")!,
                on: CivilDate(iso: "2026-05-10")!,
                recordedAt: Self.now,
                by: "admin"
            ),
            repeatable: true
        )
        let found = try Self.upcoming(workspace, store)
        #expect(found["standing-committee-study/gd.gz/2026-c2"]?.timing.date == CivilDate(iso: "2026-12-31"))
        var q = OccurrenceQuery(at: Self.now)
        q.states = [.late]
        let late = try workspace.planner(store).overdue(q, records: try store.records())
        // Units were added today: nothing from before is overdue, not even an unmet first checkpoint
        #expect(late.isEmpty)
    }

    @Test("completing annual-supervision creates supervision-result-report with its deadline")
    func completionTriggers() throws {
        let (workspace, store) = try Self.load()
        #expect(
            try Self.upcoming(workspace, store).keys.contains { $0.hasPrefix("supervision-result-report/") } == false
        )
        try store.complete(
            Completion(
                occurrence: OccurrenceID("annual-supervision/gd.xcb/2026")!,
                on: CivilDate(iso: "2026-11-27")!,
                recordedAt: Self.now,
                by: "admin"
            ),
            repeatable: false
        )
        let found = try Self.upcoming(workspace, store)
        // 27 November + 15 days = Saturday 12 December → Friday 11 December
        #expect(found["supervision-result-report/gd.xcb/2026"]?.timing.date == CivilDate(iso: "2026-12-11"))
        #expect(found["annual-supervision/gd.xcb/2026"] == nil)
    }

    @Test("recording a major-situation event creates major-situation-report")
    func eventTriggers() throws {
        let (workspace, store) = try Self.load()
        let e = try store.record(
            Event(id: "", kind: "major-situation", unit: "gd.sz", on: Self.today, recordedAt: Self.now, by: "admin")
        )
        let found = try Self.upcoming(workspace, store)
        // Sunday 29 November + 1 day = Monday 30 November
        #expect(found["major-situation-report/gd.sz/\(e.id)"]?.timing.date == CivilDate(iso: "2026-11-30"))
    }

    @Test("overdue: with tracking from 1 January, the first half-year's unmet duties are late and red")
    func overdue() throws {
        let (loaded, store) = try Self.load()
        var settings = loaded.settings
        settings.trackFrom = CivilDate(iso: "2026-01-01")
        let workspace = Workspace(settings: settings, policy: loaded.policy, workdays: loaded.workdays)
        try store.complete(
            Completion(
                occurrence: OccurrenceID("semiannual-report/gd.gz/2026-H1")!,
                on: CivilDate(iso: "2026-07-03")!,
                recordedAt: Self.now,
                by: "admin"
            ),
            repeatable: false
        )
        let planner = try workspace.planner(store)
        let late = try planner.overdue(OccurrenceQuery(at: Self.now), records: try store.records())
        let ids = Set(late.map(\.id.description))
        #expect(ids.contains("semiannual-report/gd/2026-H1"))
        #expect(!ids.contains("semiannual-report/gd.gz/2026-H1"))
        #expect(ids.contains("situation-analysis/gd.gz/2026-Q3"))
        #expect(late.allSatisfy { $0.colour(at: Self.now) == .red && $0.timing.deadline < Self.now })
        #expect(!ids.contains { $0.hasPrefix("annual-supervision/") })  // due tomorrow, not late
        var done = OccurrenceQuery(at: Self.now)
        done.states = [.done]
        let met = try planner.overdue(done, records: try store.records())
        #expect(met.map(\.id.description) == ["semiannual-report/gd.gz/2026-H1"])
        #expect(met.first?.doneLate == true)
    }

    @Test("a --unit --subtree query covers exactly that county")
    func subtreeQuery() throws {
        let (workspace, store) = try Self.load()
        var q = OccurrenceQuery(at: Self.now)
        q.within = DutyDuration(400, .days)
        q.unit = "gd.gz.panyu"
        q.subtree = true
        let planner = try workspace.planner(store)
        let list = try planner.upcoming(q, records: try store.records())
        #expect(!list.isEmpty)
        let units = Set(list.map { planner.view($0, now: Self.now).unit })
        #expect(units == ["gd.gz.panyu", "gd.gz.panyu.xcb", "gd.gz.panyu.school1"])
        #expect(list.contains { $0.id.obligation == "duty-report" })
        #expect(list.contains { $0.id.subject == "gd.gz.panyu.school1" })
    }
}
