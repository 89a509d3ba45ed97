import ArgumentParser
import DutyAPI
import DutyCalendar
import DutyCore
import DutyService
import DutyStore
import Foundation

struct CalendarCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "calendar",
        abstract: "Work out dates: calendar expressions, recurrence rules and working days.",
        subcommands: [Next.self, Day.self, Shift.self, Export.self]
    )
}

extension CalendarCommand {
    struct Export: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "The duties as an iCalendar file (RFC 5545) for a calendar client.",
            discussion: """
                One all-day event per occurrence on its deadline day (--todo: a to-do, done ones \
                completed), an alarm at each reminder, the state in the title and status, and a UID \
                that stays the same from run to run, so importing again updates the events. Deadlines \
                from --since (default 90 days back) through --within (default 400d) ahead; --unit, \
                --subtree and --obligation as on upcoming.
                Examples:
                  dutyctl calendar export --ics --unit gd.gz --subtree > 广州.ics
                  dutyctl calendar export --ics --official wang.jianguo --todo > 王建国.ics
                """
        )
        @OptionGroup var global: GlobalOptions

        @Flag(help: "iCalendar (the only format so far).")
        var ics = false

        @OptionGroup var filters: FilterOptions

        @Option(help: ArgumentHelp("Only what this official is responsible for or told of.", valueName: "id"))
        var official: String?

        @Flag(help: "To-dos instead of events.")
        var todo = false

        @Option(help: ArgumentHelp("Deadlines from this date (default 90 days ago).", valueName: "date"))
        var since: String?

        func run() throws {
            try running {
                guard ics else { throw Failure(Failure.usage, "say the format: --ics (iCalendar)") }
                var r = CalendarRequest()
                r.filters = filters.request(states: nil)
                r.todo = todo
                r.official = official
                r.since = since
                let answer: CalendarAnswer = try global.answer(remote: { try $0.get("/v1/calendar", r) }) {
                    try $0.workspace.calendar(r, planner: try $0.planner(), records: try $0.store.records())
                }
                print(answer.ics, terminator: "")
                warn(answer.warnings)
            }
        }
    }
}

extension CalendarCommand {
    struct Next: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "The next times of a calendar expression (like systemd-analyze calendar) or a recurrence rule.",
            discussion: """
                Examples:
                  dutyctl calendar next '*-06,12~01 09:00' --tz Asia/Shanghai --count 4
                  dutyctl calendar next --rrule 'FREQ=MONTHLY;BYDAY=MO,TU,WE,TH,FR;BYSETPOS=-1' --dtstart 2026-11-29T09:00 --tz Asia/Shanghai

                A calendar expression without a zone suffix is read in --tz (default: the settings' timezone, \
                else UTC). A --dtstart without an offset is local time in --tz. Rule times are listed from \
                DTSTART, or strictly after --base when given.
                """
        )

        @Argument(help: ArgumentHelp("A systemd calendar expression (systemd.time(7)).", valueName: "expression"))
        var expression: String?

        @Option(
            name: .long,
            help: ArgumentHelp("An RFC 5545 recurrence rule instead of an expression.", valueName: "rule")
        )
        var rrule: String?

        @Option(name: .long, help: ArgumentHelp("The rule's start (DTSTART), ISO 8601.", valueName: "time"))
        var dtstart: String?

        @Option(name: .long, help: ArgumentHelp("Count from this instant (ISO 8601; default now).", valueName: "time"))
        var base: String?

        @Option(name: .long, help: "How many times to list.")
        var count = 5

        @Option(name: .long, help: ArgumentHelp("The zone to read local times in.", valueName: "zone"))
        var tz: String?

        @OptionGroup var global: GlobalOptions

        func validate() throws {
            if (expression == nil) == (rrule == nil) {
                throw ValidationError("give either a calendar expression or --rrule RULE (with --dtstart)")
            }
            if rrule != nil && dtstart == nil {
                throw ValidationError("--rrule needs --dtstart, the rule's first time")
            }
            if rrule == nil && dtstart != nil { throw ValidationError("--dtstart goes with --rrule") }
            if count < 1 || count > 100_000 { throw ValidationError("--count must be from 1 to 100000") }
        }

        func run() throws {
            try running {
                // nil when neither --tz nor a settings file names a zone (read the settings once).
                let configured = try global.configuredZone(tz)
                let zone = configured ?? .utc
                let baseInstant = try base.map { try parseInstant($0, zone: zone, option: "--base") }
                if let expression {
                    try next(
                        expression,
                        zone: zone,
                        base: baseInstant ?? .now
                    )
                } else if let rrule, let dtstart {
                    try nextRule(rrule, dtstart: dtstart, zone: configured, base: baseInstant)
                }
            }
        }

        private func next(_ expression: String, zone: Zone, base: Instant) throws {
            let spec: CalendarSpec
            do { spec = try CalendarSpec.parse(expression, localZone: zone) } catch {
                throw Failure(error, expression: expression)
            }
            let times: [Instant]
            do { times = try spec.next(after: base, count: count, localZone: zone) } catch { throw Failure(error) }
            let shownZone = spec.utc ? Zone.utc : (spec.zone ?? zone)
            if global.json {
                printJSON(NextOutput(normalized: spec.normalized, next: times.map { $0.format(in: shownZone) }))
                return
            }
            print("  Original form: \(expression)")
            print("Normalized form: \(spec.normalized)")
            print("      Time zone: \(shownZone.identifier)")
            printElapses(times, in: shownZone)
        }

        /// `zone` is `nil` when no zone was configured: a DTSTART with an offset then runs at that offset.
        private func nextRule(_ ruleText: String, dtstart: String, zone: Zone?, base: Instant?) throws {
            let rule: RecurrenceRule
            do { rule = try RecurrenceRule.parse(ruleText) } catch { throw Failure(error, expression: ruleText) }
            guard let (local, rest) = LocalDateTime.parsePrefix(dtstart) else {
                throw Failure(
                    Failure.usage,
                    "--dtstart '\(dtstart)' is not a time; expected ISO 8601 such as 2026-11-29T09:00 or 2026-11-29T09:00:00+08:00"
                )
            }
            var start = local
            var ruleZone = zone ?? .utc
            if !rest.isEmpty {
                // An explicit offset fixes the instant; the rule then runs in --tz (or at that offset).
                guard let instant = Instant(iso: dtstart) else {
                    throw Failure(Failure.usage, "--dtstart '\(dtstart)' has an offset that is not ±HH:MM or Z")
                }
                if zone == nil {
                    ruleZone = Zone.fixed(offsetSeconds: local.localSecond - instant.seconds)
                }
                start = LocalDateTime(localSecond: ruleZone.localSecond(forInstant: instant.seconds))
            }
            let recurrence = Recurrence(rule: rule, start: start, zone: ruleZone)
            do { try recurrence.checkTimesReachable() } catch { throw Failure(error) }
            let found =
                base.map { recurrence.occurrences(after: $0, limit: count) } ?? recurrence.occurrences(limit: count)
            if global.json {
                printJSON(NextOutput(normalized: rule.description, next: found.map(\.formatted)))
                return
            }
            print("           Rule: \(rule.description)")
            print("        DTSTART: \(start) \(ruleZone.identifier)")
            printElapses(found.compactMap(\.instant), in: ruleZone)
        }
    }

    struct NextOutput: Encodable {
        var normalized: String
        var next: [String]
    }
}

/// The times as `systemd-analyze calendar` lists them: `Next elapse`, then `Iter. #2` and on.
func printElapses(_ times: [Instant], in zone: Zone) {
    if times.isEmpty { print("    Next elapse: never") }
    for (n, t) in times.enumerated() {
        let label = n == 0 ? "    Next elapse" : "       Iter. #\(n + 1)"
        print("\(label): \(humanTime(t, zone))")
    }
}

/// `Thu 2026-12-31 09:00:00 +08:00`.
func humanTime(_ t: Instant, _ zone: Zone) -> String {
    let offset = zone.offset(atSecond: t.seconds)
    let local = LocalDateTime(localSecond: t.seconds + offset, microsecond: t.microsecondOfSecond)
    let clock = local.description.dropFirst(11)
    return "\(local.date.weekday.shortName) \(local.date) \(clock) \(formatOffset(offset))"
}
