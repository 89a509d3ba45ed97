import DutyCalendar
import DutyStore
import DutyTestScoping
import DutyTestSupport
import Foundation
import Testing

/// The wall clock as an operator's bad day moves it: set forward and back again, or a
/// `dutyd --once --now` ahead of it. The runs see a clock set by `faketime` (libfaketime), so what is
/// due depends on the clock they read, as in production, and not on the day the tests run.
@Suite("clock jumps", .serialized, .ownThreads)
struct ClockTests {
    static let faketime = "/usr/bin/faketime"

    /// Runs a built binary at a wall clock reading `utc` (`2026-12-21 01:05:00`).
    static func at(_ utc: String, _ name: String, _ args: [String]) throws -> Daemon.Result {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: faketime)
        p.arguments = [utc, Products.program(name).path] + args
        var env = ProcessInfo.processInfo.environment
        env["TZ"] = "UTC"
        for k in ["NOTIFY_SOCKET", "WATCHDOG_USEC", "WATCHDOG_PID"] { env.removeValue(forKey: k) }
        p.environment = env
        return try Daemon.finish(p)
    }

    /// Ten units added under 番禺区委 at `utc`; their half-year report is due on 21 December.
    static func addUnits(_ d: Daemon, at utc: String) throws {
        var csv = "id,name,kind,parent,email\n"
        for n in 0..<10 { csv += "gd.gz.panyu.n\(n),新增单位\(n),unit,gd.gz.panyu,\n" }
        let file = d.folder.appendingPathComponent("new-units.csv").path
        try csv.write(toFile: file, atomically: true, encoding: .utf8)
        let r = try at(utc, "dutyctl", ["unit", "import", file, "--config", d.config])
        try #require(r.status == 0, "\(r.err)")
    }

    static func once(_ d: Daemon, at utc: String, _ extra: [String] = []) throws -> Daemon.Result {
        let r = try at(utc, "dutyd", ["--once", "--log", "stderr", "--config", d.config] + extra)
        #expect(r.status == 0, "\(r.err)")
        return r
    }

    /// What the new units got: occurrence, step and state of every ledger row.
    static func newUnitRows(_ d: Daemon) throws -> Set<String> {
        Set(
            try d.store().ledger().filter { $0.occurrence.contains("gd.gz.panyu.n") }
                .map { "\($0.occurrence) \($0.step) \($0.channel) \($0.state)" }
        )
    }

    /// The same days without the fault: what the new units should get.
    static func control() throws -> Set<String> {
        let d = try Daemon()
        defer { try? FileManager.default.removeItem(at: d.folder) }
        _ = try once(d, at: "2026-12-10 01:00:00")
        try addUnits(d, at: "2026-12-11 01:00:00")
        _ = try once(d, at: "2026-12-11 01:00:00")
        _ = try once(d, at: "2026-12-21 01:05:00")
        let rows = try newUnitRows(d)
        #expect(rows.count >= 10, "\(rows)")
        return rows
    }

    @Test("a --once --now ahead of the clock never makes a later run skip what falls due")
    func runAheadOfTheClock() throws {
        let expected = try Self.control()
        let d = try Daemon()
        defer { try? FileManager.default.removeItem(at: d.folder) }
        _ = try Self.once(d, at: "2026-12-10 01:00:00")
        // An administrator tries the 24th on the 10th: what is due through the 24th goes out.
        _ = try Self.once(d, at: "2026-12-10 01:00:00", ["--now", "2026-12-24T09:00:00+08:00"])
        try Self.addUnits(d, at: "2026-12-11 01:00:00")
        let late = try Self.once(d, at: "2026-12-21 01:05:00")
        #expect(late.err.contains("the clock is behind the last run"), "\(late.err)")
        #expect(try Self.newUnitRows(d) == expected)
        // The watermark came back to the real time.
        let mark = try #require(try d.store().watermark())
        #expect(mark.description.hasPrefix("2026-12-21T01:05"), "\(mark)")
    }

    @Test("the clock set forward, then back: the jump is logged and what falls due later still goes out")
    func clockForwardAndBack() throws {
        let expected = try Self.control()
        let d = try Daemon()
        defer { try? FileManager.default.removeItem(at: d.folder) }
        _ = try Self.once(d, at: "2026-12-10 01:00:00")
        // The clock is wrongly set to the 24th for a run, then put right.
        _ = try Self.once(d, at: "2026-12-24 01:00:00")
        try Self.addUnits(d, at: "2026-12-11 01:00:00")
        let back = try Self.once(d, at: "2026-12-11 01:00:00")
        #expect(back.err.contains("the clock is behind the last run"), "\(back.err)")
        let again = try Self.once(d, at: "2026-12-11 01:30:00")
        #expect(!again.err.contains("the clock is behind"), "jitter or a second run is not a jump: \(again.err)")
        _ = try Self.once(d, at: "2026-12-21 01:05:00")
        #expect(try Self.newUnitRows(d) == expected)
    }
}
