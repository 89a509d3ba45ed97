import DutyCalendar
import DutyTestScoping
import Testing

/// Every refusal names the column and what was expected, so an administrator can fix the policy file.
@Suite("Refusals say where and what", .ownThreads)
struct ParsingErrorTests {
    @Test(
        "calendar expressions",
        arguments: [
            ("*-13-01", 3, "month 13 is out of range"),
            ("*-*-00", 5, "day 0 is out of range"),
            ("25:00", 1, "hour 25 is out of range"),
            ("12:60", 4, "minute 60"),
            ("Fri..Mon", 6, "runs backwards"),
            ("2026-11-29T10:00", 11, "no 'T'"),
            ("*-*-1/0", 7, "/0 never advances"),
            ("*-*-31..01", 5, "runs backwards"),
            ("1969-12-31", 1, "year 1969 is out of range"),
            ("*-*-* 08:30,12:30,17:45", 21, "08,12:30"),
            ("*-*-1,15~01", 9, "'~' must stand between the month and the day"),
            ("foo", 1, "expected a year or month number"),
            ("", 1, "empty calendar expression"),
            ("Mo", 1, "expected a year or month number"),
            ("*-*~32", 5, "expected 1..28 after '~'"),
        ]
    )
    func expression(_ text: String, _ column: Int, _ words: String) {
        let error = #expect(throws: CalendarError.self) { try CalendarSpec.parse(text) }
        #expect(error?.code == .invalidExpression)
        #expect(error?.column == column, "\(error?.description ?? "")")
        #expect(error?.message.contains(words) == true, "\(error?.description ?? "")")
    }

    /// The rules RFC 5545 forbids, including the four python-dateutil accepts.
    @Test(
        "recurrence rules",
        arguments: [
            ("FREQ=YEARLY;BYMONTH=13", 13, "BYMONTH"),
            ("FREQ=MONTHLY;BYMONTHDAY=32", 14, "BYMONTHDAY"),
            ("FREQ=MONTHLY;BYMONTHDAY=0", 14, "BYMONTHDAY"),
            ("FREQ=DAILY;INTERVAL=0", 12, "INTERVAL"),
            ("FREQ=WEEKLY;BYDAY=XX", 13, "BYDAY"),
            ("BYMONTH=6", 1, "FREQ is missing"),
            ("FREQ=MONTHLY;BYSETPOS=0;BYDAY=MO", 14, "BYSETPOS"),
            ("FREQ=MONTHLY;FOO=1", 14, "unknown rule part"),
            ("FREQ=DAILY;COUNT=3;UNTIL=20270101T000000", 20, "COUNT and UNTIL"),
            ("FREQ=WEEKLY;BYDAY=1MO", 13, "needs FREQ=MONTHLY or YEARLY"),
            ("FREQ=WEEKLY;BYMONTHDAY=1", 13, "cannot go with FREQ=WEEKLY"),
            ("FREQ=MONTHLY;BYYEARDAY=1", 14, "cannot go with FREQ=MONTHLY"),
            ("FREQ=MONTHLY;BYWEEKNO=1", 14, "needs FREQ=YEARLY"),
            ("FREQ=MONTHLY;BYSETPOS=1", 14, "needs another BYxxx"),
            ("FREQ=YEARLY;FREQ=MONTHLY", 13, "given twice"),
            ("FREQ=FORTNIGHTLY", 1, "unknown FREQ"),
            ("FREQ=YEARLY;BYWEEKNO=20;BYDAY=1MO", 25, "cannot go with BYWEEKNO"),
            ("FREQ=DAILY;BYHOUR=24", 12, "BYHOUR"),
        ]
    )
    func rule(_ text: String, _ column: Int, _ words: String) {
        let error = #expect(throws: CalendarError.self) { try RecurrenceRule.parse(text) }
        #expect(error?.code == .invalidRule)
        #expect(error?.column == column, "\(error?.description ?? "")")
        #expect(error?.message.contains(words) == true, "\(error?.description ?? "")")
    }

    @Test("UNTIL must match DTSTART's kind, as RFC 5545 requires")
    func untilKind() {
        #expect(throws: CalendarError.self) {
            try Recurrence.parse(
                ical: "DTSTART;TZID=Asia/Shanghai:20261129T000000\nRRULE:FREQ=DAILY;UNTIL=20261205T000000"
            )
        }
        #expect(throws: CalendarError.self) {
            try Recurrence.parse(ical: "DTSTART:20261129T000000\nRRULE:FREQ=DAILY;UNTIL=20261205T000000Z")
        }
        #expect(throws: CalendarError.self) {
            try Recurrence.parse(ical: "DTSTART;TZID=Mars/Olympus:20261129T000000\nRRULE:FREQ=DAILY")
        }
    }

    @Test("an interval that never reaches BYHOUR is refused instead of searched for ever")
    func unreachableHours() {
        #expect(throws: CalendarError.self) {
            try Recurrence.parse(ical: "DTSTART:20260101T000000\nRRULE:FREQ=HOURLY;INTERVAL=2;BYHOUR=3")
        }
        #expect(throws: Never.self) {
            try Recurrence.parse(ical: "DTSTART:20260101T010000\nRRULE:FREQ=HOURLY;INTERVAL=2;BYHOUR=3")
        }
    }
}

/// The arithmetic every other rule rests on.
@Suite("Civil dates and zones", .ownThreads)
struct CivilDateTests {
    @Test("days since the epoch round-trip over 1600–2600, leap years included")
    func roundTrip() {
        // The 365,000 days are compared in the loop and the first wrong one is reported: an `#expect`
        // per day took 11 s of processor time (each records its expression), the loop alone 0.01 s.
        var d = CivilDate(year: 1600, month: 1, day: 1)!
        var k = d.daysSinceEpoch
        var days = 0
        var wrong: String?
        while d.year < 2600 && wrong == nil {
            let next = d.adding(days: 1)
            if next.daysSinceEpoch != k + 1 || CivilDate(daysSinceEpoch: k + 1) != next {
                wrong =
                    "\(d) + 1 day = \(next), day \(next.daysSinceEpoch) (expected \(k + 1)), "
                    + "day \(k + 1) = \(String(describing: CivilDate(daysSinceEpoch: k + 1)))"
            }
            d = next
            k += 1
            days += 1
        }
        #expect(wrong == nil, "\(wrong ?? "")")
        #expect(days == 365_243, "the loop walked \(days) days")
    }

    @Test("leap years: 2024 and 2000 are, 2100 and 2027 are not")
    func leap() {
        #expect(CivilDate(year: 2024, month: 2, day: 29) != nil)
        #expect(CivilDate(year: 2000, month: 2, day: 29) != nil)
        #expect(CivilDate(year: 2100, month: 2, day: 29) == nil)
        #expect(CivilDate(year: 2027, month: 2, day: 29) == nil)
    }

    @Test("adding months clamps to the month's end")
    func months() {
        #expect(CivilDate(year: 2026, month: 1, day: 31)!.adding(months: 1) == CivilDate(year: 2026, month: 2, day: 28))
        #expect(CivilDate(year: 2024, month: 1, day: 31)!.adding(months: 1) == CivilDate(year: 2024, month: 2, day: 29))
        #expect(
            CivilDate(year: 2026, month: 12, day: 31)!.adding(months: -6) == CivilDate(year: 2026, month: 6, day: 30)
        )
    }

    @Test("weekdays: 1970-01-01 Thursday, 2026-11-29 Sunday")
    func weekdays() {
        #expect(CivilDate(year: 1970, month: 1, day: 1)!.weekday == .thursday)
        #expect(CivilDate(year: 2026, month: 11, day: 29)!.weekday == .sunday)
    }

    @Test("a New York time in the spring gap moves forward; one in the autumn overlap is the first")
    func gapsAndOverlaps() throws {
        let ny = try #require(Zone.named("America/New_York"))
        let gap = LocalDateTime(date: CivilDate(year: 2026, month: 3, day: 8)!, hour: 2, minute: 30)
        #expect(ny.strictInstant(forLocalSecond: gap.localSecond) == nil)
        #expect(
            Instant(seconds: ny.instant(forLocalSecond: gap.localSecond)).format(in: ny) == "2026-03-08T03:30:00-04:00"
        )
        let twice = LocalDateTime(date: CivilDate(year: 2026, month: 11, day: 1)!, hour: 1, minute: 30)
        #expect(
            Instant(seconds: ny.instant(forLocalSecond: twice.localSecond)).format(in: ny)
                == "2026-11-01T01:30:00-04:00"
        )
    }

    @Test("zone names: IANA names only, never Foundation's GMT+8 (whose sign differs from Etc/GMT+8)")
    func zoneNames() {
        #expect(Zone.named("Asia/Shanghai") != nil)
        #expect(Zone.named("UTC") === Zone.utc)
        #expect(Zone.named("GMT+8") == nil)
        #expect(Zone.named("Etc/GMT+8")?.offset(atSecond: 0) == -8 * 3600)
        #expect(Zone.named("Mars/Olympus") == nil)
        #expect(Zone.named("../etc/passwd") == nil)
        #expect(Zone.named("Asia/Shanghai")?.abbreviations == ["CST", "CDT"])
        #expect(Zone.named("America/New_York")?.abbreviations == ["EST", "EDT"])
    }

    @Test(
        "ISO 8601 instants",
        arguments: [
            ("2026-11-29T00:00:00Z", "2026-11-29T00:00:00Z"),
            ("2026-11-29T08:00:00+08:00", "2026-11-29T00:00:00Z"),
            ("2026-11-29T08:00+0800", "2026-11-29T00:00:00Z"),
            ("2026-11-29", "2026-11-29T00:00:00Z"),
            ("@1795910400", "2026-11-29T00:00:00Z"),
        ]
    )
    func instants(_ text: String, _ utc: String) {
        #expect(Instant(iso: text)?.utcString == utc)
    }

    @Test(
        "not instants",
        arguments: ["", "2026-13-01", "2026-02-30T00:00:00Z", "2026-11-29T25:00", "tomorrow", "2026-11-29T08:00:00+8"]
    )
    func notInstants(_ text: String) {
        #expect(Instant(iso: text) == nil)
    }
}

/// A misspelt zone at the end of an expression is named as such, not as a stray space.
@Suite("Unknown zone suffixes", .ownThreads)
struct ZoneSuffixTests {
    @Test(
        "the last word is reported as an unknown zone",
        arguments: [
            ("*-*-* 09:00 Asia/Shangai", 13, "Asia/Shangai"), ("daily Mars/Olympus", 7, "Mars/Olympus"),
            ("*-06,12~01 北京", 12, "北京"),
        ]
    )
    func unknownZone(_ text: String, _ column: Int, _ word: String) {
        let error = #expect(throws: CalendarError.self) { try CalendarSpec.parse(text) }
        #expect(error?.column == column)
        #expect(error?.message.contains("unknown time zone '\(word)'") == true, "\(error?.description ?? "")")
    }

    @Test("a stray weekday is not mistaken for a zone")
    func weekdayWord() {
        let error = #expect(throws: CalendarError.self) { try CalendarSpec.parse("Mon Fri") }
        #expect(error?.message.contains("time zone") == false)
    }
}
