import ArgumentParser
import DutyCalendar
import DutyService
import Foundation

/// Where holiday schedules come from: `--holidays` folders, else the settings' `holidays`.
struct HolidayOptions: ParsableArguments {
    @Option(
        name: .long,
        help: ArgumentHelp("A folder of YYYY.json / YYYY.ics holiday files (repeatable).", valueName: "dir")
    )
    var holidays: [String] = []

    func calendar(_ global: GlobalOptions) throws -> WorkingDayCalendar {
        let settings = holidays.isEmpty ? try global.settings() : nil
        do {
            return try WorkingDayCalendar.load(directories: settings?.holidays ?? holidays)
        } catch {
            // A file that does not parse is bad data (65); a folder that cannot be read is an option (64) or
            // a setting (78) gone wrong, and the message says which one to change.
            guard error.line == nil else { throw Failure(Failure.dataError, error.description) }
            guard let settings else {
                throw Failure(Failure.usage, "\(error); check the folder given to --holidays")
            }
            guard let file = settings.file else {
                throw Failure(
                    Failure.config,
                    "\(error); there is no settings file at \(Settings.defaultPath) to name another, so pass "
                        + "--holidays DIR (the source ships config/holidays/cn) or --config PATH"
                )
            }
            throw Failure(Failure.config, "\(error); check 'holidays' in \(file), or pass --holidays DIR")
        }
    }
}

/// Warnings about unpublished holiday years, once each, on standard error.
func reportWarnings(_ calendar: WorkingDayCalendar) {
    for w in calendar.takeWarnings() { FileHandle.standardError.write(Data("dutyctl: \(w)\n".utf8)) }
}

extension CalendarCommand {
    struct Day: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Whether a date is a working day, and why (weekend, holiday, make-up working day, provisional).",
            discussion: "Example: dutyctl calendar day 2026-02-28 --holidays config/holidays/cn"
        )

        @Argument(help: ArgumentHelp("The date, YYYY-MM-DD.", valueName: "date"))
        var date: String

        @OptionGroup var holidayOptions: HolidayOptions
        @OptionGroup var global: GlobalOptions

        func run() throws {
            try running {
                let day = try parseDate(date, option: "date")
                let calendar = try holidayOptions.calendar(global)
                let s = calendar.status(of: day)
                if global.json {
                    printJSON(DayOutput(s))
                } else {
                    print(s.explanation)
                }
                reportWarnings(calendar)
            }
        }
    }

    struct DayOutput: Encodable {
        var date: String
        var weekday: String
        var working: Bool
        var reason: String
        var holiday: String?
        var schedule_year: Int?
        var provisional: Bool
        var explanation: String

        init(_ s: WorkingDayCalendar.DayStatus) {
            date = s.date.description
            weekday = s.date.weekday.shortName
            working = s.working
            reason = s.reason.rawValue
            holiday = s.holiday
            schedule_year = s.scheduleYear
            provisional = s.provisional
            explanation = s.explanation
        }
    }

    struct Shift: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Move a deadline off a day off, showing every day passed over.",
            discussion:
                "Example: dutyctl calendar shift 2025-01-31 --rule previous-workday --holidays config/holidays/cn"
        )

        @Argument(help: ArgumentHelp("The deadline, YYYY-MM-DD.", valueName: "date"))
        var date: String

        @Option(name: .long, help: "none, previous-workday or next-workday.")
        var rule = "previous-workday"

        @OptionGroup var holidayOptions: HolidayOptions
        @OptionGroup var global: GlobalOptions

        func run() throws {
            try running {
                let day = try parseDate(date, option: "date")
                let shiftRule: ShiftRule
                do throws(CalendarError) { shiftRule = try ShiftRule.parse(rule) } catch {
                    throw Failure(Failure.usage, error.message)
                }
                let calendar = try holidayOptions.calendar(global)
                let s = calendar.shift(day, rule: shiftRule)
                if global.json {
                    printJSON(
                        ShiftOutput(
                            date: s.original.description,
                            rule: s.rule.rawValue,
                            shifted: s.date.description,
                            skipped: s.skipped.map(DayOutput.init),
                            provisional: s.provisional
                        )
                    )
                } else {
                    for line in s.explanation { print(line) }
                    if s.provisional { print("(provisional: a holiday schedule this depends on is not published yet)") }
                }
                reportWarnings(calendar)
            }
        }
    }

    struct ShiftOutput: Encodable {
        var date: String
        var rule: String
        var shifted: String
        var skipped: [DayOutput]
        var provisional: Bool
    }
}
