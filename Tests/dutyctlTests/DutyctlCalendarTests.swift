import DutyTestScoping
import DutyTestSupport
import Foundation
import Testing

/// Runs the built `dutyctl` as an administrator would and checks what it prints and its exit status.
@Suite("dutyctl calendar, end to end", .ownThreads)
struct DutyctlCalendarTests {
    static let repo = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()
    static let holidays = repo.appendingPathComponent("config/holidays/cn").path

    struct Result {
        var status: Int32
        var out: String
        var err: String
    }

    static func dutyctl(_ args: String...) throws -> Result { try dutyctl(args) }

    static func dutyctl(_ args: [String]) throws -> Result { try program("dutyctl", args) }

    /// Runs one of the built programs (`dutyctl`, `dutyd`) to its end.
    static func program(_ name: String, _ args: [String]) throws -> Result {
        let exe = Products.program(name)
        let p = Process()
        p.executableURL = exe
        p.arguments = args
        let out = Pipe()
        let err = Pipe()
        p.standardOutput = out
        p.standardError = err
        try p.run()
        let o = out.fileHandleForReading.readDataToEndOfFile()
        let e = err.fileHandleForReading.readDataToEndOfFile()
        try p.waitForExit()
        return Result(
            status: p.terminationStatus,
            out: String(decoding: o, as: UTF8.self),
            err: String(decoding: e, as: UTF8.self)
        )
    }

    static func json(_ r: Result) throws -> [String: Any] {
        try #require(JSONSerialization.jsonObject(with: Data(r.out.utf8)) as? [String: Any])
    }

    @Test("next --json prints the normalized form and the instants with their offset")
    func nextJSON() throws {
        let r = try Self.dutyctl(
            "calendar",
            "next",
            "*-06,12~01",
            "--tz",
            "Asia/Shanghai",
            "--base",
            "2026-11-29T00:00:00Z",
            "--count",
            "3",
            "--json"
        )
        #expect(r.status == 0)
        let j = try Self.json(r)
        #expect(j["normalized"] as? String == "*-06,12~01 00:00:00")
        #expect(
            j["next"] as? [String] == [
                "2026-12-31T00:00:00+08:00", "2027-06-30T00:00:00+08:00", "2027-12-31T00:00:00+08:00",
            ]
        )
    }

    @Test("an expression's own zone wins over --tz")
    func zoneSuffix() throws {
        let r = try Self.dutyctl(
            "calendar",
            "next",
            "*-*-* 09:00 America/New_York",
            "--tz",
            "Asia/Shanghai",
            "--base",
            "2026-11-29T00:00:00Z",
            "--count",
            "1",
            "--json"
        )
        #expect(try Self.json(r)["next"] as? [String] == ["2026-11-29T09:00:00-05:00"])
    }

    @Test("a bad expression exits 65 with the column and what was expected")
    func badExpression() throws {
        let r = try Self.dutyctl("calendar", "next", "2026-11-29T10:00")
        #expect(r.status == 65)
        #expect(r.err.contains("column 11:"))
        #expect(r.err.contains("no 'T'"))
    }

    @Test("an expression systemd gives up on exits 65 and says so")
    func noElapse() throws {
        let r = try Self.dutyctl(
            "calendar",
            "next",
            "*-02,04,06,09,11-31",
            "--tz",
            "Asia/Shanghai",
            "--base",
            "2026-11-29T00:00:00Z"
        )
        #expect(r.status == 65)
        #expect(r.err.contains("cannot compute the next elapse"))
    }

    @Test(
        "bad usage exits 64",
        arguments: [
            ["calendar", "next"],
            ["calendar", "next", "daily", "--tz", "Mars/Olympus"],
            ["calendar", "next", "daily", "--base", "yesterday"],
            ["calendar", "next", "--rrule", "FREQ=DAILY"],
            ["calendar", "day", "2026-02-30", "--holidays", "/tmp"],
        ]
    )
    func usage(_ args: [String]) throws {
        #expect(try Self.dutyctl(args).status == 64)
    }

    @Test("dutyctl --version and dutyd --version print the same version")
    func version() throws {
        let ctl = try Self.dutyctl("--version")
        #expect(ctl.status == 0)
        let dutyd = Process()
        dutyd.executableURL = Products.program("dutyd")
        dutyd.arguments = ["--version"]
        let out = Pipe()
        dutyd.standardOutput = out
        try dutyd.run()
        let version = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        try dutyd.waitForExit()
        #expect(ctl.out.trimmingCharacters(in: .whitespacesAndNewlines).split(separator: ".").count == 3, "\(ctl.out)")
        #expect(ctl.out == version)
    }

    @Test("dutyd --help and -h print its usage and options and exit 0 (they stopped it with a fatal error)")
    func dutydHelp() throws {
        for flag in ["--help", "-h"] {
            let r = try Self.program("dutyd", [flag])
            #expect(r.status == 0, "\(flag): \(r.err)")
            #expect(
                r.out.contains("USAGE: dutyd") && r.out.contains("--config") && r.out.contains("--start-at"),
                "\(r.out)"
            )
        }
    }

    @Test("an option next does not have, with a value, is named as the likely mistake")
    func strayOption() throws {
        let r = try Self.dutyctl(
            "calendar",
            "next",
            "--rrule",
            "FREQ=DAILY",
            "--dtstart",
            "2026-01-01T09:00",
            "--holidays",
            "cn"
        )
        #expect(r.status == 64)
        #expect(r.err.contains("'cn' was read as the expression") && r.err.contains("no such option"), "\(r.err)")
    }

    @Test("next --rrule lists from DTSTART, local to --tz, as python-dateutil would")
    func rrule() throws {
        let r = try Self.dutyctl(
            "calendar",
            "next",
            "--rrule",
            "FREQ=MONTHLY;COUNT=10;BYDAY=1SU,-1SU;INTERVAL=2",
            "--dtstart",
            "1997-09-07T09:00:00",
            "--tz",
            "America/New_York",
            "--count",
            "4",
            "--json"
        )
        #expect(r.status == 0)
        #expect(
            try Self.json(r)["next"] as? [String] == [
                "1997-09-07T09:00:00-04:00", "1997-09-28T09:00:00-04:00", "1997-11-02T09:00:00-05:00",
                "1997-11-30T09:00:00-05:00",
            ]
        )
    }

    @Test("a rule RFC 5545 forbids exits 65 with the column")
    func badRule() throws {
        let r = try Self.dutyctl("calendar", "next", "--rrule", "FREQ=DAILY;INTERVAL=0", "--dtstart", "2026-11-29")
        #expect(r.status == 65)
        #expect(r.err.contains("column 12: INTERVAL"))
    }

    @Test("day --json: a make-up Saturday is a working day, with the festival")
    func makeUpDay() throws {
        let r = try Self.dutyctl("calendar", "day", "2026-02-28", "--holidays", Self.holidays, "--json")
        #expect(r.status == 0)
        let j = try Self.json(r)
        #expect(j["working"] as? Bool == true)
        #expect(j["reason"] as? String == "make-up-workday")
        #expect(j["holiday"] as? String == "春节")
        #expect(j["provisional"] as? Bool == false)
    }

    @Test("day in a year not yet published: weekend rule, provisional, one warning")
    func provisional() throws {
        let r = try Self.dutyctl("calendar", "day", "2027-10-01", "--holidays", Self.holidays, "--json")
        #expect(r.status == 0)
        let j = try Self.json(r)
        #expect(j["working"] as? Bool == true)
        #expect(j["provisional"] as? Bool == true)
        #expect(r.err.components(separatedBy: "not published").count == 2)
    }

    @Test("day reads the holidays folder named in --config")
    func viaConfig() throws {
        let r = try Self.dutyctl(
            "calendar",
            "day",
            "2025-01-28",
            "--config",
            Self.repo.appendingPathComponent("config/dutyd.toml").path
        )
        #expect(r.status == 0)
        #expect(r.out.contains("public holiday 春节"))
    }

    @Test("a missing --config exits 78 and says how to fix it")
    func missingConfig() throws {
        let r = try Self.dutyctl("calendar", "next", "daily", "--config", "/nonexistent/dutyd.toml")
        #expect(r.status == 78)
        #expect(r.err.contains("/nonexistent/dutyd.toml"))
    }

    @Test("a bad holiday file exits 65 with file:line:column")
    func badHolidayFile() throws {
        let dir = scratchDirectory.appendingPathComponent("dutyd-bad-\(UUID())")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        try Data(
            "{\"year\": 2027,\n \"papers\": [\"x\"],\n \"days\": [{\"name\": \"x\", \"date\": \"2027-13-01\", \"isOffDay\": true}]}"
                .utf8
        )
        .write(to: dir.appendingPathComponent("2027.json"))
        let r = try Self.dutyctl("calendar", "day", "2027-01-01", "--holidays", dir.path)
        #expect(r.status == 65)
        #expect(r.err.contains("2027.json:3:33:"))
    }

    @Test("shift shows each day passed over")
    func shift() throws {
        let r = try Self.dutyctl("calendar", "shift", "2025-01-31", "--holidays", Self.holidays)
        #expect(r.status == 0)
        #expect(r.out.contains("previous-workday: 2025-01-31 → 2025-01-27"))
        #expect(r.out.components(separatedBy: "skip ").count == 5)
    }

    @Test("a holidays folder that is not there says which option or setting to change")
    func missingHolidayFolder() throws {
        let viaOption = try Self.dutyctl("calendar", "day", "2026-10-01", "--holidays", "/nonexistent/holidays")
        #expect(viaOption.status == 64)
        #expect(viaOption.err.contains("/nonexistent/holidays"))
        #expect(viaOption.err.contains("--holidays"))

        let settings = scratchDirectory.appendingPathComponent("dutyd-\(UUID()).toml")
        try Data("holidays = \"/nonexistent/holidays\"\n".utf8).write(to: settings)
        defer { try? FileManager.default.removeItem(at: settings) }
        let viaSettings = try Self.dutyctl("calendar", "day", "2026-10-01", "--config", settings.path)
        #expect(viaSettings.status == 78)
        #expect(viaSettings.err.contains("check 'holidays' in \(settings.path)"))
        #expect(viaSettings.err.contains("--holidays"))
    }
}
