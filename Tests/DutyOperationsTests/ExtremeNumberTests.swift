import DutyCalendar
import DutyCore
import DutyFiles
import DutyNotify
import DutyOperations
import DutyQueries
import DutyTestScoping
import DutyTestSupport
import Foundation
import Testing

/// Every number dutyd reads from outside is range-checked: the values at the edges of `Int` (and past
/// them) go through every numeric field of every parser and every request, and each is either taken
/// within its stated range or refused with a message that says where and what was expected. A trap
/// would end this test process, so reaching the expectations is half the proof.
@Suite("Extreme numbers in every field", .ownThreads)
struct ExtremeNumberTests {
    /// Int.min, Int.max, −1, 0, one past Int.max, and 20 digits.
    static let extremes = extremeIntegers

    @Test("RRULE: INTERVAL, COUNT, every BYxxx and the BYDAY ordinal", arguments: extremes)
    func rrule(_ n: String) {
        // Each rule part and the extremes it takes: 0 where it counts from zero, −1 where it counts
        // from the end (the last day, week or position).
        let rules: [(String, Set<String>)] = [
            ("FREQ=HOURLY;INTERVAL=\(n)", []), ("FREQ=DAILY;COUNT=\(n)", ["0"]),
            ("FREQ=MINUTELY;BYSECOND=\(n)", ["0"]), ("FREQ=HOURLY;BYMINUTE=\(n)", ["0"]),
            ("FREQ=DAILY;BYHOUR=\(n)", ["0"]), ("FREQ=MONTHLY;BYMONTHDAY=\(n)", ["-1"]),
            ("FREQ=YEARLY;BYYEARDAY=\(n)", ["-1"]), ("FREQ=YEARLY;BYWEEKNO=\(n)", ["-1"]),
            ("FREQ=YEARLY;BYMONTH=\(n)", []), ("FREQ=MONTHLY;BYDAY=MO;BYSETPOS=\(n)", ["-1"]),
            ("FREQ=MONTHLY;BYDAY=\(n)MO", ["-1"]),
        ]
        for (text, takes) in rules {
            do {
                let rule = try RecurrenceRule.parse(text)
                #expect(takes.contains(n), "\(text) was taken: \(rule)")
            } catch {
                let lastPart = text.lastIndex(of: ";").map { text.distance(from: text.startIndex, to: $0) + 2 }
                #expect(error.column == lastPart, "\(text): \(error)")
                #expect(!error.message.isEmpty)
            }
        }
    }

    @Test("a SECONDLY rule from 1970 asked for its next time in 2199 is refused in a bounded time")
    func rruleSkipBudget() throws {
        var r = CalendarNextRequest()
        r.rrule = "FREQ=SECONDLY"
        r.dtstart = "1970-01-01T00:00:00Z"
        r.base = "2199-01-01T00:00:00Z"
        // Processor time of this thread, not the wall clock: the full suite shares two cores among
        // many threads, and the claim is about the work.
        let started = threadCPUSeconds()
        do {
            _ = try r.answer(configured: .utc)
            Issue.record("a next time 229 years of seconds away was answered")
        } catch let failure as Failure {
            #expect(failure.status == .dataError)
            #expect(failure.message.contains("closer to the base"), "\(failure.message)")
        }
        // The budget, not the span, sets the work: a refusal in well under a minute of processor time.
        #expect(threadCPUSeconds() - started < 60)
        // Within the budget the answer is right: 10 seconds after a base an hour past the start.
        r.base = "1970-01-01T01:00:00Z"
        r.count = 2
        let a = try r.answer(configured: .utc)
        #expect(a.next == ["1970-01-01T01:00:01+00:00", "1970-01-01T01:00:02+00:00"])
    }

    @Test("instants: @EPOCH and dates outside the years 1 to 9999 are refused", arguments: extremes)
    func instants(_ n: String) {
        let i = Instant(iso: "@" + n)
        if n == "0" || n == "-1" {
            #expect(i?.seconds == Int(n))
        } else {
            #expect(i == nil, "@\(n) was taken")
        }
        #expect(Instant(iso: "@253402300799") != nil)
        #expect(Instant(iso: "@253402300800") == nil)
        #expect(Instant(iso: "@-62135596801") == nil)
        if n != "0" && n != "-1" {
            for option in ["--at", "--base"] {
                #expect(throws: Failure.self) { try parseInstant("@" + n, zone: .utc, option: option) }
            }
        }
    }

    @Test("calendar expressions: every field and @EPOCH", arguments: extremes)
    func onCalendar(_ n: String) {
        let expressions = [
            "@\(n)", "\(n)-01-01", "*-\(n)-01", "*-*-\(n)", "\(n):00", "*:\(n)", "*:*:\(n)", "*-*-01/\(n)",
            "*:00/\(n)", "*-*-* *:*:00/\(n)",
        ]
        for e in expressions {
            do {
                let spec = try CalendarSpec.parse(e, localZone: .utc)
                // Whatever is taken computes without trapping.
                _ = try? spec.next(after: Instant(seconds: 0), count: 3, localZone: .utc)
            } catch {
                #expect(error.column != nil, "\(e): \(error)")
            }
        }
        #expect(throws: CalendarError.self) { try CalendarSpec.parse("@7258118400", localZone: .utc) }
        #expect((try? CalendarSpec.parse("@7258118399", localZone: .utc)) != nil)
    }

    @Test("durations (--within, lead times)", arguments: extremes)
    func durations(_ n: String) {
        for unit in ["d", "w", "wd", "h"] {
            do {
                let d = try DutyDuration.parse(n + unit)
                #expect(d.value >= 0 && d.value <= 100_000)
            } catch {
                #expect(error.code == .invalidDuration)
            }
        }
    }

    static let settingsHead = """
        timezone = "Asia/Shanghai"
        state = "s.sqlite"
        policy = ["p"]
        holidays = ["h"]

        """

    @Test("settings: SMTP port, timeouts, hook timeout and concurrency", arguments: extremes)
    func settings(_ n: String) {
        let bodies: [(String, String)] = [
            ("[email]\ntransport = \"none\"\nsmtp_port = \(n)", "smtp_port"),
            ("[email]\ntransport = \"none\"\ntimeout = \(n)", "timeout"),
            ("[email]\ntransport = \"none\"\nsession_timeout = \"\(n)s\"", "session_timeout"),
            ("[[hook]]\nname = \"x\"\ncommand = [\"/bin/true\"]\ntimeout = \"\(n)ms\"", "timeout"),
            ("[[hook]]\nname = \"x\"\ncommand = [\"/bin/true\"]\nconcurrency = \(n)", "concurrency"),
            ("[api]\nquestion_timeout = \(n)", "question_timeout"),
            ("[api]\nidle_timeout = \(n)", "idle_timeout"),
        ]
        for (body, key) in bodies {
            // The value is on the body's last line, after the head's four.
            let line = 4 + body.split(separator: "\n").count
            do {
                _ = try Settings.parse(Self.settingsHead + body, path: "x.toml")
                Issue.record("\(key) = \(n) was taken")
            } catch {
                // The message names the place and the key, or says the number is past any integer.
                #expect(error.description.hasPrefix("x.toml:\(line):"), "\(error)")
                #expect(
                    error.description.contains(key) || error.description.contains("TOML integers are from"),
                    "\(error)"
                )
            }
        }
    }

    @Test("settings: the largest waits allowed are taken, one past them is not")
    func settingsLimits() throws {
        let s = try Settings.parse(
            Self.settingsHead + "[email]\ntransport = \"none\"\ntimeout = \"5min\"\nsession_timeout = \"1h\"",
            path: "x.toml"
        )
        #expect(s.email.smtp?.replyTimeout == 300 && s.email.smtp?.sessionTimeout == 3600)
        let api = try Settings.parse(Self.settingsHead + "[api]\nquestion_timeout = \"1h\"", path: "x.toml")
        #expect(api.api.questionTimeout == 3600)
        let idle = try Settings.parse(Self.settingsHead + "[api]\nidle_timeout = \"1h\"", path: "x.toml")
        #expect(idle.api.idleTimeout == 3600)
        #expect(throws: ConfigError.self) {
            try Settings.parse(Self.settingsHead + "[api]\nidle_timeout = \"61min\"", path: "x.toml")
        }
        #expect(throws: ConfigError.self) {
            try Settings.parse(Self.settingsHead + "[api]\nquestion_timeout = \"500ms\"", path: "x.toml")
        }
        #expect(throws: ConfigError.self) {
            try Settings.parse(Self.settingsHead + "[email]\ntransport = \"none\"\ntimeout = 301", path: "x.toml")
        }
    }

    @Test("requests: count, limit, year, within and at", arguments: extremes)
    func requests(_ n: String) throws {
        var next = CalendarNextRequest()
        next.expression = "daily"
        next.count = Int(n) ?? Int.max
        #expect(throws: Failure.self) { try next.answer(configured: .utc, now: .now) }

        var within = OccurrencesRequest()
        within.within = n + "d"
        if n != "0" { #expect(throws: Failure.self) { try within.query(zone: .utc, now: .now) } }
        within.within = "1831d"
        #expect(throws: Failure.self) { try within.query(zone: .utc, now: .now) }
        within.within = "261w"
        #expect(try within.query(zone: .utc, now: .now).within == DutyDuration(261, .weeks))

        var at = OccurrencesRequest()
        at.at = "@" + n
        if n != "0" && n != "-1" { #expect(throws: Failure.self) { try at.query(zone: .utc, now: .now) } }
    }

    @Test("TOML integers past Int are a syntax error at their column, not a wrap", arguments: extremes)
    func tomlIntegers(_ n: String) throws {
        do {
            let t = try TOMLParser.parse("a = \(n)")
            #expect(t["a"]?.int == Int(n))
        } catch {
            #expect(Int(n) == nil)
            #expect(error.line == 1 && error.column == 5, "\(error)")
        }
    }

    @Test("holiday JSON: the year field", arguments: extremes + ["1e308", "-1e308", "2026.5"])
    func holidayYear(_ n: String) {
        let json = #"{"year": \#(n), "papers": [], "days": []}"#
        #expect(throws: CalendarError.self) {
            try HolidaySchedule.parseJSON(Array(json.utf8), source: "x.json", expectedYear: nil)
        }
    }
}
