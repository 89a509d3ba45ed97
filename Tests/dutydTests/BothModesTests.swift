import DutyOperations
import DutyTestScoping
import DutyTestSupport
import Foundation
import Testing

/// Every operation gives the same answer, the same warnings and the same exit status through the
/// daemon (remote mode) as on the files (direct mode), and a change leaves the same state either way.
/// `OperationRegistryTests` checks that each operation of the registry is tried here.
@Suite("both modes", .ownThreads)
struct BothModesTests {
    static let at = "2026-12-01T10:00:00+08:00"

    /// The questions: each asked through the daemon and of the files.
    static let questions: [[String]] = [
        ["upcoming", "--within", "30d", "--at", at],
        ["upcoming", "--within", "400d", "--at", at, "--unit", "gd.gz", "--subtree", "--json"],
        ["upcoming", "--state", "all", "--within", "60d", "--at", at, "--obligation", "semiannual-report"],
        ["overdue", "--at", at],
        ["overdue", "--at", at, "--json", "--unit", "gd.gz.panyu", "--subtree"],
        ["report", "--year", "2026", "--at", at],
        ["report", "--year", "2026", "--at", at, "--json", "--unit", "gd.gz", "--subtree"],
        ["report", "--year", "2026", "--at", at, "--csv"],
        ["summary", "--at", at],
        ["bulletin", "--period", "2026-H2", "--at", at],
        ["bulletin", "--period", "2026", "--at", at, "--unit", "gd.gz.xcb", "--json"],
        ["bulletin", "--period", "2026-Q4", "--at", at, "--csv"],
        ["bulletin", "--period", "2026-13"],
        ["summary", "--unit", "gd", "--depth", "3", "--at", at, "--json"],
        ["summary", "--unit", "gd.gz", "--at", "2027-03-01T10:00:00+08:00", "--csv"],
        ["calendar", "export", "--ics", "--at", at, "--unit", "gd.gz", "--todo"],
        ["calendar", "export", "--ics", "--at", at, "--official", "yang.fan"],
        ["explain", "semiannual-report/gd.gz/2026-H2", "--at", at],
        ["explain", "unit-situation-report/gd.gz.panyu.school1/2026-H2", "--at", at, "--json"],
        ["ledger", "--occurrence", "semiannual-report/gd.gz/", "--limit", "7"],
        ["ledger", "--recipient", "yang.fan", "--channel", "journal", "--json"],
        ["ledger", "--state", "failed,retry"],
        ["unit", "ls"],
        ["unit", "export"],
        ["unit", "export", "--json"],
        ["official", "export"],
        ["official", "export", "--json"],
        ["unit", "ls", "--under", "gd.gz.panyu", "--json"],
        ["unit", "ls", "--kind", "propaganda"],
        ["unit", "show", "gd.gz.xcb"],
        ["unit", "show", "gd.sz", "--json"],
        ["official", "ls", "--unit", "gd.gz", "--subtree", "--role", "head"],
        ["official", "ls", "--json"],
        ["official", "show", "yang.fan"],
        ["official", "show", "yang.fan", "--json"],
        ["unit", "show", "nowhere"],
        ["unit", "show", "广州市委"],
        ["official", "show", "nobody"],
        ["official", "ls", "--unit", "nowhere"],
        // Mistakes: the same words and statuses.
        ["upcoming", "--within", "3x"],
        ["upcoming", "--unit", "nowhere"],
        ["upcoming", "--subtree"],
        ["report", "--year", "26"],
        ["summary", "--depth", "5"],
        ["summary", "--unit", "nowhere"],
        ["calendar", "export", "--ics", "--official", "nobody"],
        ["calendar", "export", "--ics", "--since", "yesterday"],
        ["explain", "semiannual-report/gd.gz/2026-H9"],
        ["ledger", "--limit", "0"],
        ["audit"],
        ["audit", "--json", "--limit", "1"],
        ["audit", "verify"],
        ["audit", "--since", "yesterday"],
        // The policy and the working days in force.
        ["policy", "show"],
        ["policy", "show", "semiannual-report"],
        ["policy", "show", "--json"],
        ["policy", "show", "nonsense"],
        ["calendar", "day", "2026-02-28"],
        ["calendar", "day", "2027-10-01", "--json"],
        ["calendar", "shift", "2025-01-31"],
        ["calendar", "shift", "2026-10-01", "--rule", "next-workday", "--json"],
        ["calendar", "shift", "2027-10-01"],
        ["calendar", "day", "2026-02-30"],
        ["calendar", "shift", "2025-01-31", "--rule", "sideways"],
        // The four that read the files unless --socket names the daemon.
        ["calendar", "next", "*-06,12~01 09:00", "--count", "4", "--base", "2026-11-29T00:00:00+08:00"],
        ["calendar", "next", "quarterly", "--tz", "UTC", "--base", "2026-11-29T00:00:00Z", "--json"],
        [
            "calendar", "next", "--rrule", "FREQ=MONTHLY;BYDAY=MO,TU,WE,TH,FR;BYSETPOS=-1", "--dtstart",
            "2026-11-29T09:00", "--json",
        ],
        ["calendar", "next", "2026-11-29T10:00"],
        ["calendar", "next", "daily", "--tz", "Mars/Olympus"],
        ["calendar", "next", "--rrule", "FREQ=DAILY;INTERVAL=0", "--dtstart", "2026-11-29"],
        ["config", "check"],
        ["config", "check", "--json"],
        ["policy", "check"],
        ["policy", "check", "--json"],
        ["config", "template"],
        ["config", "template", "body.zh-CN"],
        ["config", "template", "nonsense"],
    ]

    /// The changes, made in this order through one daemon and on the files of another copy of the
    /// same organisation. Done, waived and undone on an occurrence the planner knows; an event and
    /// its removal; a unit and an official added, changed and removed; both imports again.
    static let changes: [[String]] =
        [
            ["unit", "add", "gd.gz.test", "--name", "测试单位", "--kind", "committee", "--parent", "gd.gz"],
            ["unit", "set", "gd.gz.test", "--name", "测试单位二", "--email", "test@example.org"],
            ["unit", "add", "gd.gz", "--name", "重复"],
            ["official", "add", "test.person", "--name", "测试", "--unit", "gd.gz.test", "--roles", "head"],
            ["official", "set", "test.person", "--email", "person@example.org", "--json"],
            ["official", "add", "yang.fan"],
            ["done", "semiannual-report/gd.gz/2026-H2", "--on", "2026-11-30", "--ref", "粤委〔2026〕1号"],
            ["done", "semiannual-report/gd.gz/2026-H9"],
            ["ack", "unit-situation-report/gd.gz.jyj/2026-H2", "--by", "yang.fan"],
            ["ack", "unit-situation-report/gd.gz.jyj/2026-H2"],
            ["ack", "semiannual-report/gd.gz/2026-H2", "--json"],
            ["undo", "semiannual-report/gd.gz/2026-H2", "--json"],
            ["waive", "semiannual-report/gd.gz/2026-H2", "--reason", "并入年度报告"],
            ["undo", "semiannual-report/gd.gz/2026-H2"],
            ["undo", "semiannual-report/gd.gz/2026-H2"],
            ["event", "record", "major-situation", "--unit", "gd.gz.panyu", "--on", "2026-11-20", "--id", "e1"],
            ["event", "record", "major-situation", "--unit", "nowhere", "--on", "2026-11-20"],
            ["event", "ls", "--unit", "gd.gz.panyu"],
            ["event", "rm", "e1", "--unit", "gd.gz.panyu"],
            ["event", "rm", "e1", "--unit", "gd.gz.panyu"],
            ["official", "revoke-links", "test.person"],
            ["official", "revoke-links", "nobody"],
            ["official", "link", "test.person"],
            ["official", "rm", "test.person"],
            ["unit", "rm", "gd.gz.test"],
            ["unit", "rm", "gd.gz"],
            ["unit", "import", "units.csv"],
            ["official", "import", "officials.csv", "--json"],
            ["done", "--import", "done.csv"],
            ["done", "--import", "done.csv", "--skip-bad", "--rejected", "-"],
            ["done", "--import", "done.csv", "--skip-bad", "--rejected", "-", "--json"],
        ] + extensions

    /// Extensions (延期) of next year's first half-year report, whose deadline (30 June) is always
    /// months ahead, to a weekday in early July: asked, asked again while waiting, decided by an
    /// official who is not an approver, approved, decided again, listed.
    static let extensions: [[String]] = {
        let (occurrence, until, year) = (NextYear.semiannualReport("gd.gz"), NextYear.earlyJulyWeekday, NextYear.year)
        return [
            ["extend", "request", occurrence, "--until", until, "--reason", "年中工作会议改期"],
            ["extend", "request", occurrence, "--until", until, "--reason", "again"],
            ["extend", "request", occurrence, "--until", "\(year)-09-30", "--reason", "too far"],
            ["extend", "approve", "ext-1", "--by", "yang.fan"],
            ["extend", "approve", "ext-1", "--note", "同意"],
            ["extend", "deny", "ext-1"],
            ["extend", "approve", "ext-9"],
            ["extend", "ls"],
            ["extend", "ls", "--pending", "--json"],
        ]
    }()

    /// What a state looks like from outside, after the changes.
    static let afterwards: [[String]] = [
        ["unit", "export"], ["official", "export"], ["event", "ls"],
        ["upcoming", "--state", "all", "--within", "400d", "--at", at, "--unit", "gd.gz", "--subtree"],
    ]

    /// Both runs of one command agree: status, output (a calendar's DTSTAMP is the moment it was
    /// made), warnings; and something was said.
    /// `folders`: each copy's own folder, which a file's path in the output names (`done --import`).
    static func expectSame(
        _ command: [String],
        _ remote: Daemon.Result,
        _ direct: Daemon.Result,
        folders: (remote: String, direct: String)? = nil
    ) {
        var (remote, direct) = (remote, direct)
        if let folders {
            remote.out = remote.out.replacingOccurrences(of: folders.remote, with: "FOLDER")
            remote.err = remote.err.replacingOccurrences(of: folders.remote, with: "FOLDER")
            direct.out = direct.out.replacingOccurrences(of: folders.direct, with: "FOLDER")
            direct.err = direct.err.replacingOccurrences(of: folders.direct, with: "FOLDER")
        }
        func stable(_ s: String) -> [Substring] {
            // "\r\n" is one Character: split the calendar's CRLF lines as lines.
            s.replacingOccurrences(of: "\r\n", with: "\n").split(separator: "\n", omittingEmptySubsequences: false)
                .filter { !$0.hasPrefix("DTSTAMP:") }
        }
        #expect(remote.status == direct.status, "\(command): \(remote.err) vs \(direct.err)")
        let (r, l) = (stable(remote.out), stable(direct.out))
        let first = zip(r, l).enumerated().first { $0.element.0 != $0.element.1 }?.offset ?? min(r.count, l.count)
        #expect(
            r == l,
            "\(command): line \(first + 1): remote \(first < r.count ? r[first] : "(end)") / direct \(first < l.count ? l[first] : "(end)")"
        )
        #expect(remote.err == direct.err, "\(command)")
        #expect(!remote.out.isEmpty || !remote.err.isEmpty, "\(command)")
    }

    @Test("every question gives the same output, warnings and exit status through the daemon as on the files")
    func questions() throws {
        let d = try Daemon()
        let p = try APITests.serve(d)
        defer { if p.isRunning { kill(p.processIdentifier, SIGKILL) } }
        // The catch-up at start writes the ledger: compare once it has settled.
        try waitFor("the ledger to settle after the catch-up") {
            let ledger = { () throws -> String in
                let status = try Daemon.run("dutyctl", ["status", "--json", "--socket", d.socket]).out
                return String(status.components(separatedBy: "\"ledger\":").last?.prefix(80) ?? "")
            }
            let before = try ledger()
            usleep(200_000)
            let after = try ledger()
            return !before.hasPrefix("{}") && before == after
        }
        for command in Self.questions {
            let remote = try Daemon.run("dutyctl", command + ["--socket", d.socket])
            let direct = try Daemon.run("dutyctl", command + ["--config", d.config])
            Self.expectSame(command, remote, direct)
        }
        // The good ones succeed, the mistakes exit 64 (usage) or 65 (unknown unit, official).
        #expect(try Daemon.run("dutyctl", ["upcoming", "--within", "3x", "--socket", d.socket]).status == 64)
        #expect(try Daemon.run("dutyctl", ["upcoming", "--unit", "nowhere", "--socket", d.socket]).status == 65)
        let list = try Daemon.run("dutyctl", ["upcoming", "--within", "30d", "--at", Self.at, "--socket", d.socket])
        #expect(list.status == 0 && list.out.contains("occurrence(s)"))
        #expect(APITests.stop(p) == 0)
    }

    @Test("every change gives the same answer through the daemon as on the files, and leaves the same state")
    func changes() throws {
        let served = try Daemon()
        let files = try Daemon()
        let p = try APITests.serve(served)
        defer { if p.isRunning { kill(p.processIdentifier, SIGKILL) } }
        // Completions to import, one line of them bad: refused whole, then recorded with --skip-bad.
        for d in [served, files] {
            try Data(
                "\u{FEFF}occurrence,date,reference\r\nsemiannual-report/gd.sz/2026-H2,2026-11-30,深宣〔2026〕3号\r\nsemiannual-report/gd.sz/2026-H9,2026-11-30,\r\n"
                    .utf8
            ).write(to: d.folder.appendingPathComponent("done.csv"))
        }
        /// The imports name the copy's own CSV files.
        func local(_ command: [String], _ d: Daemon) -> [String] {
            command.map { $0.hasSuffix(".csv") ? d.folder.appendingPathComponent($0).path : $0 }
        }
        for command in Self.changes {
            let remote = try Daemon.run("dutyctl", local(command, served) + ["--socket", served.socket])
            let direct = try Daemon.run("dutyctl", local(command, files) + ["--config", files.config])
            Self.expectSame(command, remote, direct, folders: (served.folder.path, files.folder.path))
        }
        #expect(APITests.stop(p) == 0)
        for command in Self.afterwards {
            let remote = try Daemon.run("dutyctl", command + ["--config", served.config])
            let direct = try Daemon.run("dutyctl", command + ["--config", files.config])
            #expect(remote.status == 0, "\(command): \(remote.err)")
            Self.expectSame(command, remote, direct)
        }
        // Both audit trails hold the same changes in the same order, by the way each came, and are whole.
        func trail(_ d: Daemon) throws -> [(action: String, how: String)] {
            let r = try Daemon.run("dutyctl", ["audit", "--json", "--config", d.config])
            struct Row: Decodable { var action, how: String }
            struct Trail: Decodable { var changes: [Row] }
            return try JSONDecoder().decode(Trail.self, from: Data(r.out.utf8)).changes.map { ($0.action, $0.how) }
        }
        let (remote, direct) = (try trail(served), try trail(files))
        #expect(remote.map(\.action) == direct.map(\.action) && remote.count > 15, "\(remote.map(\.action))")
        #expect(remote.suffix(15).allSatisfy { $0.how == "api" || $0.how == "import" })
        #expect(direct.suffix(15).allSatisfy { $0.how == "cli-direct" || $0.how == "import" })
        for d in [served, files] {
            #expect(try Daemon.run("dutyctl", ["audit", "verify", "--config", d.config]).status == 0)
        }
    }
}
