import DutyCalendar
import DutyCore
import DutyFiles
import DutyQueries
import DutyTestScoping
import DutyTestSupport
import Foundation
import Testing

/// Every mistake an administrator can make in a policy file is reported with file, line and column,
/// and what was expected.
@Suite("Policy files", .ownThreads)
struct PolicyFileTests {
    static let zone = Zone.named("Asia/Shanghai")!

    static let header = """
        [kinds]
        committee = { name = "党委", region = true }
        propaganda = "宣传部"
        unit = "单位"
        [roles]
        secretary = "书记"
        clerk = "联络员"
        [defaults]
        remind = ["7d"]
        remind_to = [{ unit = "self", roles = ["clerk"] }]

        """

    static func problems(_ body: String) -> [PolicyProblem] {
        do {
            _ = try PolicyFiles.parse([(file: "p.toml", text: header + body)], zone: zone)
            return []
        } catch {
            return error.problems
        }
    }

    /// The header above is 10 lines long; `line` counts in the body.
    static func expectProblem(
        _ body: String,
        line: Int,
        column: Int? = nil,
        _ contains: String,
        sourceLocation: SourceLocation = #_sourceLocation
    ) {
        let p = problems(body)
        #expect(p.count == 1, "\(p)", sourceLocation: sourceLocation)
        guard let first = p.first else { return }
        #expect(first.file == "p.toml", sourceLocation: sourceLocation)
        #expect(first.line == line + 10, "\(first)", sourceLocation: sourceLocation)
        if let column { #expect(first.column == column, "\(first)", sourceLocation: sourceLocation) }
        #expect(first.message.contains(contains), "\(first.message)", sourceLocation: sourceLocation)
    }

    static let good = """
        [obligation.report]
        title = "汇报"
        applies_to = { kinds = ["committee"] }
        schedule = ["*-06-30", "*-12-31"]
        period = "half-year"

        """

    @Test("a good policy reads: schedules, period, defaults")
    func good() throws {
        let policy = try PolicyFiles.parse([(file: "p.toml", text: Self.header + Self.good)], zone: Self.zone)
        let o = try #require(policy.obligation("report"))
        #expect(o.remind == [DutyDuration(7, .days)])
        #expect(o.inherited.contains("remind_to"))
        #expect(o.ruleSummary == "OnCalendar *-06-30, OnCalendar *-12-31 (half-year)")
    }

    @Test("an RRULE schedule with its first day; levels; rules finer than a day are refused")
    func rruleAndLevels() throws {
        let body = """
            [obligation.report]
            title = "汇报"
            applies_to = { kinds = ["committee"], levels = [1, 2] }
            rrule = "FREQ=YEARLY;BYMONTH=6,12;BYMONTHDAY=-1"
            dtstart = "2026-01-01"
            period = "half-year"
            """
        let policy = try PolicyFiles.parse([(file: "p.toml", text: Self.header + body)], zone: Self.zone)
        let o = try #require(policy.obligation("report"))
        guard case .periodic(let schedules, .halfYear, 0) = o.deadline else {
            Issue.record("expected a half-yearly periodic rule")
            return
        }
        let days = Planner.days(
            of: schedules,
            zone: Self.zone,
            from: CivilDate(iso: "2026-01-01")!,
            through: CivilDate(iso: "2027-12-31")!
        )
        #expect(days.map(\.description) == ["2026-06-30", "2026-12-31", "2027-06-30", "2027-12-31"])
        #expect(o.appliesTo == .units(kinds: ["committee"], levels: [1, 2]))
        Self.expectProblem(
            body.replacingOccurrences(of: "FREQ=YEARLY;BYMONTH=6,12;BYMONTHDAY=-1", with: "FREQ=HOURLY"),
            line: 4,
            column: 1,
            "finer than DAILY"
        )
        Self.expectProblem(
            body.replacingOccurrences(of: "2026-01-01", with: "1 January"),
            line: 5,
            column: 1,
            "dtstart: expected a date"
        )
    }

    @Test("an unknown key is named, with the keys expected")
    func unknownKey() {
        Self.expectProblem(
            Self.good + "sheduel = 1\n",
            line: 6,
            column: 1,
            "unknown key 'sheduel' in [obligation.report]; expected one of title"
        )
    }

    @Test("a wrong type says what was expected")
    func wrongType() {
        Self.expectProblem(
            Self.good.replacingOccurrences(of: "period = \"half-year\"", with: "period = 6"),
            line: 5,
            column: 1,
            "period: expected a period in quotes, found an integer"
        )
    }

    @Test("an expression that does not parse is placed on its own line")
    func badExpression() {
        let body = """
            [obligation.report]
            title = "汇报"
            applies_to = { kinds = ["committee"] }
            schedule = [
              "*-06-30",
              "*-13-31",
            ]
            period = "half-year"
            """
        Self.expectProblem(body, line: 6, column: 3, "invalid calendar expression '*-13-31'")
    }

    @Test("an unknown obligation reference")
    func unknownReference() {
        let body =
            Self.good + """
                [obligation.derived-one]
                title = "派生"
                applies_to = { kinds = ["unit"] }
                derived = { from = "reprot", at = "region/propaganda", before = "10d" }
                """
        Self.expectProblem(body, line: 9, column: 1, "derived from unknown obligation 'reprot'")
    }

    @Test("an unknown role in [defaults] is reported once, where [defaults] says it")
    func unknownRoleInDefaults() {
        let text =
            Self.header.replacingOccurrences(of: "roles = [\"clerk\"]", with: "roles = [\"clerck\"]") + Self.good
            + Self.good.replacingOccurrences(of: "[obligation.report]", with: "[obligation.report2]")
        do {
            _ = try PolicyFiles.parse([(file: "p.toml", text: text)], zone: Self.zone)
            Issue.record("expected a problem")
        } catch {
            #expect(error.problems.count == 1)
            #expect(error.problems.first?.line == 10)
            #expect(error.problems.first?.message.contains("unknown role 'clerck'") == true)
        }
    }

    @Test("extension and bulletin: read when right, each mistake placed and explained")
    func extensionAndBulletin() throws {
        let extended =
            Self.good + """
                extension = { request_before = "3wd", longest = "30d", approvers = [{ unit = "region/propaganda", roles = ["secretary"] }] }
                [bulletin]
                periods = ["half-year", "month"]
                to = [{ unit = "self", roles = ["secretary"] }]

                """
        let policy = try PolicyFiles.parse([(file: "p.toml", text: Self.header + extended)], zone: Self.zone)
        let rule = try #require(policy.obligations.first?.extensionRule)
        #expect(rule.requestBefore == DutyDuration(3, .workingDays) && rule.longest == DutyDuration(30, .days))
        #expect(rule.approvers.first?.relation.department == "propaganda")
        #expect(policy.bulletin?.periods == [.halfYear, .month])
        #expect(policy.bulletin?.sendAfter == DutyDuration(5, .workingDays))
        Self.expectProblem(
            Self.good + "extension = { request_before = \"3wd\" }\n",
            line: 6,
            "missing longest"
        )
        Self.expectProblem(
            Self.good + "extension = { longest = \"30x\", approvers = [{ roles = [\"secretary\"] }] }\n",
            line: 6,
            "longest"
        )
        Self.expectProblem(
            Self.good + "extension = { longest = \"30d\", approvers = [{ roles = [\"secretery\"] }] }\n",
            line: 6,
            "unknown role 'secretery'"
        )
        Self.expectProblem(
            Self.good + "[bulletin]\nperiods = [\"fortnight\"]\nto = [{ roles = [\"secretary\"] }]\n",
            line: 7,
            "unknown period 'fortnight'; expected year, half-year, quarter or month"
        )
        Self.expectProblem(Self.good + "[bulletin]\nperiods = [\"month\"]\n", line: 6, "missing to")
        Self.expectProblem(
            Self.good + "[bulletin]\nto = [{ unit = \"region/press\", roles = [\"secretary\"] }]\n",
            line: 7,
            "unknown unit kind 'press'"
        )
    }

    @Test("a cycle of derived deadlines names the obligations")
    func cycle() {
        let body = """
            [obligation.a]
            title = "a"
            applies_to = { kinds = ["unit"] }
            derived = { from = "b", before = "1d" }
            [obligation.b]
            title = "b"
            applies_to = { kinds = ["unit"] }
            derived = { from = "a", after = "1d" }
            """
        let p = Self.problems(body)
        #expect(p.count == 1)
        #expect(p.first?.message.contains("a cycle of derived deadlines") == true)
        #expect([11, 15].contains(p.first?.line ?? 0))
    }

    @Test("two rules, none, a schedule with two deadlines in one period, a TOML syntax error")
    func moreMistakes() {
        Self.expectProblem(
            Self.good + "quota = [{ count = 1, by = \"06-30\" }]\n",
            line: 6,
            column: 1,
            "schedule and quota both give deadlines"
        )
        Self.expectProblem(
            Self.good.replacingOccurrences(of: "period = \"half-year\"", with: "period = \"year\""),
            line: 4,
            column: 1,
            "two deadlines in period"
        )
        Self.expectProblem(
            "[obligation.x]\ntitle = \"x\"\napplies_to = { kinds = [\"unit\"] }\n",
            line: 1,
            column: 13,
            "no deadline rule"
        )
        Self.expectProblem("[obligation.x\n", line: 1, column: 14, "expected ']' to close the table header")
        Self.expectProblem(Self.good + "shift = \"previous-working-day\"\n", line: 6, column: 1, "unknown shift rule")
        Self.expectProblem(Self.good + "remind = [\"7 days\"]\n", line: 6, column: 11, "unknown unit ' days'")
    }

    @Test("positions of keys in tables, arrays of tables and inline tables")
    func positions() throws {
        let text = """
            a = 1
            [t.x]
            k = { inner = "v", other = [1, 2] }
            [[t.list]]
            s = "x # not a comment"
            [[t.list]]
            s = 'y'
            arr = [
              { z = 1 },
              { z = 2 },
            ]
            """
        let p = try TOMLParser.parse(text)
        func at(_ path: String) -> [Int] { p.locate(path).map { [$0.line, $0.column] } ?? [] }
        #expect(at("a") == [1, 1])
        #expect(at("t.x.k") == [3, 1])
        #expect(at("t.x.k.other") == [3, 20])
        #expect(at("t.list.1.s") == [7, 1])
        #expect(at("t.list.1.arr.1.z") == [10, 5])
        #expect(at("t.list.1.arr.1.missing") == [10, 3])
    }
}

@Suite("CSV", .ownThreads)
struct CSVTests {
    @Test("a spreadsheet's export: BOM, CRLF, quoted commas and quotes, a line break in a field")
    func parses() throws {
        let text = "\u{FEFF}id,name\r\ngd,\"中共广东省委, 省\"\r\ngz,\"说\"\"好\"\"\"\r\nsz,\"两\n行\"\r\n"
        let records = try CSV.parse(Array(text.utf8), file: "u.csv")
        #expect(records.map(\.fields) == [["id", "name"], ["gd", "中共广东省委, 省"], ["gz", "说\"好\""], ["sz", "两\n行"]])
        #expect(records.map(\.line) == [1, 2, 3, 4])
    }

    @Test("a file saved as GBK is refused with its line and what to do")
    func notUTF8() {
        let bytes: [UInt8] = Array("id,name\ngd,ok\n".utf8) + [0x67, 0x7A, 0x2C, 0xB9, 0xE3, 0xD6, 0xDD, 0x0A]
        #expect {
            try CSV.parse(bytes, file: "u.csv")
        } throws: { e in
            let e = e as! CSVError
            return e.line == 3 && e.message.contains("CSV UTF-8")
        }
    }

    @Test("an unclosed quote names the line it opened on")
    func unclosed() {
        #expect {
            try CSV.parse(Array("id,name\ngd,\"open\nmore\n".utf8), file: "u.csv")
        } throws: { e in (e as! CSVError).line == 2 }
    }

    @Test(
        "unit rows are checked against the policy, with line and column",
        arguments: [
            ("id,name,kind\ngd,省委,comittee\n", 2, 3, "unknown kind 'comittee'"),
            ("id,name,kind\ngd x,省委,committee\n", 2, 1, "contains ' '"),
            ("id,name,kind\ngd,省委,committee\ngd,又,committee\n", 3, 1, "listed twice (first on line 2)"),
            ("id,name,kind,email\ngd,省委,committee,张三@例子.中国\n", 2, 4, "ASCII"),
            ("id,name,kin\n", 1, 3, "unknown column 'kin'"),
            ("id,name\n", 1, nil, "missing column 'kind'"),
        ] as [(String, Int, Int?, String)]
    )
    func unitRows(text: String, line: Int, column: Int?, message: String) {
        let policy = Policy(kinds: ["committee": .init(name: "党委", region: true)], roles: ["clerk": "联络员"])
        #expect {
            try OrganisationCSV.units(
                Array(text.utf8),
                file: "u.csv",
                policy: policy,
                addedOn: CivilDate(iso: "2026-11-29")!
            )
        } throws: { e in
            let e = e as! CSVError
            return e.line == line && e.column == column && e.message.contains(message)
        }
    }

    @Test("export and import give back the same units")
    func roundTrip() throws {
        let policy = Policy(kinds: ["committee": .init(name: "党委", region: true)])
        let units = [
            OrgUnit(
                id: "gd",
                name: "中共广东省委, \"省\"",
                kind: "committee",
                email: "gd@example.org",
                addedOn: CivilDate(iso: "2026-11-29")!
            )
        ]
        let back = try OrganisationCSV.units(
            Array(OrganisationCSV.export(units: units).utf8),
            file: "x",
            policy: policy,
            addedOn: CivilDate(iso: "2026-11-29")!
        )
        #expect(back.map(\.value) == units)
    }

    @Test("policy: whole-number keys", arguments: extremeIntegers)
    func policy(_ n: String) {
        let body = """
            [obligation.report]
            title = "汇报"
            applies_to = { kinds = ["committee"] }
            schedule = ["*-06-30", "*-12-31"]
            period = "half-year"
            period_lag = \(n)
            """
        let problems = PolicyFileTests.problems(body)
        if n == "0" {
            #expect(problems.isEmpty, "\(problems)")
            return
        }
        #expect(problems.count == 1, "period_lag = \(n): \(problems)")
        #expect(problems.first?.line == 16, "\(problems)")
    }
}
