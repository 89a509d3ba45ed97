import ArgumentParser
import DutyAPI
import DutyCalendar
import DutyCore
import DutyDaemon
import DutyFiles
import DutyOperations
import DutyQueries
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
            commandName: "export",
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
                guard ics else { throw Failure(ExitStatus.usage, "say the format: --ics (iCalendar)") }
                var r = CalendarRequest()
                r.filters = filters.request(states: nil)
                r.todo = todo
                r.official = official
                r.since = since
                // Written as it comes: a national calendar is never held whole.
                let ending = try global.rows(CalendarExport.self, r, json: false) { row in
                    if case .value(let piece) = row { Output.write(piece.ics) }
                }
                Output.flush()
                warn(ending.warnings)
            }
        }
    }
}

extension CalendarCommand {
    struct Next: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "next",
            abstract: "The next times of a calendar expression (like systemd-analyze calendar) or a recurrence rule.",
            discussion: """
                Examples:
                  dutyctl calendar next '*-06,12~01 09:00' --tz Asia/Shanghai --count 4
                  dutyctl calendar next --rrule 'FREQ=MONTHLY;BYDAY=MO,TU,WE,TH,FR;BYSETPOS=-1' --dtstart 2026-11-29T09:00 --tz Asia/Shanghai

                A calendar expression without a zone suffix is read in --tz (default: the settings' timezone, \
                else UTC). A --dtstart without an offset is local time in --tz. Rule times are listed from \
                DTSTART, or strictly after --base when given.

                A calculator: it reads no state and asks no daemon, unless --socket PATH is given (then the \
                running dutyd answers, in its zone and at its clock).
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

        var request: CalendarNextRequest {
            var r = CalendarNextRequest()
            r.expression = expression
            r.rrule = rrule
            r.dtstart = dtstart
            r.base = base
            r.count = count
            r.tz = tz
            return r
        }

        func validate() throws {
            if let problem = request.problem { throw ValidationError(problem) }
        }

        func run() throws {
            try running {
                let r = request
                let answer: CalendarNextAnswer = try global.filesUnlessAsked(NextElapse.self, r) {
                    // nil when neither --tz nor a settings file names a zone (read the settings only then).
                    try r.answer(configured: tz == nil ? try global.settingsZone() : nil)
                }
                if global.json {
                    printJSON(NextOutput(normalized: answer.normalized, next: answer.next))
                } else {
                    for line in answer.lines { print(line) }
                }
            }
        }
    }

    struct NextOutput: Encodable {
        var normalized: String
        var next: [String]
    }
}
