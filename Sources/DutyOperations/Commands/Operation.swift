package import DutyCalendar
package import DutyCore
package import DutyQueries
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

/// An operation whose answer can be as long as the organisation (`upcoming`, `overdue`): its rows
/// are handed on one at a time as they are made, in order, and what follows them (their count, the
/// warnings) comes last. The API streams them (JSON Lines, or the whole answer's JSON written as it
/// goes) and dutyctl prints each as it arrives, so neither holds the answer: a national question
/// costs the memory of one row. `perform` collects them into the whole answer (for the in-process
/// callers and the tests).
package protocol RowsOperation: DutyOperation {
    associatedtype Row: Codable & Sendable
    associatedtype Ending: Codable & Sendable
    /// The key the rows are under in the whole answer's JSON (`occurrences`).
    static var rowsKey: String { get }
    /// Hands every row to `emit` in order, then returns what follows them.
    static func rows(_ request: Request, _ context: OperationContext, _ emit: (Row) throws -> Void) throws -> Ending
    /// The whole answer made of its rows and ending.
    static func answer(rows: [Row], ending: Ending) -> Answer
}

/// What follows the rows of a plain list: how many there were.
package struct RowCount: Codable, Sendable, Equatable {
    package var count: Int
    package init(count: Int) { self.count = count }
}

extension RowsOperation {
    package static func perform(_ request: Request, _ context: OperationContext) throws -> Answer {
        var rows: [Row] = []
        let ending = try Self.rows(request, context) { rows.append($0) }
        return answer(rows: rows, ending: ending)
    }
}

/// What an operation works on: the configuration in force, the store (opened when first asked for:
/// the calculators and checks need none), the planner and the records (read when asked for), the
/// clock of whoever runs it (the daemon's, which `--start-at` shifts, or the wall clock in direct
/// mode), the user it acts for and whether that user may change things (what `config check` shows).
package struct OperationContext {
    package var workspace: Workspace
    private let openStore: () throws -> DutyStore
    package var planner: () throws -> Planner
    package var records: () throws -> DutyRecords
    package var now: Instant
    package var user: String
    /// The way the operation came, for the audit trail: `cli-direct` (dutyctl on the files) or `api`.
    package var channel: String
    package var mayChange: Bool
    /// A year's tally at a moment (`summary`): counted each time, unless whoever runs the operation
    /// keeps one (the daemon, per store revision).
    package var yearTally: (Instant) throws -> YearTally

    package init(
        workspace: Workspace,
        store: @escaping () throws -> DutyStore,
        planner: @escaping () throws -> Planner,
        records: @escaping () throws -> DutyRecords,
        now: Instant,
        user: String,
        channel: String = "cli-direct",
        mayChange: Bool,
        yearTally: ((Instant) throws -> YearTally)? = nil
    ) {
        self.workspace = workspace
        self.openStore = store
        self.planner = planner
        self.records = records
        self.now = now
        self.user = user
        self.channel = channel
        self.mayChange = mayChange
        self.yearTally = yearTally ?? { at in try YearTally(planner: try planner(), records: try records(), at: at) }
    }

    /// The store, its changes in the audit trail as the user's, by the way they came.
    package var store: DutyStore {
        get throws { try openStore().acting(as: AuditActor(who: user, how: channel)) }
    }
}

/// Every operation the API serves by walking this list. The few routes that are not one request
/// and one JSON answer on the configuration in force are written out in `APIServer` and listed in
/// `special`: `status` (answered while the question pool is full), `reload` and `notify/test` (the
/// daemon itself), and `calendar.ics` (`CalendarExport` as text/calendar).
package enum Operations {
    package static let all: [any DutyOperation.Type] = [
        Upcoming.self, Overdue.self, Explain.self,
        RecordDone.self, ImportDone.self, Waive.self, Undo.self, Acknowledge.self,
        RequestExtension.self, ApproveExtension.self, DenyExtension.self, ListExtensions.self,
        ListEvents.self, RecordEvent.self, RemoveEvent.self,
        ListUnits.self, ShowUnit.self, AddUnit.self, SetUnit.self, RemoveUnit.self, ImportUnits.self, ExportUnits.self,
        ListOfficials.self, ShowOfficial.self, AddOfficial.self, SetOfficial.self, RemoveOfficial.self,
        RevokeLinks.self,
        OfficialLink.self,
        ImportOfficials.self, ExportOfficials.self,
        Ledger.self, Audit.self, AuditVerify.self, Report.self, Summary.self, Bulletin.self, CalendarExport.self,
        ShowPolicy.self, CalendarDay.self, CalendarShift.self, NextElapse.self,
        CheckConfig.self, CheckPolicy.self, ShowTemplate.self,
    ]

    /// The routes `APIServer` writes out itself, with their method and dutyctl command (none for the
    /// `.ics` feed, which calendar programs subscribe to). They have no direct mode: they ask the
    /// daemon itself (`notify test` on the files is `NotifyTestRequest`'s own path).
    package static let special: [(route: String, access: Access, command: [String])] = [
        ("status", .read, ["status"]), ("calendar.ics", .read, []),
        ("notify/test", .write, ["notify", "test"]), ("reload", .write, ["reload"]),
    ]
}
