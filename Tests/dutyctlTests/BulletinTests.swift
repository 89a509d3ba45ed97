import DutyTestScoping
import DutyTestSupport
import Foundation
import Testing

/// `dutyctl bulletin`: per supervising region, the units that are or were late in a period, by unit,
/// with the region's figures, agreeing with `report`.
@Suite("bulletin", .ownThreads)
struct BulletinTests {
    typealias R = DutyctlCalendarTests

    @Test("each region lists the late units it supervises, never a sub-region's, with totals that add up to report's")
    func regions() throws {
        let config = try DutyctlDirectModeTests.imported()
        let text = try String(contentsOfFile: config, encoding: .utf8)
        try text.replacingOccurrences(of: "track_from = \"2026-11-29\"", with: "track_from = \"2026-01-01\"")
            .write(toFile: config, atomically: true, encoding: .utf8)
        // Shenzhen's library reports its first half a week late; its education bureau on time.
        for args in [
            ["done", "unit-situation-report/gd.sz.tsg/2026-H1", "--on", "2026-06-30"],
            ["done", "unit-situation-report/gd.sz.jyj/2026-H1", "--on", "2026-06-01"],
        ] {
            let r = try R.dutyctl(args + ["--config", config])
            #expect(r.status == 0, "\(args): \(r.err)")
        }
        let moment = "2026-12-31T12:00:00+08:00"
        let at = ["--period", "2026", "--at", moment, "--config", config]
        let r = try R.dutyctl(["bulletin", "--json"] + at)
        #expect(r.status == 0, "\(r.err)")
        let json = try R.json(r)
        let regions = try #require(json["regions"] as? [[String: Any]])
        #expect(json["from"] as? String == "2026-01-01" && json["through"] as? String == "2026-12-31")
        #expect(json["count"] as? Int == regions.count)
        let ids = regions.map { $0["unit"] as! String }
        #expect(ids.first == "gd" && ids.contains("gd.sz") && ids.contains("gd.sz.futian"), "\(ids)")
        func region(_ id: String) throws -> [String: Any] {
            try #require(regions.first { $0["unit"] as? String == id })
        }
        let sz = try region("gd.sz")
        #expect(sz["supervisors"] as? [String] == ["gd.sz", "gd.sz.xcb"])

        // What report says of the same year, unit by unit: Shenzhen supervises its own units and the
        // committees of Futian and Nanshan (ids one level below it), not what is inside those.
        let report = try R.json(
            try R.dutyctl(["report", "--year", "2026", "--json", "--at", moment, "--config", config])
        )
        let units = (report["lines"] as! [[String: Any]]).filter { ($0["obligation"] as! String).isEmpty }
        let supervised = units.filter {
            let id = $0["unit"] as! String
            return id.hasPrefix("gd.sz.") && id.split(separator: ".").count == 3
        }
        let expectedLate = supervised.filter { ($0["late"] as! Int) > 0 || ($0["overdue"] as! Int) > 0 }.map {
            $0["unit"] as! String
        }
        let late = (sz["late"] as! [[String: Any]]).map { $0["unit"] as! String }
        #expect(late == expectedLate, "\(late) vs \(expectedLate)")
        #expect(late.contains("gd.sz.tsg") && !late.contains { $0.hasPrefix("gd.sz.futian.") }, "\(late)")
        #expect(sz["units"] as? Int == supervised.count)
        let total = try #require(sz["total"] as? [String: Any])
        for key in [
            "due", "on_time", "late", "overdue", "waived", "open", "received_on_time", "received_late",
            "receipt_overdue",
        ] {
            #expect(total[key] as? Int == supervised.map { $0[key] as! Int }.reduce(0, +), "\(key)")
        }
        let tsg = try #require((sz["late"] as! [[String: Any]]).first { $0["unit"] as? String == "gd.sz.tsg" })
        #expect((tsg["late"] as! Int) >= 1, "\(tsg)")
        // Futian's school is in Futian's bulletin.
        let futian = (try region("gd.sz.futian")["late"] as! [[String: Any]]).map { $0["unit"] as! String }
        #expect(futian.contains("gd.sz.futian.school1"), "\(futian)")

        // A department stands for its region: the same one bulletin.
        let one = try R.json(try R.dutyctl(["bulletin", "--json", "--unit", "gd.sz.xcb"] + at))
        let only = try #require(one["regions"] as? [[String: Any]])
        #expect(only.count == 1 && only.first?["unit"] as? String == "gd.sz")
        #expect((only.first?["late"] as? [[String: Any]])?.map { $0["unit"] as! String } == late)
        // A half year is its own period.
        let h2 = try R.json(
            try R.dutyctl(["bulletin", "--json", "--period", "2026-H2", "--at", moment, "--config", config])
        )
        #expect(h2["from"] as? String == "2026-07-01")

        // The table and the CSV (for Excel: a byte-order mark), by unit.
        let table = try R.dutyctl(["bulletin"] + at)
        #expect(
            table.out.contains("中共深圳市委 (gd.sz) — to gd.sz, gd.sz.xcb:") && table.out.contains("gd.sz.tsg"),
            "\(table.out)"
        )
        let csv = try R.dutyctl(["bulletin", "--csv", "--unit", "gd.sz"] + at)
        #expect(csv.out.hasPrefix("\u{FEFF}region,region_name,unit,unit_name,due,"))
        let rows = csv.out.split(separator: "\r\n")
        #expect(rows.count == 1 + late.count + 1 && rows.last?.hasPrefix("gd.sz,中共深圳市委,,,") == true, "\(rows)")

        // Mistakes.
        #expect(try R.dutyctl(["bulletin", "--period", "2026-H3", "--config", config]).status == 64)
        #expect(
            try R.dutyctl(["bulletin", "--period", "2026-H2", "--unit", "nowhere", "--config", config]).status == 65
        )
    }
}
