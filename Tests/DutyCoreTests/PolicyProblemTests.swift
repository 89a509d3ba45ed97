import DutyCalendar
import DutyCore
import DutyTestScoping
import Testing

@Suite("Policy references", .ownThreads)
struct PolicyProblemTests {
    typealias F = Fixture

    @Test("a cycle of derived deadlines is refused and named")
    func cycle() {
        let offset = Offset(DutyDuration(3, .days), before: true)
        let policy = F.policy(
            F.obligation("a", kinds: ["unit"], .derived(from: "b", at: .ownUnit, offset: offset)),
            F.obligation("b", kinds: ["unit"], .derived(from: "a", at: .ownUnit, offset: offset))
        )
        let messages = policy.problems().map(\.message)
        #expect(
            messages.contains {
                $0.contains("a cycle of derived deadlines") && $0.contains("a → b → a") || $0.contains("b → a → b")
            }
        )
    }

    @Test("unknown kinds, roles, relations and sources are each reported with the key they concern")
    func unknownReferences() {
        var bad = F.obligation(
            "x",
            kinds: ["comittee"],
            .derived(
                from: "nothing",
                at: Relation(.region, department: "propoganda"),
                offset: Offset(DutyDuration(1, .days), before: true)
            )
        )
        bad.remindTo = [RecipientSpec(.ownUnit, roles: ["clerck"])]
        let problems = F.policy(bad).problems()
        let text = problems.map(\.message).joined(separator: "\n")
        #expect(text.contains("unknown unit kind 'comittee'"))
        #expect(text.contains("unknown obligation 'nothing'"))
        #expect(text.contains("unknown unit kind 'propoganda'"))
        #expect(text.contains("unknown role 'clerck'"))
        #expect(problems.allSatisfy { $0.key?.hasPrefix("obligation.x") == true })
    }

    @Test("the organisation: subtrees are ranges, relations find the region's departments")
    func relations() throws {
        // The ladder's recipients name parent-region/propaganda: the planner indexes those departments.
        let planner = F.planner(
            F.policy(F.obligation("report", kinds: ["committee"], F.onCalendar("*-06-30", period: .year)))
        )
        let org = planner.organisation
        let panyu = try #require(org.index["gd.gz.panyu"])
        let school = try #require(org.index["gd.gz.panyu.school1"])
        let gz = try #require(org.index["gd.gz"])
        #expect(org.isInSubtree(school, of: gz))
        #expect(!org.isInSubtree(gz, of: panyu))
        #expect(planner.unit(Relation(.region), from: school) == panyu)
        #expect(planner.unit(Relation(.parentRegion), from: school) == gz)
        #expect(planner.unit(Relation(.region, department: "propaganda"), from: school) == org.index["gd.gz.panyu.xcb"])
        #expect(planner.unit(Relation(.parentRegion, department: "propaganda"), from: panyu) == org.index["gd.gz.xcb"])
        // A propaganda department's region is its committee; the root has no parent region
        #expect(planner.unit(Relation(.region), from: org.index["gd.gz.xcb"]!) == gz)
        #expect(planner.unit(Relation(.parentRegion), from: org.index["gd"]!) == -1)
    }
}
