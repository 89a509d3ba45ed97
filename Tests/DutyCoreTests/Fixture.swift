import DutyCalendar
import DutyCore
import DutyFiles
import Foundation

/// A small region tree on China's real holiday data, and helpers to build obligations in the terms the
/// regulation uses. Scenario tests say Given (policy, organisation, records), When (a plan or a query),
/// Then (dates, states, recipients).
enum Fixture {
    static let repo = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()
    static let workdays = try! WorkingDayCalendar.load(directories: [
        repo.appendingPathComponent("config/holidays/cn").path
    ])
    static let shanghai = Zone.named("Asia/Shanghai")!

    static func date(_ s: String) -> CivilDate { CivilDate(iso: s)! }
    static func at(_ s: String) -> Instant { Instant(iso: s, zone: shanghai)! }

    static let kinds: [String: Policy.Kind] = [
        "committee": .init(name: "党委", region: true), "propaganda": .init(name: "党委宣传部"),
        "party-group": .init(name: "党组"), "unit": .init(name: "单位"),
    ]
    static let roles = ["secretary": "书记", "deputy": "分管领导", "member": "成员", "head": "部长", "clerk": "联络员"]

    /// The regulation's escalation ladder (regulation README, 第十二条–第十四条).
    static let ladder: [LadderStep] = {
        let due = [RecipientSpec(.ownUnit, roles: ["clerk", "deputy", "secretary", "head"])]
        let second = due + [RecipientSpec(Relation(.parentRegion, department: "propaganda"), roles: ["head"])]
        let third = second + [RecipientSpec(Relation(.parentRegion), roles: ["secretary"])]
        return [
            LadderStep(kind: .due, after: DutyDuration(0, .days), recipients: due),
            LadderStep(kind: .escalation, after: DutyDuration(7, .days), recipients: second),
            LadderStep(kind: .escalation, after: DutyDuration(30, .days), recipients: third),
        ]
    }()

    static func obligation(
        _ id: String,
        kinds: Set<String>,
        _ deadline: DeadlineRule,
        shift: ShiftRule = .previousWorkday,
        remind: [DutyDuration] = [DutyDuration(30, .days), DutyDuration(7, .days), DutyDuration(1, .days)]
    ) -> Obligation {
        Obligation(
            id: id,
            title: id,
            article: "第七条",
            appliesTo: .units(kinds: kinds, levels: nil),
            deadline: deadline,
            shift: shift,
            remind: remind,
            remindTo: [RecipientSpec(.ownUnit, roles: ["clerk"])],
            ladder: ladder,
            responsible: ["secretary", "deputy", "clerk"]
        )
    }

    static func onCalendar(_ exprs: String..., period: PeriodKind, lag: Int = 0) -> DeadlineRule {
        .periodic(
            schedules: exprs.map { .onCalendar(try! CalendarSpec.parse($0, localZone: shanghai), text: $0) },
            period: period,
            lag: lag
        )
    }

    static func policy(_ obligations: Obligation...) -> Policy {
        Policy(
            kinds: kinds,
            roles: roles,
            mainLiability: ["secretary", "deputy"],
            importantLiability: ["member"],
            obligations: obligations
        )
    }

    /// Province gd with its propaganda department; city gd.gz with one; county gd.gz.panyu with one and a
    /// school. Every unit tracked from 2026-01-01.
    static let organisation: Organisation = {
        let added = date("2026-01-01")
        func u(_ id: String, _ name: String, _ kind: String, _ parent: String?) -> OrgUnit {
            OrgUnit(id: id, name: name, kind: kind, parent: parent, addedOn: added)
        }
        let units = [
            u("gd", "广东省委", "committee", nil), u("gd.xcb", "省委宣传部", "propaganda", "gd"),
            u("gd.gz", "广州市委", "committee", "gd"), u("gd.gz.xcb", "市委宣传部", "propaganda", "gd.gz"),
            u("gd.gz.panyu", "番禺区委", "committee", "gd.gz"), u("gd.gz.panyu.xcb", "区委宣传部", "propaganda", "gd.gz.panyu"),
            u("gd.gz.panyu.school1", "区第一中学党委", "unit", "gd.gz.panyu"),
        ]
        let officials = [
            Official(id: "gd.sec", name: "王书记", unit: "gd", roles: ["secretary"]),
            Official(id: "gd.xcb.head", name: "孙部长", unit: "gd.xcb", roles: ["head"]),
            Official(id: "gz.sec", name: "黄书记", unit: "gd.gz", roles: ["secretary"]),
            Official(id: "gz.xcb.head", name: "杨部长", unit: "gd.gz.xcb", roles: ["head"]),
            Official(id: "py.sec", name: "唐书记", unit: "gd.gz.panyu", roles: ["secretary"]),
            Official(id: "py.dep", name: "许副书记", unit: "gd.gz.panyu", roles: ["deputy"]),
            Official(id: "py.mem", name: "曹委员", unit: "gd.gz.panyu", roles: ["member"]),
            Official(id: "py.clerk", name: "曾联络员", unit: "gd.gz.panyu", roles: ["clerk"]),
            Official(id: "py.xcb.head", name: "彭部长", unit: "gd.gz.panyu.xcb", roles: ["head"]),
            Official(id: "school.clerk", name: "萧联络员", unit: "gd.gz.panyu.school1", roles: ["clerk"]),
        ]
        return Organisation(units: units, officials: officials)
    }()

    static func planner(_ policy: Policy, organisation: Organisation = organisation) -> Planner {
        Planner(policy: policy, organisation: organisation, workdays: workdays, zone: shanghai)
    }

    /// All occurrences with a deadline in `year`, by id.
    static func occurrences(_ planner: Planner, year: Int, records: DutyRecords = DutyRecords()) -> [String: Occurrence]
    {
        let lo = CivilDate(year: year, month: 1, day: 1)!
        let hi = CivilDate(year: year, month: 12, day: 31)!
        var out: [String: Occurrence] = [:]
        planner.plan(from: lo, through: hi, records: records).forEachOccurrence(deadlines: lo, through: hi) {
            out[$0.id.description] = $0
        }
        return out
    }

    static func completion(_ id: String, on: String) -> Completion {
        Completion(occurrence: OccurrenceID(id)!, on: date(on), recordedAt: at(on + "T18:00:00"), by: "test")
    }
}
