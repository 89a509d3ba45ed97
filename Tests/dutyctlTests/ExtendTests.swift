import DutyTestScoping
import DutyTestSupport
import Foundation
import Testing

/// `dutyctl extend`: an administrator records a unit's request for more time (延期), an approver the
/// policy names decides it, and every question after that knows the new deadline.
@Suite("extend", .ownThreads)
struct ExtendTests {
    typealias R = DutyctlCalendarTests

    /// Next year's first half-year report of Guangzhou: always months ahead, due 30 June; its
    /// approver is the parent region's (Guangdong's) propaganda head, sun.wei.
    static let year = NextYear.year
    static let occurrence = NextYear.semiannualReport("gd.gz")
    static let until = NextYear.earlyJulyWeekday

    @Test("request prints its id last, an approver named by the policy approves, the deadline moves everywhere")
    func requestAndApprove() throws {
        let config = try DutyctlDirectModeTests.imported()
        func run(_ args: String...) throws -> DutyctlCalendarTests.Result {
            try R.dutyctl(args + ["--config", config])
        }

        // The request: its id is the last line, and a field of --json
        let asked = try run("extend", "request", Self.occurrence, "--until", Self.until, "--reason", "年中工作会议改期")
        #expect(asked.status == 0, "\(asked.err)")
        #expect(asked.out.split(separator: "\n").last == "ext-1", "\(asked.out)")
        #expect(asked.out.contains("from \(Self.year)-06-30 to \(Self.until)"))
        let again = try run("extend", "request", Self.occurrence, "--until", Self.until, "--reason", "again", "--json")
        #expect(again.status == 65 && again.err.contains("ext-1") && again.err.contains("waiting for a decision"))
        let other = try run(
            "extend",
            "request",
            "\(NextYear.semiannualReport("gd.sz"))",
            "--until",
            Self.until,
            "--reason",
            "x",
            "--json"
        )
        #expect(other.status == 0, "\(other.err)")
        #expect(try R.json(other)["id"] as? String == "ext-2")
        #expect(try R.json(other)["state"] as? String == "pending")

        // Guangzhou's own propaganda head is not its approver: refused (77), naming who is
        let notApprover = try run("extend", "approve", "ext-1", "--by", "yang.fan")
        #expect(notApprover.status == 77, "\(notApprover.err)")
        #expect(notApprover.err.contains("parent-region/propaganda: head") && notApprover.err.contains("sun.wei"))
        let approved = try run("extend", "approve", "ext-1", "--by", "sun.wei", "--note", "同意")
        #expect(approved.status == 0, "\(approved.err)")
        #expect(approved.out.contains("is now due \(Self.until)"))
        let twice = try run("extend", "deny", "ext-1")
        #expect(twice.status == 65 && twice.err.contains("approved already by sun.wei"), "\(twice.err)")
        let denied = try run("extend", "deny", "ext-2", "--note", "请按期报送")
        #expect(denied.status == 0 && denied.out.contains("stays due \(Self.year)-06-30"), "\(denied.out)")

        // Every question knows the new day: explain, upcoming --json, the year's report
        let explain = try run("explain", Self.occurrence)
        #expect(explain.out.contains("deadline: \(Self.until)"), "\(explain.out)")
        #expect(explain.out.contains("extended (延期): ext-1") && explain.out.contains("approved by sun.wei"))
        #expect(explain.out.contains("due@\(Self.until)"))
        let upcoming = try run(
            "upcoming",
            "--unit",
            "gd.gz",
            "--obligation",
            "semiannual-report",
            "--within",
            "800d",
            "--json"
        )
        let rows = try #require(try R.json(upcoming)["occurrences"] as? [[String: Any]])
        let row = try #require(rows.first { $0["id"] as? String == Self.occurrence })
        #expect(row["deadline_date"] as? String == Self.until)
        #expect((row["extended"] as? [String: Any])?["request"] as? String == "ext-1")
        #expect((row["extended"] as? [String: Any])?["from"] as? String == "\(Self.year)-06-30")
        let sz = try run("explain", "\(NextYear.semiannualReport("gd.sz"))")
        #expect(sz.out.contains("deadline: \(Self.year)-06-30") && sz.out.contains("ext-2 denied"))
        let report = try run(
            "report",
            "--year",
            "\(Self.year)",
            "--unit",
            "gd.gz",
            "--json",
            "--at",
            "\(Self.year)-12-31T12:00:00+08:00"
        )
        let total = try #require(try R.json(report)["total"] as? [String: Any])
        #expect(total["extended"] as? Int == 1, "\(total)")

        // Listed, and in the audit trail with who decided
        let list = try run("extend", "ls")
        #expect(list.out.contains("ext-1") && list.out.contains("approved") && list.out.contains("denied"))
        #expect(try run("extend", "ls", "--pending").out.contains("no request is waiting"))
        let audit = try run("audit", "--occurrence", Self.occurrence)
        #expect(audit.out.contains("extension-request") && audit.out.contains("extension-approve"))
        #expect(audit.out.contains("by=sun.wei"))
        #expect(try run("audit", "verify").status == 0)
    }

    @Test("a request after the deadline, without a reason, to no date or a day off, or of an unknown id is refused")
    func refusals() throws {
        let config = try DutyctlDirectModeTests.imported()
        func run(_ args: String...) throws -> DutyctlCalendarTests.Result {
            try R.dutyctl(args + ["--config", config])
        }
        let past = try run(
            "extend",
            "request",
            "semiannual-report/gd.gz/2026-H1",
            "--until",
            "2026-07-06",
            "--reason",
            "late"
        )
        #expect(past.status == 65 && past.err.contains("a request after the deadline is refused"), "\(past.err)")
        let noReason = try run("extend", "request", Self.occurrence, "--until", Self.until, "--reason", "  ")
        #expect(noReason.status == 64 && noReason.err.contains("--reason"), "\(noReason.err)")
        let badDate = try run("extend", "request", Self.occurrence, "--until", "soon", "--reason", "x")
        #expect(badDate.status == 64 && badDate.err.contains("--until"), "\(badDate.err)")
        let sunday = NextYear.earlyJulyWeekend
        let off = try run("extend", "request", Self.occurrence, "--until", sunday, "--reason", "x")
        #expect(off.status == 65 && off.err.contains("is not a working day"), "\(off.err)")
        let unknown = try run("extend", "approve", "ext-42")
        #expect(unknown.status == 65 && unknown.err.contains("no extension request ext-42"))
        let garbage = try run("extend", "approve", "approve-everything")
        #expect(garbage.status == 64 && garbage.err.contains("expected ext-N"))
        // Nothing was recorded
        #expect(try run("extend", "ls").out.contains("no extension requests"))
    }
}
