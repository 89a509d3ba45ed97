import DutyCalendar
import DutyCore
import DutyService
import DutyStore
import Foundation

/// Direct mode: the files and the state store, without a daemon (DESIGN.md, dutyctl).
struct Direct {
    let workspace: Workspace
    let store: DutyStore

    var policy: Policy { workspace.policy }
    var zone: Zone { workspace.settings.timezone }

    /// The settings a direct-mode command works on: `--config`, else /etc/dutyd/dutyd.toml.
    static func settings(_ global: GlobalOptions) throws -> Settings {
        let settings = try global.settings()
        guard settings.file != nil else {
            throw Failure(
                Failure.config,
                "no settings file: pass --config PATH (in a checkout: --config config/dutyd.toml), or install /etc/dutyd/dutyd.toml"
            )
        }
        return settings
    }

    static func open(_ global: GlobalOptions) throws -> Direct {
        let workspace = try Workspace.load(try settings(global))
        return Direct(workspace: workspace, store: try workspace.openStore(global.state))
    }

    func planner() throws -> Planner { try workspace.planner(store) }

    /// Today in the configured zone.
    func today(_ now: Instant = .now) -> CivilDate {
        zone.day(of: now)
    }

    /// One warning on standard error for each unpublished holiday year that the dates shown depend on
    /// (the calendar's own rule and wording: a December date depends on the next year's schedule too).
    /// The calendar's once-per-year warnings are not used here: the planner looks at days around the
    /// ones shown, and those would warn about years nobody asked for.
    func noteProvisional(_ dates: [CivilDate]) {
        var years: Set<Int> = []
        for d in dates { years.formUnion(workspace.workdays.unpublishedYears(from: d, through: d)) }
        for y in years.sorted() {
            FileHandle.standardError.write(Data("dutyctl: \(WorkingDayCalendar.unpublishedWarning(y))\n".utf8))
        }
    }
}

/// The Unix user running the command, for the record (`sudo` users by their own name).
var currentUser: String {
    let env = ProcessInfo.processInfo.environment
    if let s = env["SUDO_USER"], !s.isEmpty { return s }
    if let p = getpwuid(getuid()), let name = p.pointee.pw_name { return String(cString: name) }
    return env["USER"] ?? "uid \(getuid())"
}

extension Instant {
    /// Now, to the second (what people read and what gets recorded).
    static var now: Instant {
        Instant(seconds: Int(Date().timeIntervalSince1970))
    }
}

/// Parses an `--at`/`--on` value: an instant with an offset, a local date-time, or a date (its start).
func parseInstant(_ text: String, zone: Zone, option: String) throws -> Instant {
    if let i = Instant(iso: text, zone: zone) { return i }
    if let d = CivilDate(iso: text) {
        return zone.instant(on: d)
    }
    throw Failure(
        Failure.usage,
        "\(option): expected a date or time such as 2026-11-29 or 2026-11-29T09:00:00+08:00, found '\(text)'"
    )
}

/// Parses a date option or argument (`YYYY-MM-DD`); `option` names it in the message.
func parseDate(_ text: String, option: String) throws -> CivilDate {
    guard let d = CivilDate(iso: text), text.count == 10 else {
        throw Failure(Failure.usage, "\(option): '\(text)' is not a date; expected YYYY-MM-DD, such as 2026-11-29")
    }
    return d
}
