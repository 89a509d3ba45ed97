import DutyTestScoping
import DutyTestSupport
import Foundation
import Testing

/// `dutyctl done --import`: completions from an office system's CSV export, all or nothing, every bad
/// line named; `--skip-bad` records the good ones and writes the bad ones out for mending.
@Suite("done --import", .ownThreads)
struct DoneImportTests {
    typealias R = DutyctlCalendarTests
    /// Who runs the tests, as the audit trail names them.
    static let me = String(cString: getpwuid(getuid())!.pointee.pw_name)

    /// A file as Excel saves it: a byte-order mark and CRLF line ends.
    static func excel(_ lines: [String]) -> Data {
        Data(([0xEF, 0xBB, 0xBF] as [UInt8]) + Array(lines.joined(separator: "\r\n").utf8) + Array("\r\n".utf8))
    }

    struct Change: Decodable {
        var who, how, action: String
        var occurrence: String?
        var detail: [String: String]
    }
    struct Trail: Decodable { var changes: [Change] }

    static func trail(_ config: String) throws -> [Change] {
        let r = try R.dutyctl("audit", "--json", "--config", config)
        #expect(r.status == 0, "\(r.err)")
        return try JSONDecoder().decode(Trail.self, from: Data(r.out.utf8)).changes
    }

    @Test(
        "one bad line and nothing is recorded, every bad line named; --skip-bad records the rest and writes the bad out"
    )
    func allOrNothing() throws {
        let config = try DutyctlDirectModeTests.imported()
        let folder = URL(fileURLWithPath: config).deletingLastPathComponent()
        let file = folder.appendingPathComponent("办结.csv")
        let good = [
            "semiannual-report/gd.gz/2026-H2,2026-11-30,穗宣〔2026〕12号,,张三",
            "unit-situation-report/gd.gz.panyu.school1/2026-H2,2026-12-01,,\"备注，含逗号\",",
            "unit-situation-report/gd.gz.jyj/2026-H2,2026-12-02,,,李四",
        ]
        let bad = [
            "no-such-duty/gd.gz/2026-H2,2026-12-01,,,",  // line 5: unknown obligation
            "semiannual-report/gd.gz/2026-H2,2026-12-03,,,",  // line 6: twice in the file
            "unit-situation-report/gd.gz.huadu.school1/2026-H2,2999-01-01,,,",  // line 7: in the future
            "unit-situation-report/gd.gz.huadu.school1/2026-H2,2026-12-32,,,",  // line 8: not a date
        ]
        try Self.excel(["occurrence,date,reference,note,by"] + good + bad).write(to: file)
        let before = try Self.trail(config).count

        let refused = try R.dutyctl("done", "--import", file.path, "--config", config)
        #expect(refused.status == 65, "\(refused.err)")
        for (line, column, words) in [
            (5, 1, "no obligation 'no-such-duty'"), (6, 1, "listed twice (first on line 2)"),
            (7, 2, "2999-01-01 is in the future"), (8, 2, "'2026-12-32' is not a date"),
        ] {
            #expect(refused.err.contains("办结.csv:\(line):\(column): ") && refused.err.contains(words), "\(refused.err)")
        }
        #expect(refused.err.contains("4 of 7 lines are bad and nothing was recorded"), "\(refused.err)")
        #expect(refused.out.isEmpty)
        #expect(try Self.trail(config).count == before, "a refused import changed the audit trail")

        let skipped = try R.dutyctl("done", "--import", file.path, "--skip-bad", "--config", config)
        #expect(skipped.status == 0, "\(skipped.err)")
        #expect(skipped.out.contains("recorded 3 completions from \(file.path)"), "\(skipped.out)")
        let rejectedPath = folder.appendingPathComponent("办结.rejected.csv")
        #expect(
            skipped.err.contains("4 bad lines were not recorded; they are in \(rejectedPath.path)"),
            "\(skipped.err)"
        )
        let rejected = try Data(contentsOf: rejectedPath)
        #expect(rejected.starts(with: [0xEF, 0xBB, 0xBF]))
        let rows = String(decoding: rejected.dropFirst(3), as: UTF8.self).split(separator: "\r\n")
        #expect(rows.first == "occurrence,date,reference,note,by,line,error")
        #expect(rows.count == 5 && rows[1].hasPrefix("no-such-duty/gd.gz/2026-H2,2026-12-01,,,,5,"), "\(rows)")
        #expect(rows[4].hasPrefix("unit-situation-report/gd.gz.huadu.school1/2026-H2,2026-12-32,,,,8,"))

        // Recorded as done would record them, by the importer, each in the audit trail marked import.
        let shown = try R.dutyctl("explain", "semiannual-report/gd.gz/2026-H2", "--json", "--config", config)
        #expect(shown.out.contains("2026-11-30") && shown.out.contains("穗宣〔2026〕12号"), "\(shown.out)")
        let added = try Self.trail(config).dropFirst(before)
        #expect(added.map(\.action) == ["done", "done", "done"])
        #expect(added.allSatisfy { $0.how == "import" && $0.who == Self.me })
        #expect(added.first?.detail == ["on": "2026-11-30", "reference": "穗宣〔2026〕12号", "by": "张三"])
        #expect(added.dropFirst().first?.detail["note"] == "备注，含逗号")

        // Again: every line is done already, and named.
        let again = try R.dutyctl("done", "--import", file.path, "--config", config)
        #expect(
            again.status == 65
                && again.err.contains(
                    "办结.csv:2:1: semiannual-report/gd.gz/2026-H2 was already recorded as done on 2026-11-30"
                ),
            "\(again.err)"
        )

        // The other shape: obligation, subject and period in columns of their own, in any order.
        let parts = folder.appendingPathComponent("parts.csv")
        try Self.excel([
            "date,period,subject,obligation", "2026-12-04,2026-H2,gd.gz.tsg,unit-situation-report",
        ]).write(to: parts)
        let byParts = try R.dutyctl("done", "--import", parts.path, "--config", config)
        #expect(byParts.status == 0 && byParts.out.contains("recorded 1 completions"), "\(byParts.err)")
        #expect(try Self.trail(config).last?.occurrence == "unit-situation-report/gd.gz.tsg/2026-H2")
        #expect(try R.dutyctl("audit", "verify", "--config", config).status == 0)
    }

    @Test("a file that cannot be an import: no header, an unknown column, no occurrence column; bad usage")
    func badFiles() throws {
        let config = try DutyctlDirectModeTests.imported()
        let folder = URL(fileURLWithPath: config).deletingLastPathComponent()
        for (lines, words) in [
            ([] as [String], "the file is empty"),
            (["occurrence,date,who"], "unknown column 'who'"),
            (["obligation,subject,date"], "either an occurrence column or obligation, subject and period"),
            (["occurrence,reference"], "missing column 'date'"),
        ] {
            let file = folder.appendingPathComponent("bad.csv")
            try Self.excel(lines).write(to: file)
            let r = try R.dutyctl("done", "--import", file.path, "--config", config)
            #expect(r.status == 65 && r.err.contains("bad.csv:1") && r.err.contains(words), "\(lines): \(r.err)")
        }
        for args in [
            ["done"], ["done", "semiannual-report/gd.gz/2026-H2", "--import", "x.csv"],
            ["done", "--import", "x.csv", "--on", "2026-12-01"],
            ["done", "semiannual-report/gd.gz/2026-H2", "--skip-bad"],
        ] {
            let r = try R.dutyctl(args + ["--config", config])
            #expect(r.status == 64, "\(args): \(r.err)")
        }
    }
}
