import DutyCalendar
import DutyFiles
import DutyTestScoping
import DutyTestSupport
import Foundation
import Testing

/// The working-day rules on China's real schedules, as shipped in `config/holidays/cn/`.
@Suite("Working days on the official schedule", .ownThreads)
struct WorkingDayTests {
    static let shipped = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("config/holidays/cn").path
    static let calendar = try! WorkingDayCalendar.load(directories: [shipped])

    static func day(_ s: String) -> CivilDate { CivilDate(iso: s)! }

    @Test("DESIGN's worked case: 31 January 2025 moves back to Monday 27 January")
    func springFestival2025() {
        let shift = Self.calendar.shift(Self.day("2025-01-31"), rule: .previousWorkday)
        #expect(shift.date == Self.day("2025-01-27"))
        #expect(shift.skipped.map(\.date) == ["2025-01-31", "2025-01-30", "2025-01-29", "2025-01-28"].map(Self.day))
        #expect(shift.skipped.allSatisfy { $0.reason == .holiday && $0.holiday == "春节" })
        #expect(!shift.provisional)
    }

    @Test("DESIGN's worked case: Saturday 28 February 2026 is a make-up working day and does not move")
    func makeUpSaturday2026() {
        let status = Self.calendar.status(of: Self.day("2026-02-28"))
        #expect(status.working)
        #expect(status.reason == .makeUpWorkday)
        #expect(status.holiday == "春节")
        #expect(Self.calendar.shift(Self.day("2026-02-28"), rule: .previousWorkday).date == Self.day("2026-02-28"))
    }

    /// docs/design.md, Working days: the last working day of the month.
    @Test(
        "month ends move to the last working day",
        arguments: [
            ("2025-01-31", "2025-01-27"), ("2025-05-31", "2025-05-30"), ("2025-09-30", "2025-09-30"),
            ("2026-01-31", "2026-01-30"), ("2026-02-28", "2026-02-28"), ("2026-10-31", "2026-10-30"),
            ("2026-06-30", "2026-06-30"), ("2025-10-01", "2025-09-30"), ("2026-10-01", "2026-09-30"),
            ("2025-02-01", "2025-01-27"),
        ]
    )
    func previousWorkday(_ deadline: String, _ expected: String) {
        #expect(Self.calendar.shift(Self.day(deadline), rule: .previousWorkday).date == Self.day(expected))
    }

    @Test(
        "next-workday moves forward over holidays",
        arguments: [("2025-10-01", "2025-10-09"), ("2026-10-01", "2026-10-08"), ("2025-02-01", "2025-02-05")]
    )
    func nextWorkday(_ deadline: String, _ expected: String) {
        #expect(Self.calendar.shift(Self.day(deadline), rule: .nextWorkday).date == Self.day(expected))
    }

    @Test("none keeps a holiday deadline")
    func noneKeeps() {
        #expect(Self.calendar.shift(Self.day("2026-10-01"), rule: .none).date == Self.day("2026-10-01"))
    }

    @Test("Sunday 4 January 2026 is worked; an ordinary Saturday is not")
    func weekends() {
        #expect(Self.calendar.status(of: Self.day("2026-01-04")).working)
        #expect(Self.calendar.status(of: Self.day("2026-01-04")).reason == .makeUpWorkday)
        let saturday = Self.calendar.status(of: Self.day("2026-11-28"))
        #expect(!saturday.working)
        #expect(saturday.reason == .weekend)
    }

    @Test("a year not yet published follows the weekend rule, provisional, and is warned about once")
    func provisionalYear() {
        let cal = try! WorkingDayCalendar.load(directories: [Self.shipped])
        let newYear = cal.status(of: Self.day("2027-01-01"))
        #expect(newYear.working, "1 January 2027 is a Friday; without the notice it is a working day")
        #expect(newYear.provisional)
        #expect(newYear.unpublishedYear == 2027)
        #expect(cal.shift(Self.day("2027-01-31"), rule: .previousWorkday).date == Self.day("2027-01-29"))
        #expect(cal.shift(Self.day("2027-01-31"), rule: .previousWorkday).provisional)
        let warnings = cal.takeWarnings()
        #expect(warnings.count == 1)
        #expect(warnings.first?.contains("2027") == true)
        _ = cal.status(of: Self.day("2027-05-01"))
        #expect(cal.takeWarnings().isEmpty, "warned once per year")
    }

    @Test("December waits for the next year's notice: 2026-12-31 is provisional, 2026-11-30 is not")
    func decemberDependsOnNextYear() {
        #expect(Self.calendar.status(of: Self.day("2026-12-31")).provisional)
        #expect(Self.calendar.status(of: Self.day("2026-12-31")).working)
        #expect(!Self.calendar.status(of: Self.day("2026-11-30")).provisional)
        #expect(!Self.calendar.status(of: Self.day("2025-12-31")).provisional)
    }

    @Test(
        "working-day arithmetic counts only working days",
        arguments: [
            ("2025-12-05", -5, "2025-11-28"),  // plain week
            ("2025-02-07", -5, "2025-01-24"),  // back over the Spring Festival and the make-up Sunday 26 Jan
            ("2026-10-09", -1, "2026-10-08"),  // 8 October is worked again
            ("2026-09-30", 1, "2026-10-08"),  // over National Day, 1-7 October
            ("2026-02-13", 1, "2026-02-14"),  // make-up Saturday before Spring Festival
        ]
    )
    func workingDays(_ from: String, _ n: Int, _ expected: String) {
        #expect(Self.calendar.adding(workingDays: n, to: Self.day(from)).date == Self.day(expected))
    }

    @Test("the ICS files say exactly what the JSON files say", arguments: [2023, 2024, 2025, 2026])
    func icsEqualsJSON(_ year: Int) throws {
        let json = try HolidaySchedule.parseJSON(
            Array(try Data(contentsOf: URL(fileURLWithPath: "\(Self.shipped)/\(year).json"))),
            source: "j",
            expectedYear: year
        )
        let ics = try HolidaySchedule.parseICS(
            Array(try Data(contentsOf: URL(fileURLWithPath: "\(Self.shipped)/\(year).ics"))),
            source: "i",
            year: year
        )
        #expect(
            Set(json.days.map { "\($0.date) \($0.isOffDay) \($0.name)" })
                == Set(ics.days.map { "\($0.date) \($0.isOffDay) \($0.name)" })
        )
        #expect(json.published && ics.published)
    }

    @Test("an ICS-only year is read from ICS")
    func icsOnly() throws {
        let dir = scratchDirectory.appendingPathComponent("dutyd-ics-\(UUID())").path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try FileManager.default.copyItem(atPath: "\(Self.shipped)/2025.ics", toPath: "\(dir)/2025.ics")
        let cal = try WorkingDayCalendar.load(directories: [dir])
        #expect(cal.shift(Self.day("2025-01-31"), rule: .previousWorkday).date == Self.day("2025-01-27"))
        #expect(cal.status(of: Self.day("2025-01-26")).reason == .makeUpWorkday)
    }

    @Test("an unpublished placeholder (papers empty) counts as not published")
    func placeholder() throws {
        let s = try HolidaySchedule.parseJSON(
            Array(#"{"year": 2027, "papers": [], "days": []}"#.utf8),
            source: "2027.json",
            expectedYear: 2027
        )
        #expect(!s.published)
        let cal = WorkingDayCalendar(schedules: [s])
        #expect(cal.status(of: Self.day("2027-03-01")).provisional)
    }

    @Test(
        "a bad holiday file is refused with file, line, column and what was expected",
        arguments: [
            (
                #"{"year": 2027, "papers": ["x"], "days": [{"name": "春节", "date": "2027-02-30", "isOffDay": true}]}"#,
                "2027.json:1:65:", "exists"
            ),
            (
                "{\n  \"year\": 2026,\n  \"days\": [\n    {\"name\": \"x\", \"date\": \"2026-03-02\", \"isOffDay\": false}\n  ]\n}",
                "2027.json:2:11:", "named for 2027"
            ),
            (
                "{\n \"year\": 2027,\n \"days\": [\n  {\"name\": \"x\", \"date\": \"2027-03-01\", \"isOffDay\": false}\n ]\n}",
                "2027.json:4:25:", "Mon"
            ),
            ("{\"year\": 2027, \"days\": [", "2027.json:1:25:", "end of file"),
            (
                "{\"year\": 2027, \"days\": [{\"name\": \"x\", \"date\": \"2027-03-06\", \"isOffDay\": \"yes\"}]}",
                "2027.json:1:73:", "isOffDay"
            ),
        ]
    )
    func badJSON(_ text: String, _ place: String, _ words: String) {
        let error = #expect(throws: CalendarError.self) {
            try HolidaySchedule.parseJSON(Array(text.utf8), source: "2027.json", expectedYear: 2027)
        }
        #expect(error?.description.hasPrefix(place) == true, "\(error?.description ?? "")")
        #expect(error?.description.contains(words) == true, "\(error?.description ?? "")")
    }

    @Test("a missing holidays folder is named")
    func missingFolder() {
        let error = #expect(throws: CalendarError.self) {
            try WorkingDayCalendar.load(directories: ["/nonexistent/holidays"])
        }
        #expect(error?.description.contains("/nonexistent/holidays") == true)
        // What to change (--holidays, or the settings' key) is the command line's to say: see
        // DutyctlCalendarTests.missingHolidayFolder.
        #expect(error?.description.contains("does not exist") == true)
    }
}

@Suite("Durations", .ownThreads)
struct DurationTests {
    @Test(
        "parse",
        arguments: [
            ("7d", 7, DutyDuration.Unit.days), ("2w", 2, .weeks), ("5wd", 5, .workingDays), ("12h", 12, .hours),
        ]
    )
    func parse(_ text: String, _ value: Int, _ unit: DutyDuration.Unit) throws {
        #expect(try DutyDuration.parse(text) == DutyDuration(value, unit))
    }

    @Test("reject", arguments: ["", "d", "7", "7x", "7 d", "-3d", "5WDX"])
    func reject(_ text: String) {
        #expect(throws: CalendarError.self) { try DutyDuration.parse(text) }
    }
}
