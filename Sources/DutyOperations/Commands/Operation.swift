package import DutyCalendar
package import DutyCore
package import DutyStore

/// Who may call an operation through the API: members of the socket's group ask questions (GET, the
/// request in the query string); root and the admin groups make changes (POST, the request in JSON).
package enum Access: Sendable {
    case read, write
}

/// One thing dutyctl can ask or change, declared once: its route under `/v1/`, who may call it, its
/// request and answer, and what it does. The API server registers a route for every operation in
/// `Operations.all`; dutyctl's remote mode calls the operation's route, its direct mode calls
/// `perform` on the files. The operations live beside their requests, in the file of their resource
/// (Occurrences, Records, Events, Units, Officials, Ledger, Reports).
package protocol DutyOperation: Sendable {
    associatedtype Request: Codable & Sendable
    associatedtype Answer: Codable & Sendable
    /// The route under `/v1/`.
    static var route: String { get }
    static var access: Access { get }
    /// The dutyctl command that calls it (`["unit", "add"]`).
    static var command: [String] { get }
    static func perform(_ request: Request, _ context: OperationContext) throws -> Answer
    /// For a change: the journal's line about it and its fields (who made it is added by the API).
    static func journal(_ request: Request, _ answer: Answer) -> (message: String, fields: [String: String])
}

extension DutyOperation {
    package static func journal(_ request: Request, _ answer: Answer) -> (message: String, fields: [String: String]) {
        ("\(command.joined(separator: " "))", [:])
    }
}

/// What an operation works on: the configuration in force, the store, the planner and the records
/// (read when asked for), the clock of whoever runs it (the daemon's, which `--start-at` shifts, or
/// the wall clock in direct mode), and the user it acts for.
package struct OperationContext {
    package var workspace: Workspace
    package var store: DutyStore
    package var planner: () throws -> Planner
    package var records: () throws -> DutyRecords
    package var now: Instant
    package var user: String

    package init(
        workspace: Workspace,
        store: DutyStore,
        planner: @escaping () throws -> Planner,
        records: @escaping () throws -> DutyRecords,
        now: Instant,
        user: String
    ) {
        self.workspace = workspace
        self.store = store
        self.planner = planner
        self.records = records
        self.now = now
        self.user = user
    }
}

/// Every operation the API serves by walking this list. The few routes that are not plain
/// request-and-answer (`status`, `reload`, `notify/test`, the policy and calendar calculators, the
/// checks, exports and the `.ics` feed) are written out in `APIServer` and listed in `special`.
package enum Operations {
    package static let all: [any DutyOperation.Type] = [
        Upcoming.self, Overdue.self, Explain.self,
        RecordDone.self, Waive.self, Undo.self,
        ListEvents.self, RecordEvent.self, RemoveEvent.self,
        ListUnits.self, ShowUnit.self, AddUnit.self, SetUnit.self, RemoveUnit.self, ImportUnits.self,
        ListOfficials.self, ShowOfficial.self, AddOfficial.self, SetOfficial.self, RemoveOfficial.self,
        ImportOfficials.self,
        Ledger.self, Report.self, CalendarExport.self,
    ]

    /// The routes `APIServer` writes out itself, with their method.
    package static let special: [(route: String, access: Access)] = [
        ("status", .read), ("policy", .read), ("calendar/day", .read), ("calendar/shift", .read),
        ("calendar/next", .read), ("calendar.ics", .read), ("config/check", .read), ("policy/check", .read),
        ("config/template", .read), ("units/export", .read), ("officials/export", .read),
        ("notify/test", .write), ("reload", .write),
    ]
}
