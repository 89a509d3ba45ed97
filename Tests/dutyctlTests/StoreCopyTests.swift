import DutyTestScoping
import DutyTestSupport
import Foundation
import Testing

/// `dutyctl store copy`: a SQLite deployment moved to PostgreSQL and back, compared table by table.
@Suite("store copy", .ownThreads)
struct StoreCopyTests {
    typealias R = DutyctlCalendarTests

    struct Answer: Decodable {
        struct Table: Decodable, Equatable {
            var table: String
            var rows: Int
            var checksum: String
        }
        var from: String
        var to: String
        var tables: [Table]
    }

    static func copy(_ args: String...) throws -> (status: Int32, answer: Answer?, err: String) {
        let r = try R.dutyctl(["store", "copy", "--json"] + args)
        return (r.status, try? JSONDecoder().decode(Answer.self, from: Data(r.out.utf8)), r.err)
    }

    @Test(
        "SQLite to PostgreSQL and back: every table equal, the audit chain verifies, the answers agree; a full target is refused"
    )
    func sqliteToPostgresAndBack() throws {
        let config = try DutyctlDirectModeTests.imported()
        let sqlite = URL(fileURLWithPath: config).deletingLastPathComponent()
            .appendingPathComponent("state/dutyd.sqlite").path
        // Something of every kind: completions, a waiver, an event, a receipt, an extension request.
        for args in [
            ["done", "semiannual-report/gd.gz/2026-H2", "--on", "2026-11-30", "--ref", "穗宣〔2026〕12号"],
            ["waive", "unit-situation-report/gd.gz.jyj/2026-H2", "--reason", "合并汇报"],
            ["event", "record", "major-situation", "--unit", "gd.sz", "--on", "2026-12-01"],
            ["ack", "unit-situation-report/gd.gz.tsg/2026-H2"],
        ] {
            let r = try R.dutyctl(args + ["--config", config])
            #expect(r.status == 0, "\(args): \(r.err)")
        }
        let postgres = try PostgresServer.shared().newDatabase()
        let there = try Self.copy("--from", "sqlite:\(sqlite)", "--to", postgres)
        #expect(there.status == 0, "\(there.err)")
        let tables = try #require(there.answer?.tables)
        let rows = Dictionary(uniqueKeysWithValues: tables.map { ($0.table, $0.rows) })
        #expect(rows["unit"] == 32 && rows["official"] == 64 && rows["completion"] == 1 && rows["waiver"] == 1)
        #expect(rows["event"] == 1 && rows["receipt"] == 1 && (rows["audit"] ?? 0) >= 6)
        #expect(there.answer?.to.hasPrefix("postgresql://postgres@") == true)
        // The same questions give the same answers on both.
        for question in [
            ["upcoming", "--at", "2026-12-05T10:00:00+08:00", "--within", "60d", "--json"],
            ["audit", "--json"],
            ["audit", "verify"],
        ] {
            let a = try R.dutyctl(question + ["--config", config])
            let b = try R.dutyctl(question + ["--config", config, "--state", postgres])
            #expect(a.status == 0 && b.status == 0, "\(question): \(a.err) \(b.err)")
            #expect(a.out == b.out, "\(question)")
        }
        // A change there numbers on after the copied rows.
        let done = try R.dutyctl(
            "done",
            "unit-situation-report/gd.gz.panyu.school1/2026-H2",
            "--on",
            "2026-12-02",
            "--config",
            config,
            "--state",
            postgres
        )
        #expect(done.status == 0, "\(done.err)")
        // A target that holds anything is refused, unless --replace.
        let full = try Self.copy("--from", "sqlite:\(sqlite)", "--to", postgres)
        #expect(full.status == 65 && full.err.contains("is not empty") && full.err.contains("--replace"), "\(full.err)")
        let replaced = try Self.copy("--from", "sqlite:\(sqlite)", "--to", postgres, "--replace")
        #expect(replaced.status == 0 && replaced.answer?.tables == tables, "\(replaced.err)")
        // A mistyped source is refused, not copied as an empty store.
        let typo = try Self.copy("--from", "sqlite:\(sqlite).typo", "--to", postgres, "--replace")
        #expect(typo.status == 64 && typo.err.contains("no such state store"), "\(typo.err)")
        #expect(!FileManager.default.fileExists(atPath: sqlite + ".typo"))
        // config check connects to the database and names it without its password.
        let check = try R.dutyctl("config", "check", "--config", config, "--state", postgres)
        #expect(check.status == 0 && check.out.contains("state postgresql://postgres@"), "\(check.out)\(check.err)")
        let wrong = try R.dutyctl(
            "config",
            "check",
            "--config",
            config,
            "--state",
            "postgresql://u:secret@h/db?sslmode=maybe"
        )
        #expect(
            wrong.status == 78 && wrong.err.contains("sslmode=maybe") && !wrong.err.contains("secret"),
            "\(wrong.err)"
        )
        // Written in the settings file, the mistake is named by the file, line and column of `state`.
        let settings = try String(contentsOfFile: config, encoding: .utf8)
        let broken = URL(fileURLWithPath: config).deletingLastPathComponent().appendingPathComponent("broken.toml").path
        try
            ("state = \"postgresql://u:secret@h/db?sslmode=maybe\"\n"
            + settings.split(separator: "\n", omittingEmptySubsequences: false)
            .filter { !$0.hasPrefix("state") }.joined(separator: "\n"))
            .write(toFile: broken, atomically: true, encoding: .utf8)
        for (program, args) in [("dutyctl", ["config", "check"]), ("dutyctl", ["upcoming"]), ("dutyd", [])] {
            let placed = try R.program(program, args + ["--config", broken])
            #expect(
                placed.status == 78
                    && placed.err.contains("broken.toml:1:1: state: PostgreSQL connection string: sslmode=maybe")
                    && !placed.err.contains("secret"),
                "\(args): \(placed.status) \(placed.err)"
            )
        }
        // And back to a new SQLite file: the same rows, to the byte.
        let back = URL(fileURLWithPath: sqlite).deletingLastPathComponent().appendingPathComponent("back.sqlite").path
        let home = try Self.copy("--from", postgres, "--to", "sqlite:\(back)")
        #expect(home.status == 0 && home.answer?.tables == tables, "\(home.err)")
    }
}
