import DutyCalendar
import DutyTestScoping
import Testing

/// What asking for the next occurrence after a base may cost: a rule is walked from its start, and one
/// whose parts match rarely walks far between occurrences.
@Suite("RRULE: the walk to a base is bounded", .ownThreads)
struct RRuleBudgetTests {
    /// Ticks every second, matches once a day: every minute of every day is a step.
    static let rare = "DTSTART:20260101T000000Z\nRRULE:FREQ=SECONDLY;BYHOUR=3;BYMINUTE=7;BYSECOND=9"

    /// (The default, `Recurrence.maximumSteps`, is seconds of a release build and minutes of a debug one;
    /// a smaller one tests the same walk.)
    @Test("a base within the steps allowed is reached; one past them (the year 9999) is refused, saying what to change")
    func stepsAreBounded() throws {
        let recurrence = try Recurrence.parse(ical: Self.rare)
        let near = try recurrence.occurrences(
            after: #require(Instant(iso: "2026-02-02T00:00:00Z", zone: .utc)),
            limit: 1,
            steps: 100_000
        )
        #expect(near.map(\.formatted) == ["2026-02-02T03:07:09+00:00"])
        let error = #expect(throws: CalendarError.self) {
            try recurrence.occurrences(
                after: #require(Instant(iso: "9999-01-02T00:00:00Z", zone: .utc)),
                limit: 1,
                steps: 100_000
            )
        }
        #expect(error?.message.contains("DTSTART") == true, "\(String(describing: error))")
        #expect(error?.message.contains("100000 steps") == true, "\(String(describing: error))")
    }
}
