import DutyAPI
import DutyCalendar
import DutyCore
import DutyDaemon
import DutyFiles
import DutyOperations
import DutyQueries
import DutyStore
import DutyTestScoping
import DutyTestSupport
import Foundation
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// dutyctl against a running dutyd over its API socket (remote mode), checked against direct mode on
/// the same files, the OpenAPI file, and real users and groups.
@Suite("the API and dutyctl's remote mode", .serialized, .ownThreads)
struct APITests {
    /// The daemon of `d` in service mode, once its API answers.
    static func serve(_ d: Daemon, log target: String = "stderr", _ extra: [String] = []) throws -> Process {
        let p = try Daemon.launch(
            d,
            Products.program("dutyd").path,
            ["--config", d.config, "--log", target] + extra
        )
        let log = d.log
        for _ in 0..<300 {
            if FileManager.default.fileExists(atPath: d.socket),
                (try? RawClient(socket: d.socket).raw("GET", "/v1/status").status) == 200
            {
                return p
            }
            if !p.isRunning { break }
            usleep(50_000)
        }
        kill(p.processIdentifier, SIGKILL)
        try p.waitForExit()
        let text = (try? String(contentsOf: log, encoding: .utf8)) ?? ""
        Issue.record("dutyd did not answer on \(d.socket): \(text.suffix(2000))")
        throw CancellationError()
    }

    /// Stops it with SIGTERM; its exit status.
    static func stop(_ p: Process) -> Int32 {
        kill(p.processIdentifier, SIGTERM)
        do {
            try p.waitForExit()
        } catch {
            Issue.record("\(error)")
            return -1
        }
        return p.terminationStatus
    }

    static let spec = Daemon.repo.appendingPathComponent("Sources/DutyAPI/openapi.yaml").path
    static let checker = Daemon.repo.appendingPathComponent("Tests/tools/check-openapi.py").path

    /// Fails unless every answer fits the OpenAPI file's schema for its operation and status, checked
    /// in one run of the checker.
    static func conform(
        _ answers: [(method: String, path: String, status: Int, body: Data)],
        jsonLines: [(method: String, path: String, status: Int, body: Data)] = []
    ) throws {
        let file = scratchDirectory.appendingPathComponent("api-\(UUID().uuidString).jsonl")
        var lines = Data()
        // A JSON Lines answer is checked a line at a time.
        let split = jsonLines.flatMap { a in
            a.body.split(separator: UInt8(ascii: "\n")).map {
                (a.method, a.path, a.status, Data($0), "application/jsonl")
            }
        }
        // Each line is written around the answer's own bytes, not decoded and encoded again (that took
        // two seconds of a streamed answer's thousand lines); a line break in a body is JSON whitespace
        // (inside a string it is escaped), so a space in its place keeps the line one line.
        let encoder = JSONEncoder()
        for answer in answers.map({ ($0.method, $0.path, $0.status, $0.body, "application/json") }) + split {
            lines.append(contentsOf: #"{"method":"#.utf8)
            lines.append(try encoder.encode(answer.0))
            lines.append(contentsOf: #","path":"#.utf8)
            lines.append(try encoder.encode(answer.1))
            lines.append(contentsOf: #","status":\#(answer.2),"content_type":"\#(answer.4)","body":"#.utf8)
            lines.append(contentsOf: answer.3.map { $0 == 0x0A || $0 == 0x0D ? 0x20 : $0 })
            lines.append(contentsOf: "}\n".utf8)
        }
        try lines.write(to: file)
        defer { try? FileManager.default.removeItem(at: file) }
        let r = try JournalReader.shell("/usr/bin/python3", [checker, spec, "--batch", file.path])
        #expect(r.status == 0, "answers that do not fit openapi.yaml: \(r.err)")
    }

    @Test("a socket dutyd cannot create stops it with 78 and the setting to change, instead of hanging")
    func socketThatCannotBeMade() throws {
        let d = try Daemon()
        let text = try String(contentsOfFile: d.config, encoding: .utf8)
            .replacingOccurrences(of: #"socket = "api.sock""#, with: #"socket = "/proc/no-such-folder/api.sock""#)
        try text.write(toFile: d.config, atomically: true, encoding: .utf8)
        let r = try Daemon.run("dutyd", ["--config", d.config, "--log", "stderr"])
        #expect(r.status == 78)
        #expect(r.err.contains("cannot serve the API on /proc/no-such-folder/api.sock"))
        #expect(r.err.contains("[api] socket") && r.err.contains("[api] enabled = false"))
    }

    @Test("status tells the version, configuration, next steps, ledger and holiday years; 69 when no daemon runs")
    func status() throws {
        let d = try Daemon()
        let p = try Self.serve(d)
        defer { if p.isRunning { kill(p.processIdentifier, SIGKILL) } }
        let text = try Daemon.run("dutyctl", ["status", "--socket", d.socket])
        #expect(text.status == 0, "\(text.err)")
        #expect(text.out.contains("pid \(p.processIdentifier)"))
        #expect(text.out.contains("configuration: \(d.config)"))
        #expect(text.out.contains("32 units"))
        #expect(text.out.contains("provisional (weekend rule until published): 2027"))
        let json = try Daemon.run("dutyctl", ["status", "--socket", d.socket, "--json"])
        let s = try JSONDecoder().decode(StatusView.self, from: Data(json.out.utf8))
        #expect(s.pid == p.processIdentifier)
        #expect(s.state == d.state)
        #expect(s.holidayYears.contains(2026) && !s.holidayYears.contains(2027))
        #expect(s.provisionalYears.first == 2027)
        #expect(s.next.count == 5)
        #expect(s.next.map(\.at) == s.next.map(\.at).sorted())
        // The ledger counts what the catch-up at start sent (tracked since 1 January).
        #expect((s.ledger["sent"] ?? 0) + (s.ledger["collapsed"] ?? 0) > 0)

        // With --config there is no daemon to ask.
        let direct = try Daemon.run("dutyctl", ["status", "--config", d.config])
        #expect(direct.status == 64 && direct.err.contains("config check"))
        #expect(Self.stop(p) == 0)

        // No daemon: 69 and what to do.
        let gone = try Daemon.run("dutyctl", ["upcoming", "--socket", d.socket])
        #expect(gone.status == 69)
        #expect(gone.err.contains("dutyd is not running") && gone.err.contains("systemctl start dutyd"))
        #expect(gone.err.contains("--config"))
        // The way round it that the message gives is a command dutyctl takes: --config after the
        // command (before it, dutyctl says "Unknown option").
        #expect(!gone.err.contains("dutyctl --config"), "\(gone.err)")
        let onTheFiles = try Daemon.run("dutyctl", ["upcoming", "--config", d.config, "--at", "2026-12-01"])
        #expect(onTheFiles.status == 0, "\(onTheFiles.err)")
        #expect(try Daemon.run("dutyctl", ["status", "--socket", d.socket]).status == 69)
        // Nothing on standard output for a question that was never answered: no CSV header, no table
        // header, no opening of a JSON list a script would take for a (cut) answer.
        for args in [
            ["report", "--year", "2026", "--csv"], ["upcoming", "--json"], ["unit", "ls"],
            ["official", "ls", "--json"],
            ["summary"],
        ] {
            let r = try Daemon.run("dutyctl", args + ["--socket", d.socket])
            #expect(r.status == 69 && r.out.isEmpty, "\(args): \(r.out)")
        }
    }

    /// How a test reaches the state: through a running dutyd, or on the files with no daemon.
    enum Mode: String, CaseIterable, Sendable { case remote, direct }

    @Test(
        "every change command, through the daemon and on the files: the same output, statuses and store",
        arguments: Mode.allCases
    )
    func changeCommandsInBothModes(_ mode: Mode) throws {
        let d = try Daemon()
        let p = mode == .remote ? try Self.serve(d) : nil
        defer { if let p, p.isRunning { kill(p.processIdentifier, SIGKILL) } }
        func ctl(_ args: [String]) throws -> Daemon.Result {
            try Daemon.run("dutyctl", args + (mode == .remote ? ["--socket", d.socket] : ["--config", d.config]))
        }
        func expect(
            _ args: [String],
            _ status: Int32,
            out: String? = nil,
            err: String? = nil,
            sourceLocation: SourceLocation = #_sourceLocation
        ) throws {
            let r = try ctl(args)
            #expect(r.status == status, "\(mode) \(args): \(r.err)", sourceLocation: sourceLocation)
            if let out { #expect(r.out == out, "\(mode) \(args)", sourceLocation: sourceLocation) }
            if let err { #expect(r.err.contains(err), "\(mode) \(args): \(r.err)", sourceLocation: sourceLocation) }
        }
        let today = todayInShanghai()
        let id = "semiannual-report/gd.gz/2026-H2"

        // done, then seen by the next question; undo; a period that does not exist.
        try expect(["done", id, "--ref", "穗宣〔2026〕12号"], 0, out: "\(id): done on \(today), on time\n")
        #expect(try ctl(["upcoming", "--within", "60d", "--state", "done", "--json"]).out.contains("穗宣〔2026〕12号"))
        #expect(!(try ctl(["upcoming", "--within", "60d", "--json"]).out.contains("\"\(id)\"")))
        #expect(try d.store().records().completions.contains { $0.occurrence.description == id && $0.by == "root" })
        try expect(
            ["undo", id, "--json"],
            0,
            out: #"{"occurrence":"\#(id)","undone":"the completion of \#(today)"}"# + "\n"
        )
        try expect(["undo", id], 65, err: "nothing is recorded for \(id)")
        try expect(["done", "semiannual-report/gd.gz/2026-H9"], 65, err: "no period '2026-H9'")
        try expect(["done", id, "--on", "2026-13-01"], 64)

        // waive and undo.
        let other = "joint-meeting/gd.gz.xcb/2026-Q4"
        try expect(["waive", other, "--reason", "与全会合并召开"], 0, out: "\(other): waived (与全会合并召开)\n")
        #expect(try d.store().records().waivers.map(\.occurrence.description) == [other])
        try expect(["undo", other, "--json"], 0, out: #"{"occurrence":"\#(other)","undone":"the waiver"}"# + "\n")
        #expect(try d.store().records().waivers.isEmpty)

        // Events: recorded with what they start, listed, removed; an unknown kind is usage.
        let event = try ctl(["event", "record", "major-situation", "--unit", "gd.sz", "--note", "网络舆情"])
        #expect(event.status == 0, "\(mode): \(event.err)")
        #expect(
            event.out.hasPrefix("recorded major-situation at gd.sz on \(today) as major-situation-\(today)\n  starts ")
        )
        let listed = try ctl(["event", "ls", "--unit", "gd.sz", "--json"])
        #expect(listed.out.contains(#""id":"major-situation-\#(today)""#) && listed.out.contains("网络舆情"))
        try expect(
            ["event", "rm", "major-situation-\(today)", "--unit", "gd.sz"],
            0,
            out: "removed event major-situation-\(today) at gd.sz\n"
        )
        #expect(try d.store().records().events.isEmpty)
        try expect(["event", "record", "nonsense", "--unit", "gd.sz"], 64)

        // Units and officials: add, set, show, rm; mistakes.
        try expect(
            ["unit", "add", "gd.gz.t1", "--name", "测试单位党委", "--kind", "committee", "--parent", "gd.gz"],
            0,
            out: "added unit gd.gz.t1 测试单位党委\n"
        )
        try expect(["unit", "set", "gd.gz.t1", "--email", "t1@example.org"], 0, out: "changed unit gd.gz.t1\n")
        #expect(try d.store().unit("gd.gz.t1")?.email == "t1@example.org")
        try expect(["unit", "add", "gd.gz.t2", "--name", "x", "--kind", "nonsense"], 64)
        try expect(["unit", "add", "gd.gz.t1", "--name", "again", "--kind", "committee", "--parent", "gd.gz"], 65)
        try expect(
            ["official", "add", "t.one", "--name", "测试员", "--unit", "gd.gz.t1", "--roles", "clerk"],
            0,
            out: "added official t.one 测试员\n"
        )
        let set = try ctl(["official", "set", "t.one", "--roles", "clerk,head", "--json"])
        #expect(set.out.contains(#""roles":["clerk","head"]"#), "\(mode): \(set.err)")
        #expect(try ctl(["unit", "show", "gd.gz.t1"]).out.contains("t.one 测试员 (clerk, head)"))
        try expect(["official", "rm", "t.one"], 0, out: "removed official t.one\n")
        try expect(["official", "rm", "t.one"], 65)
        try expect(["unit", "rm", "gd.gz.t1"], 0, out: "removed 1 unit(s) and 0 official(s)\n")
        try expect(["unit", "show", "gd.gz.t1"], 65)
        #expect(try d.store().unit("gd.gz.t1") == nil)

        // Imports: all or nothing; a mistake is placed in the file the administrator gave.
        let units = d.folder.appendingPathComponent("more-units.csv").path
        try "id,name,kind,parent,email\ngd.gz.t3,测试三,committee,gd.gz,\n".write(
            toFile: units,
            atomically: true,
            encoding: .utf8
        )
        try expect(["unit", "import", units], 0, out: "1 unit(s) added, 0 updated, 0 removed\n")
        let officials = d.folder.appendingPathComponent("more-officials.csv").path
        try "id,name,email,unit,roles\nt.three,测试三号,t3@example.org,gd.gz.t3,clerk\n".write(
            toFile: officials,
            atomically: true,
            encoding: .utf8
        )
        let importedOfficials = try ctl(["official", "import", officials])
        #expect(importedOfficials.status == 0 && importedOfficials.out.hasPrefix("1 official(s) added"), "\(mode)")
        #expect(try d.store().officials().contains { $0.id == "t.three" && $0.unit == "gd.gz.t3" })
        try "id,name,kind,parent,email\ngd.gz.t4,测试四,committee,gd.gz,\ngd.gz.t5,测试五,nonsense,gd.gz,\n".write(
            toFile: units,
            atomically: true,
            encoding: .utf8
        )
        try expect(["unit", "import", units], 65, err: "\(units):3:")
        #expect(try d.store().unit("gd.gz.t4") == nil)
        try expect(["unit", "import", "/nonexistent/units.csv"], 64, err: "cannot read this file")

        if let p { #expect(Self.stop(p) == 0) }
    }

    @Test(
        "changes through the daemon: logged with who made them, seen at once; reload; direct mode may not write meanwhile"
    )
    func changes() throws {
        try JournalReader.requireJournald()
        let d = try Daemon()
        let p = try Self.serve(d, log: "journal")
        defer { if p.isRunning { kill(p.processIdentifier, SIGKILL) } }
        let id = "semiannual-report/gd.gz/2026-H2"
        let before = try Daemon.run("dutyctl", ["upcoming", "--within", "60d", "--json", "--socket", d.socket])
        #expect(before.out.contains(id))

        let done = try Daemon.run("dutyctl", ["done", id, "--ref", "穗宣〔2026〕12号", "--socket", d.socket])
        #expect(done.status == 0, "\(done.err)")
        #expect(done.out == "\(id): done on \(todayInShanghai()), on time\n")
        // The next query through the daemon sees it.
        let after = try Daemon.run("dutyctl", ["upcoming", "--within", "60d", "--json", "--socket", d.socket])
        #expect(!after.out.contains(id))
        let all = try Daemon.run(
            "dutyctl",
            ["upcoming", "--within", "60d", "--state", "done", "--json", "--socket", d.socket]
        )
        #expect(all.out.contains(id) && all.out.contains("穗宣〔2026〕12号"))
        // In the store, by root (the peer's user, from the kernel).
        let c = try #require(try d.store().records().completions.first { $0.occurrence.description == id })
        #expect(c.by == "root")
        // In the journal, with who made it.
        let entries = try JournalReader.entries(pids: [p.processIdentifier], atLeast: 2)
        let change = try #require(
            entries.first { $0["DUTY_EVENT"] == "changed" },
            "\(entries.map { $0["MESSAGE"] ?? "" })"
        )
        #expect(change["MESSAGE_ID"] == "bec165f772774ea083cde9ad94346cd7")
        #expect(change["DUTY_PEER_USER"] == "root" && change["DUTY_PEER_UID"] == "0")
        #expect(change["DUTY_OCCURRENCE"] == id)
        #expect(change["DUTY_PEER_PID"].flatMap(Int32.init) == done.pid)

        // Waive and undo through the daemon, each logged.
        let other = "joint-meeting/gd.gz.xcb/2026-Q4"
        let waived = try Daemon.run("dutyctl", ["waive", other, "--reason", "与全会合并召开", "--socket", d.socket])
        #expect(waived.status == 0 && waived.out == "\(other): waived (与全会合并召开)\n", "\(waived.err)")
        let undone = try Daemon.run("dutyctl", ["undo", other, "--socket", d.socket, "--json"])
        #expect(undone.out == #"{"occurrence":"\#(other)","undone":"the waiver"}"# + "\n", "\(undone.err)")
        let nothing = try Daemon.run("dutyctl", ["undo", other, "--socket", d.socket])
        #expect(nothing.status == 65, "\(nothing.err)")
        #expect(try d.store().records().waivers.isEmpty)
        let changes = try JournalReader.entries(pids: [p.processIdentifier], atLeast: 4).filter {
            $0["DUTY_EVENT"] == "changed"
        }
        #expect(changes.compactMap { $0["DUTY_CHANGE"] }.contains { $0.hasPrefix("waived \(other)") })
        #expect(changes.compactMap { $0["DUTY_CHANGE"] }.contains { $0.hasPrefix("undid the waiver of \(other)") })

        // A change counts in the scheduler at once, with no reload: an event recorded a month ago starts a
        // report long overdue, and its notifications go out now (the daemon would otherwise sleep on).
        let past = try Daemon.run(
            "dutyctl",
            ["event", "record", "major-situation", "--unit", "gd.sz", "--on", "2026-10-28", "--socket", d.socket]
        )
        #expect(past.status == 0, "\(past.err)")
        // The scheduler performs the new occurrence's steps without a reload.
        try waitFor("the new occurrence's steps to be sent") {
            try d.store().ledger().contains {
                $0.occurrence.description.hasPrefix("major-situation-report/gd.sz/") && $0.state == .sent
            }
        }

        // The organisation through the daemon, each change logged (outputs and the store:
        // changeCommandsInBothModes).
        func ctl(_ args: [String]) throws -> Daemon.Result { try Daemon.run("dutyctl", args + ["--socket", d.socket]) }
        #expect(
            try ctl(["unit", "add", "gd.gz.t1", "--name", "测试单位党委", "--kind", "committee", "--parent", "gd.gz"]).status
                == 0
        )
        #expect(
            try ctl(["official", "add", "t.one", "--name", "测试员", "--unit", "gd.gz.t1", "--roles", "clerk"]).status == 0
        )
        #expect(try ctl(["official", "rm", "t.one"]).status == 0)
        let organisationChanges = try JournalReader.entries(pids: [p.processIdentifier], atLeast: 6).compactMap {
            $0["DUTY_CHANGE"]
        }
        #expect(
            organisationChanges.contains("added unit gd.gz.t1")
                && organisationChanges.contains("removed official t.one")
        )

        // reload: a broken policy is refused with its place (78), the old one stays; mended, it is taken.
        let policy = d.folder.appendingPathComponent("policy/ideology-responsibility.toml")
        let good = try String(contentsOf: policy, encoding: .utf8)
        try (good + "\n[obligation.broken]\nschedule = \"*-13-01\"\n").write(
            to: policy,
            atomically: true,
            encoding: .utf8
        )
        let broken = try Daemon.run("dutyctl", ["reload", "--socket", d.socket])
        #expect(broken.status == 78, "\(broken.err)")
        #expect(
            broken.err.contains("previous one stays in force") && broken.err.contains("ideology-responsibility.toml:")
        )
        #expect(try Daemon.run("dutyctl", ["upcoming", "--socket", d.socket]).status == 0)
        try good.write(to: policy, atomically: true, encoding: .utf8)
        let reloaded = try Daemon.run("dutyctl", ["reload", "--socket", d.socket])
        #expect(
            reloaded.status == 0 && reloaded.out.hasPrefix("dutyd reloaded \(d.config); in force since "),
            "\(reloaded.err)"
        )
        #expect(try Daemon.run("dutyctl", ["reload", "--config", d.config]).status == 64)
        // Both reloads are in the audit trail, by who asked and how, with their outcome; so is SIGHUP's.
        kill(p.processIdentifier, SIGHUP)
        let me = String(cString: getpwuid(getuid())!.pointee.pw_name)
        struct Change: Decodable {
            var who, how, action: String
            var detail: [String: String]
        }
        struct Trail: Decodable { var changes: [Change] }
        var reloads: [Change] = []
        try waitFor("the reload by SIGHUP in the audit trail") {
            let r = try Daemon.run("dutyctl", ["audit", "--json", "--socket", d.socket])
            reloads = try JSONDecoder().decode(Trail.self, from: Data(r.out.utf8)).changes.filter {
                $0.action == "reload"
            }
            return reloads.count == 3
        }
        #expect(reloads.map(\.who) == [me, me, "SIGHUP"] && reloads.map(\.how) == ["api", "api", "signal"])
        #expect(
            reloads[0].detail["outcome"]?.hasPrefix("refused: ") == true && reloads[1].detail["outcome"] == "in force"
        )
        #expect(try Daemon.run("dutyctl", ["audit", "verify", "--socket", d.socket]).status == 0)

        // A mistake is the daemon's words with its status.
        let bad = try Daemon.run("dutyctl", ["done", "semiannual-report/gd.gz/2026-H9", "--socket", d.socket])
        #expect(bad.status == 65 && bad.err.contains("no period '2026-H9'"))

        // Direct mode reads, but may not write behind the running daemon's back.
        #expect(try Daemon.run("dutyctl", ["upcoming", "--config", d.config]).status == 0)
        let refused = try Daemon.run("dutyctl", ["done", "semiannual-report/gd.sz/2026-H2", "--config", d.config])
        #expect(refused.status == 1)
        #expect(refused.err.contains("dutyd (pid \(p.processIdentifier)) is running on \(d.state)"))
        #expect(refused.err.contains("leave out --config"))
        // A second dutyd on the same store is refused.
        let second = try Daemon.run("dutyd", ["--config", d.config, "--log", "stderr"])
        #expect(second.status == 1 && second.err.contains("another dutyd (pid \(p.processIdentifier))"))

        #expect(Self.stop(p) == 0)
        // Stopped: direct mode writes again, and prints what remote mode printed.
        let later = try Daemon.run("dutyctl", ["done", "semiannual-report/gd.sz/2026-H2", "--config", d.config])
        #expect(later.status == 0, "\(later.err)")
        #expect(later.out == "semiannual-report/gd.sz/2026-H2: done on \(todayInShanghai()), on time\n")
    }

    @Test(
        "authorization from the peer's credentials, with real users: a stranger is refused, a reader cannot write, an admin can"
    )
    func authorization() throws {
        try TestUsers.user("dutyd-t-reader", groups: ["dutyd-t-read"])
        try TestUsers.user("dutyd-t-admin", groups: ["dutyd-t-read", "dutyd-t-admin"])
        try TestUsers.user("dutyd-t-stranger", groups: [])
        let d = try Daemon(api: "group = \"dutyd-t-read\"\nadmin_groups = [\"dutyd-t-admin\"]")
        let p = try Self.serve(d)
        defer { if p.isRunning { kill(p.processIdentifier, SIGKILL) } }
        // The socket: 0660, group dutyd-t-read (docs/design.md, API socket).
        let attributes = try FileManager.default.attributesOfItem(atPath: d.socket)
        #expect((attributes[.posixPermissions] as? Int) == 0o660)
        #expect((attributes[.groupOwnerAccountName] as? String) == "dutyd-t-read")

        /// dutyctl run as `user` with that user's groups.
        func dutyctl(_ user: String, _ args: [String]) throws -> Daemon.Result {
            let p = Process()
            p.executableURL = URL(fileURLWithPath: "/usr/sbin/runuser")
            p.arguments =
                ["-u", user, "--", try Daemon.forOtherUsers(Products.program("dutyctl"))]
                + args
            return try Daemon.finish(p)
        }
        let occurrence = "semiannual-report/gd.gz/2026-H2"

        // A stranger cannot even connect: 77 and what to ask for.
        let stranger = try dutyctl("dutyd-t-stranger", ["status", "--socket", d.socket])
        #expect(stranger.status == 77, "\(stranger.err)")
        #expect(stranger.err.contains("dutyd-t-stranger may not connect"))
        #expect(try dutyctl("dutyd-t-stranger", ["done", occurrence, "--socket", d.socket]).status == 77)

        // A member of the socket's group asks, but may not change anything.
        let status = try dutyctl("dutyd-t-reader", ["status", "--socket", d.socket])
        #expect(status.status == 0, "\(status.err)")
        #expect(try dutyctl("dutyd-t-reader", ["upcoming", "--within", "60d", "--socket", d.socket]).status == 0)
        let refused = try dutyctl("dutyd-t-reader", ["done", occurrence, "--socket", d.socket])
        #expect(refused.status == 77)
        #expect(refused.err.contains("dutyd-t-reader may not change dutyd's state"))
        #expect(refused.err.contains("usermod -aG dutyd-t-admin dutyd-t-reader"))
        #expect(try d.store().records().completions.isEmpty)
        // A large import sent in pieces (stderr on a terminal) is refused the same way, not with a
        // failed write: dutyd answers before it has read the file.
        var csv = "id,name,kind,parent,email\n"
        for i in 0..<60_000 { csv += "gd.r\(i),测试单位第\(i)号党组织,unit,gd,r\(i)@example.org\n" }
        let big = scratchDirectory.appendingPathComponent("big-\(UUID().uuidString).csv")
        try csv.write(to: big, atomically: true, encoding: .utf8)
        try FileManager.default.setAttributes([.posixPermissions: 0o644], ofItemAtPath: big.path)
        defer { try? FileManager.default.removeItem(at: big) }
        let command =
            "runuser -u dutyd-t-reader -- '\(try Daemon.forOtherUsers(Products.program("dutyctl")))' "
            + "unit import '\(big.path)' --socket '\(d.socket)'"
        let bigRefused = try JournalReader.shell("script", ["-qec", command, "/dev/null"])
        #expect(bigRefused.status == 77, "\(bigRefused.out.suffix(400))")
        #expect(bigRefused.out.contains("dutyd-t-reader may not change dutyd's state"), "\(bigRefused.out.suffix(400))")
        #expect(try d.store().unit("gd.r1") == nil)

        // A member of an admin group changes it, recorded under that user's name.
        let done = try dutyctl("dutyd-t-admin", ["done", occurrence, "--socket", d.socket])
        #expect(done.status == 0, "\(done.err)")
        let c = try #require(try d.store().records().completions.first)
        #expect(c.by == "dutyd-t-admin" && c.occurrence.description == occurrence)
        #expect(Self.stop(p) == 0)
    }
}

/// Today in the example's zone (what `done` without --on records).
func todayInShanghai() -> String {
    var f = Date.ISO8601FormatStyle(timeZone: TimeZone(identifier: "Asia/Shanghai")!)
    f = f.year().month().day()
    return Date().formatted(f)
}
