package import DutyCalendar
package import DutyCore
package import DutyFiles
package import DutyStore
import Foundation

/// Everything a command needs from the files: settings, policy and holidays, checked, and the way to
/// the state store. Both front ends (dutyctl direct mode, dutyd) build one.
package struct Workspace: Sendable {
    package let settings: Settings
    package let policy: Policy
    package let workdays: WorkingDayCalendar

    package init(settings: Settings, policy: Policy, workdays: WorkingDayCalendar) {
        self.settings = settings
        self.policy = policy
        self.workdays = workdays
    }

    /// Reads the policy and holidays the settings name. Errors: `PolicyError`, `ConfigError`.
    package static func load(_ settings: Settings) throws -> Workspace {
        let policy = try PolicyFiles.load(paths: settings.policy, zone: settings.timezone)
        let workdays: WorkingDayCalendar
        do {
            workdays = try WorkingDayCalendar.load(directories: settings.holidays)
        } catch {
            // A folder that cannot be read is a setting to change; a file that does not parse says
            // where it is wrong.
            let hint = error.line == nil ? "; check 'holidays' in \(settings.file ?? Settings.defaultPath)" : ""
            throw ConfigError(error.file ?? settings.file ?? "holidays", error.line, error.column, error.message + hint)
        }
        return Workspace(settings: settings, policy: policy, workdays: workdays)
    }

    /// Opens the state store (`state`, or `override`).
    /// The store `override` (`--state`) or the settings' `state` names; a mistake in the settings'
    /// one is named by its file, line and column.
    package func openStore(_ override: String? = nil) throws(StoreError) -> DutyStore {
        if let override { return try DutyStore.open(override) }
        return try settings.openStore()
    }

    /// The planner over the organisation in `store`.
    package func planner(_ store: DutyStore) throws(StoreError) -> Planner {
        planner(Organisation(units: try store.units(), officials: try store.officials()))
    }

    package func planner(_ organisation: Organisation) -> Planner {
        Planner(
            policy: policy,
            organisation: organisation,
            workdays: workdays,
            zone: settings.timezone,
            sendAtMinute: settings.sendAtHour * 60 + settings.sendAtMinute,
            trackFrom: settings.trackFrom
        )
    }
}

extension Settings {
    /// The store `state` names; a mistake in it is named by the settings file, line and column.
    package func openStore() throws(StoreError) -> DutyStore {
        do {
            return try DutyStore.open(state)
        } catch let e where e.code == .settings {
            throw StoreError(.settings, placed(e.message, file: file, line: statePlace.line, column: statePlace.column))
        }
    }
}
