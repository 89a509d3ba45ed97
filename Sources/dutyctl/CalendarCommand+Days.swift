import ArgumentParser
import DutyAPI
import DutyCalendar
import DutyDaemon
import DutyFiles
import DutyOperations
import DutyQueries
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
            guard error.line == nil else { throw Failure(ExitStatus.dataError, error.description) }
            guard let settings else {
                throw Failure(ExitStatus.usage, "\(error); check the folder given to --holidays")
            }
            guard let file = settings.file else {
                throw Failure(
                    ExitStatus.config,
                    "\(error); there is no settings file at \(Settings.defaultPath) to name another, so pass "
                        + "--holidays DIR (the source ships config/holidays/cn) or --config PATH"
                )
            }
            throw Failure(ExitStatus.config, "\(error); check 'holidays' in \(file), or pass --holidays DIR")
        }
    }
}

extension HolidayOptions {
    /// Asks the running dutyd (its holidays in force) unless `--holidays` or `--config` says which files.
    func answer<O: DutyOperation>(
        _ global: GlobalOptions,
        _ op: O.Type,
        _ request: O.Request,
        local: (WorkingDayCalendar) throws -> O.Answer
    ) throws -> O.Answer {
        guard holidays.isEmpty, let client = global.remote else { return try local(try calendar(global)) }
        do {
            return try client.get("/v1/" + O.route, request)
        } catch let f as Failure where f.status == .unavailable {
            // A calculator needs no daemon: say how to ask the holiday files themselves.
            throw Failure(
                .unavailable,
                f.message + "; or name the holiday files: --holidays DIR (config/holidays/cn in the source)"
            )
        }
    }
}

extension CalendarCommand {
    struct Day: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "day",
            abstract: "Whether a date is a working day, and why (weekend, holiday, make-up working day, provisional).",
            discussion: """
                By the running dutyd's holidays, or by the files: --holidays DIR or --config PATH.
                Example: dutyctl calendar day 2026-02-28 --holidays config/holidays/cn
                """
        )

        @Argument(help: ArgumentHelp("The date, YYYY-MM-DD.", valueName: "date"))
        var date: String

        @OptionGroup var holidayOptions: HolidayOptions
        @OptionGroup var global: GlobalOptions

        func run() throws {
            try running {
                let r = DayRequest(date: date)
                let answer = try holidayOptions.answer(global, CalendarDay.self, r) { try $0.day(r) }
                if global.json {
                    printJSON(answer.day)
                } else {
                    print(answer.day.explanation)
                }
                warn(answer.warnings)
            }
        }
    }

    struct Shift: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "shift",
            abstract: "Move a deadline off a day off, showing every day passed over.",
            discussion: """
                By the running dutyd's holidays, or by the files: --holidays DIR or --config PATH.
                Example: dutyctl calendar shift 2025-01-31 --rule previous-workday --holidays config/holidays/cn
                """
        )

        @Argument(help: ArgumentHelp("The deadline, YYYY-MM-DD.", valueName: "date"))
        var date: String

        @Option(name: .long, help: "none, previous-workday or next-workday.")
        var rule = "previous-workday"

        @OptionGroup var holidayOptions: HolidayOptions
        @OptionGroup var global: GlobalOptions

        func run() throws {
            try running {
                let r = ShiftRequest(date: date, rule: rule)
                let answer = try holidayOptions.answer(global, CalendarShift.self, r) { try $0.shift(r) }
                if global.json {
                    printJSON(answer.shift)
                } else {
                    for line in answer.shift.explanation { print(line) }
                    if answer.shift.provisional {
                        print("(provisional: a holiday schedule this depends on is not published yet)")
                    }
                }
                warn(answer.warnings)
            }
        }
    }
}
