package import DutyCalendar
package import DutyCore
package import DutyStore
package import Foundation

// The questions and changes dutyctl asks, as the options were typed, and their answers. Direct mode
// answers them here on the files; dutyd's API answers the same requests sent over its socket with
// the same functions, so both modes print the same (docs/design.md, dutyctl). Warnings (a date resting on
// an unpublished holiday year) travel with the answer and go to standard error.

/// `upcoming` and `overdue` (and the filters `calendar export` shares).
package struct OccurrencesRequest: Codable, Sendable, Equatable {
    @Default<False> package var overdue: Bool
    package var unit: String?
    @Default<False> package var subtree: Bool
    /// `30d`, `8w`, `20wd`; default 30 days.
    package var within: String?
    /// ISO 8601 or a date; default now.
    package var at: String?
    @Default<NoWords> package var obligation: [String]
    /// State words (`open`, `late`, `done`, `waived`, `all`); `nil` for the command's default.
    package var state: [String]?

    package init() {}

    /// The query these options ask, at `now` unless `at` says; a mistake is bad usage (64).
    package func query(zone: Zone, now: Instant) throws -> OccurrenceQuery {
        var q = OccurrenceQuery(at: try at.map { try parseInstant($0, zone: zone, option: "--at") } ?? now)
        if let within {
            do {
                q.within = try DutyDuration.parse(within)
            } catch {
                throw Failure(ExitStatus.usage, "--within: \(error.message)")
            }
            guard q.within.maximumCalendarDays <= OccurrenceQuery.maximumDays else {
                throw Failure(
                    ExitStatus.usage,
                    "--within \(within) reaches past \(OccurrenceQuery.maximumDays) days (five years); ask for "
                        + "less, such as --within 365d, or one --unit at a time"
                )
            }
        }
        if subtree && unit == nil { throw Failure(ExitStatus.usage, "--subtree needs --unit ID") }
        q.unit = unit
        q.subtree = subtree
        q.obligations = obligation
        if let state {
            var states: Set<Occurrence.State> = []
            for word in state {
                if word == "all" {
                    states.formUnion(Occurrence.State.allCases)
                } else if let s = Occurrence.State(rawValue: word) {
                    states.insert(s)
                } else {
                    throw Failure(
                        ExitStatus.usage,
                        "--state: unknown state '\(word)'; expected \((Occurrence.State.allCases.map(\.rawValue) + ["all"]).joined(separator: ", "))"
                    )
                }
            }
            q.states = states
        }
        return q
    }
}

/// The answer to `upcoming`/`overdue`: `{"occurrences": [...]}` is what `--json` prints.
package struct OccurrenceList: Codable, Sendable {
    package var occurrences: [OccurrenceView]
    /// The store holds no units at all (the table then says how to import them).
    package var noUnits: Bool
    /// What to say when the list is empty.
    package var empty: String
    package var warnings: [String]

    enum CodingKeys: String, CodingKey {
        case occurrences, empty, warnings
        case noUnits = "no_units"
    }
}

/// `report --year`.
package struct ReportRequest: Codable, Sendable {
    package var year: Int
    package var unit: String?
    @Default<False> package var subtree: Bool
    package var at: String?

    package init(year: Int) { self.year = year }
}

package struct ReportAnswer: Codable, Sendable {
    package var report: YearReport
    package var warnings: [String]
}

/// `calendar export --ics`.
package struct CalendarRequest: Codable, Sendable {
    @Default<AllOccurrences> package var filters: OccurrencesRequest
    @Default<False> package var todo: Bool
    package var official: String?
    package var since: String?

    package init() {}
}

package struct CalendarAnswer: Codable, Sendable {
    package var ics: String
    package var warnings: [String]
}

/// `done OCCURRENCE [--on DATE] [--ref TEXT] [--note TEXT]`.
package struct DoneRequest: Codable, Sendable {
    package var occurrence: String
    package var on: String?
    package var ref: String?
    package var note: String?

    package init(occurrence: String) { self.occurrence = occurrence }
}

package struct DoneAnswer: Codable, Sendable {
    package struct Started: Codable, Sendable {
        package var id: String
        package var due: String
        package var weekday: String
    }
    package var occurrence: String
    package var doneOn: String
    package var deadline: String
    /// Days after the deadline day; 0 when on time.
    package var lateDays: Int
    package var starts: [Started]

    enum CodingKeys: String, CodingKey {
        case occurrence, deadline, starts
        case doneOn = "done_on"
        case lateDays = "late_days"
    }
}

/// `explain OCCURRENCE [--at TIME]`.
package struct ExplainRequest: Codable, Sendable {
    package var occurrence: String
    package var at: String?

    package init(occurrence: String) { self.occurrence = occurrence }
}

/// `{"occurrence": {...}, "explanation": [...]}` is what `explain --json` prints.
package struct ExplainAnswer: Codable, Sendable {
    package var occurrence: OccurrenceView
    package var explanation: [String]
    package var warnings: [String]
}

/// `ledger [--occurrence ID|PREFIX/] [--recipient ID] [--channel C] [--since T] [--limit N] [--state S,…]`.
package struct LedgerRequest: Codable, Sendable {
    package var occurrence: String?
    package var recipient: String?
    package var channel: String?
    package var since: String?
    @Default<HundredRows> package var limit: Int
    /// The most rows one answer holds.
    package static let maximumLimit = 100_000
    package var state: [String]?

    package init() {}
}

/// `{"notifications": [...]}`, what `ledger --json` prints; times in the configured zone.
package struct LedgerAnswer: Codable, Sendable {
    package struct Row: Codable, Sendable {
        package var occurrence: String
        package var step: String
        package var recipient: String
        package var channel: String
        package var state: String
        package var due: String
        package var attempts: Int
        package var first_attempt: String?
        package var last_attempt: String?
        package var next_attempt: String?
        package var sent: String?
        package var error: String?
    }
    package var notifications: [Row]
}

/// `event record KIND --unit ID [--on DATE] [--id ID] [--note TEXT]`.
package struct EventRequest: Codable, Sendable {
    package var kind: String
    package var unit: String
    package var on: String?
    package var id: String?
    package var note: String?

    package init(kind: String, unit: String) {
        self.kind = kind
        self.unit = unit
    }
}

package struct EventAnswer: Codable, Sendable {
    package var event: String
    package var unit: String
    package var kind: String
    package var on: String
    package var starts: [DoneAnswer.Started]
}

/// `event ls [--unit ID]`.
package struct EventQuery: Codable, Sendable {
    package var unit: String?

    package init(unit: String?) { self.unit = unit }
}

/// `{"events": [...]}` is what `event ls --json` prints.
package struct EventList: Codable, Sendable {
    package struct Item: Codable, Sendable {
        package var id, kind, unit, on, by: String
        package var note: String?
    }
    package var events: [Item]
}

/// `event rm ID --unit ID`.
package struct EventRemoval: Codable, Sendable {
    package var id: String
    package var unit: String

    package init(id: String, unit: String) {
        self.id = id
        self.unit = unit
    }
}

/// A unit as `unit add|set|ls|show --json` prints it.
package struct UnitView: Codable, Sendable {
    package var id, name, kind: String
    package var parent, email: String?
    package var addedOn: String
    package var trackFrom: String?

    package init(_ u: OrgUnit) {
        (id, name, kind, parent, email) = (u.id, u.name, u.kind, u.parent, u.email)
        addedOn = u.addedOn.description
        trackFrom = u.trackFrom?.description
    }

    enum CodingKeys: String, CodingKey {
        case id, name, kind, parent, email
        case addedOn = "added_on"
        case trackFrom = "track_from"
    }
}

/// An official as `official … --json` prints it.
package struct OfficialView: Codable, Sendable {
    package var id, name, unit: String
    package var email: String?
    package var roles: [String]

    package init(_ o: Official) { (id, name, unit, email, roles) = (o.id, o.name, o.unit, o.email, o.roles) }
}

/// `unit ls [--under ID] [--kind KIND]`.
package struct UnitListRequest: Codable, Sendable {
    package var under: String?
    package var kind: String?

    package init() {}
}

/// The units in tree order, and each one's depth (the table indents by it); `{"units": [...]}` is
/// what `--json` prints.
package struct UnitList: Codable, Sendable {
    package var units: [UnitView]
    package var depth: [Int]
}

/// `unit show ID`.
package struct UnitShowRequest: Codable, Sendable {
    package var id: String

    package init(id: String) { self.id = id }
}

package struct UnitShow: Codable, Sendable {
    package var unit: UnitView
    package var officials: [OfficialView]
    package var obligations: [String]
    /// The kind's name in the policy (`党委`), empty when it has none.
    package var kindName: String
    package var trackedFrom: String

    enum CodingKeys: String, CodingKey {
        case unit, officials, obligations
        case kindName = "kind_name"
        case trackedFrom = "tracked_from"
    }
}

/// `official ls [--unit ID [--subtree]] [--role ROLE]`.
package struct OfficialListRequest: Codable, Sendable {
    package var unit: String?
    @Default<False> package var subtree: Bool
    package var role: String?

    package init() {}
}

/// `{"officials": [...]}` is what `official ls --json` prints.
package struct OfficialList: Codable, Sendable {
    package var officials: [OfficialView]

    package init(officials: [OfficialView]) { self.officials = officials }
}

/// `official show ID`.
package struct OfficialShowRequest: Codable, Sendable {
    package var id: String

    package init(id: String) { self.id = id }
}

package struct OfficialShow: Codable, Sendable {
    package var official: OfficialView
    package var unitName: String
    /// `secretary (书记)`, as the policy names the roles.
    package var roles: [String]

    enum CodingKeys: String, CodingKey {
        case official, roles
        case unitName = "unit_name"
    }
}

/// `unit add ID …` and `unit set ID …`: the fields as typed; on `set`, an empty email, parent or
/// track_from clears it.
package struct UnitChange: Codable, Sendable {
    package var id: String
    package var name: String?
    package var kind: String?
    package var parent: String?
    package var email: String?
    package var trackFrom: String?

    package init(id: String) { self.id = id }

    enum CodingKeys: String, CodingKey {
        case id, name, kind, parent, email
        case trackFrom = "track_from"
    }
}

/// `unit rm ID [--recursive]`.
package struct UnitRemoval: Codable, Sendable {
    package var id: String
    @Default<False> package var recursive: Bool

    package init(id: String, recursive: Bool) {
        self.id = id
        self.recursive = recursive
    }
}

/// `{"removed_units": N, "removed_officials": M}`, what `unit rm --json` prints.
package struct UnitRemoved: Codable, Sendable {
    package var removed_units: Int
    package var removed_officials: Int
}

/// `official add ID …` and `official set ID …`; on `set`, an empty email clears it.
package struct OfficialChange: Codable, Sendable {
    package var id: String
    package var name: String?
    package var email: String?
    package var unit: String?
    package var roles: [String]?

    package init(id: String) { self.id = id }
}

/// `official rm ID`; `{"removed": ID}` is what `--json` prints.
package struct OfficialRemoval: Codable, Sendable {
    package var removed: String

    package init(removed: String) { self.removed = removed }
}

/// `unit import FILE` and `official import FILE`: the file's bytes as read (base64 in JSON), and its
/// name for the places in error messages.
package struct ImportRequest: Codable, Sendable {
    package var file: String
    package var data: Data
    @Default<False> package var replace: Bool
    /// Units only: new units are tracked from this day.
    package var trackFrom: String?

    package init(file: String, data: Data) {
        self.file = file
        self.data = data
    }

    enum CodingKeys: String, CodingKey {
        case file, data, replace
        case trackFrom = "track_from"
    }
}

/// `{"added": N, "updated": N, "removed": N}`, what an import with `--json` prints.
package struct ImportAnswer: Codable, Sendable {
    package var added: Int
    package var updated: Int
    package var removed: Int
}

/// `unit export` and `official export`: the CSV text.
package struct ExportAnswer: Codable, Sendable {
    package var csv: String

    package init(csv: String) { self.csv = csv }
}

/// `waive OCCURRENCE --reason TEXT`.
package struct WaiveRequest: Codable, Sendable {
    package var occurrence: String
    package var reason: String

    package init(occurrence: String, reason: String) {
        self.occurrence = occurrence
        self.reason = reason
    }
}

/// `{"occurrence": ..., "waived": reason}`, what `waive --json` prints.
package struct WaiveAnswer: Codable, Sendable {
    package var occurrence: String
    package var waived: String
}

/// `undo OCCURRENCE`.
package struct UndoRequest: Codable, Sendable {
    package var occurrence: String

    package init(occurrence: String) { self.occurrence = occurrence }
}

/// `{"occurrence": ..., "undone": "the completion of 2026-12-20"}`, what `undo --json` prints.
package struct UndoAnswer: Codable, Sendable {
    package var occurrence: String
    package var undone: String
}

extension Workspace {
    /// Writes what a CSV file holds through `write`; a store error about one unit or official is placed
    /// on the line that carries it.
    private func importing<T: Identified>(
        _ rows: [(value: T, line: Int)],
        file: String,
        _ write: () throws -> ImportCount
    ) throws -> ImportAnswer {
        do {
            let count = try write()
            return ImportAnswer(added: count.added, updated: count.updated, removed: count.removed)
        } catch let e as StoreError {
            if let id = e.id, let row = rows.first(where: { $0.value.id == id }) {
                throw CSVError(file: file, line: row.line, e.message)
            }
            throw e
        }
    }

    /// `unit import`: all or nothing.
    package func importUnits(_ r: ImportRequest, store: DutyStore, now: Instant) throws -> ImportAnswer {
        let track = try r.trackFrom.map { try parseDate($0, option: "--track-from") }
        let rows = try OrganisationCSV.units(
            Array(r.data),
            file: r.file,
            policy: policy,
            addedOn: settings.timezone.day(of: now)
        )
        let units = rows.map { row -> OrgUnit in
            var u = row.value
            if u.trackFrom == nil { u.trackFrom = track }
            return u
        }
        return try importing(rows, file: r.file) { try store.importUnits(units, replace: r.replace) }
    }

    /// `official import`: all or nothing.
    package func importOfficials(_ r: ImportRequest, store: DutyStore) throws -> ImportAnswer {
        let rows = try OrganisationCSV.officials(Array(r.data), file: r.file, policy: policy)
        return try importing(rows, file: r.file) { try store.importOfficials(rows.map(\.value), replace: r.replace) }
    }

    /// `unit export`: the CSV in tree order.
    package func exportUnits(store: DutyStore) throws -> ExportAnswer {
        ExportAnswer(csv: OrganisationCSV.export(units: try store.units()))
    }

    /// `official export`: the CSV, by id.
    package func exportOfficials(store: DutyStore) throws -> ExportAnswer {
        ExportAnswer(csv: OrganisationCSV.export(officials: try store.officials().sorted { $0.id < $1.id }))
    }

    /// `official export --json`: every official, by id.
    package func allOfficials(store: DutyStore) throws -> OfficialList {
        OfficialList(officials: try store.officials().sorted { $0.id < $1.id }.map(OfficialView.init))
    }

    private func check(_ r: UnitChange) throws {
        if let kind = r.kind, !policy.kinds.isEmpty, policy.kinds[kind] == nil {
            throw Failure(
                ExitStatus.usage,
                "--kind: unknown kind '\(kind)'; expected one of \(policy.kinds.keys.sorted().joined(separator: ", "))"
            )
        }
        if let email = r.email, let p = OrganisationCSV.emailProblem(email) {
            throw Failure(ExitStatus.usage, "--email: \(p)")
        }
        if let parent = r.parent, let p = Identifier.problem(parent) {
            throw Failure(ExitStatus.usage, "--parent: \(p)")
        }
    }

    /// `unit add`.
    package func addUnit(_ r: UnitChange, store: DutyStore, now: Instant) throws -> UnitView {
        if let p = Identifier.problem(r.id) { throw Failure(ExitStatus.usage, p) }
        try check(r)
        guard let name = r.name, let kind = r.kind else {
            throw Failure(ExitStatus.usage, "a new unit needs --name and --kind")
        }
        let unit = OrgUnit(
            id: r.id,
            name: name,
            kind: kind,
            parent: r.parent,
            email: r.email,
            addedOn: settings.timezone.day(of: now),
            trackFrom: try r.trackFrom.map { try parseDate($0, option: "--track-from") }
        )
        try store.addUnit(unit)
        return UnitView(unit)
    }

    /// `unit set`.
    package func setUnit(_ r: UnitChange, store: DutyStore) throws -> UnitView {
        guard var unit = try store.unit(r.id) else { throw Failure.noUnit(r.id) }
        var f = r
        if f.email == "" {
            unit.email = nil
            f.email = nil
        }
        if f.parent == "" {
            unit.parent = nil
            f.parent = nil
        }
        if f.trackFrom == "" {
            unit.trackFrom = nil
            f.trackFrom = nil
        }
        try check(f)
        if let v = f.name { unit.name = v }
        if let v = f.kind { unit.kind = v }
        if let v = f.parent { unit.parent = v }
        if let v = f.email { unit.email = v }
        if let v = f.trackFrom { unit.trackFrom = try parseDate(v, option: "--track-from") }
        try store.updateUnit(unit)
        return UnitView(unit)
    }

    /// `unit rm`.
    package func removeUnit(_ r: UnitRemoval, store: DutyStore) throws -> UnitRemoved {
        let (units, officials) = try store.removeUnit(r.id, recursive: r.recursive)
        return UnitRemoved(removed_units: units, removed_officials: officials)
    }

    private func check(_ r: OfficialChange) throws {
        for role in r.roles ?? [] where !policy.roles.isEmpty && policy.roles[role] == nil {
            throw Failure(
                ExitStatus.usage,
                "--roles: unknown role '\(role)'; expected one of \(policy.roles.keys.sorted().joined(separator: ", "))"
            )
        }
        if let roles = r.roles, roles.isEmpty { throw Failure(ExitStatus.usage, "--roles: name at least one role") }
        if let email = r.email, !email.isEmpty, let p = OrganisationCSV.emailProblem(email) {
            throw Failure(ExitStatus.usage, "--email: \(p)")
        }
    }

    /// `official add`.
    package func addOfficial(_ r: OfficialChange, store: DutyStore) throws -> OfficialView {
        if let p = Identifier.problem(r.id) { throw Failure(ExitStatus.usage, p) }
        try check(r)
        guard let name = r.name, let unit = r.unit, let roles = r.roles else {
            throw Failure(ExitStatus.usage, "a new official needs --name, --unit and --roles")
        }
        let o = Official(id: r.id, name: name, email: r.email, unit: unit, roles: roles)
        try store.addOfficial(o)
        return OfficialView(o)
    }

    /// `official set`.
    package func setOfficial(_ r: OfficialChange, store: DutyStore) throws -> OfficialView {
        try check(r)
        guard var o = try store.official(r.id) else { throw Failure.noOfficial(r.id) }
        if let v = r.name { o.name = v }
        if let v = r.email { o.email = v.isEmpty ? nil : v }
        if let v = r.unit { o.unit = v }
        if let v = r.roles { o.roles = v }
        try store.updateOfficial(o)
        return OfficialView(o)
    }

    /// `official rm`.
    package func removeOfficial(_ r: OfficialRemoval, store: DutyStore) throws -> OfficialRemoval {
        try store.removeOfficial(r.removed)
        return r
    }

    /// `unit ls`.
    package func units(_ r: UnitListRequest, planner: Planner) throws -> UnitList {
        let org = planner.organisation
        var range = 0..<org.units.count
        if let under = r.under {
            let u = try org.number(ofUnit: under)
            range = Int(u)..<Int(org.subtreeEnd[Int(u)])
        }
        let picked = range.filter { r.kind == nil || org.units[$0].kind == r.kind }
        return UnitList(
            units: picked.map { UnitView(org.units[$0]) },
            depth: picked.map { org.ancestry(of: Int32($0)).count - 1 }
        )
    }

    /// `unit show`.
    package func unit(_ r: UnitShowRequest, planner: Planner) throws -> UnitShow {
        let u = try planner.organisation.number(ofUnit: r.id)
        let unit = planner.organisation.units[Int(u)]
        let people = planner.organisation.officials(of: u).map { planner.organisation.officials[Int($0)] }
        return UnitShow(
            unit: UnitView(unit),
            officials: people.map(OfficialView.init),
            obligations: planner.policy.obligations.indices.filter {
                !planner.policy.obligations[$0].appliesTo.subjectsAreOfficials && planner.isSubject(u, of: $0)
            }
            .map { planner.policy.obligations[$0].id },
            kindName: policy.kinds[unit.kind]?.name ?? "",
            trackedFrom: (unit.trackFrom ?? settings.trackFrom ?? unit.addedOn).description
        )
    }

    /// `official ls`.
    package func officials(_ r: OfficialListRequest, planner: Planner) throws -> OfficialList {
        let org = planner.organisation
        var range: Range<Int32> = 0..<Int32(org.units.count)
        if let unit = r.unit {
            let u = try org.number(ofUnit: unit)
            range = u..<(r.subtree ? org.subtreeEnd[Int(u)] : u + 1)
        }
        var picked: [OfficialView] = []
        for u in range {
            for k in org.officials(of: u) {
                let o = org.officials[Int(k)]
                if r.role == nil || o.roles.contains(r.role!) { picked.append(OfficialView(o)) }
            }
        }
        return OfficialList(officials: picked)
    }

    /// `official show`.
    package func official(_ r: OfficialShowRequest, planner: Planner) throws -> OfficialShow {
        let org = planner.organisation
        guard let k = org.officialIndex[r.id] else { throw Failure.noOfficial(r.id) }
        let o = org.officials[Int(k)]
        return OfficialShow(
            official: OfficialView(o),
            unitName: org.index[o.unit].map { org.units[Int($0)].name } ?? "",
            roles: o.roles.map { r in policy.roles[r].map { "\(r) (\($0))" } ?? r }
        )
    }

    /// `event record`: the event, by `by`, and the occurrences it starts.
    package func recordEvent(
        _ r: EventRequest,
        store: DutyStore,
        planner: Planner,
        by: String,
        now: Instant
    ) throws -> EventAnswer {
        let kinds = policy.eventKinds
        guard kinds.contains(r.kind) else {
            throw Failure(
                ExitStatus.usage,
                "no obligation is triggered by events of kind '\(r.kind)'; expected one of \(kinds.sorted().joined(separator: ", "))"
            )
        }
        if let id = r.id, let p = Identifier.problem(id) { throw Failure(ExitStatus.usage, "--id: \(p)") }
        let today = settings.timezone.day(of: now)
        let day = try r.on.map { try parseDate($0, option: "--on") } ?? today
        if day > today { throw Failure(ExitStatus.usage, "--on \(day) is in the future") }
        let u = try planner.organisation.number(ofUnit: r.unit)
        let triggered = planner.policy.obligations.indices.filter { o in
            if case .event(let k, _) = planner.policy.obligations[o].deadline, k == r.kind {
                return planner.isSubject(u, of: o)
            }
            return false
        }
        if triggered.isEmpty {
            throw Failure(
                ExitStatus.dataError,
                "no obligation applies to '\(r.kind)' events at \(r.unit) (kind \(planner.organisation.units[Int(u)].kind)); nothing recorded"
            )
        }
        let event = try store.record(
            Event(id: r.id ?? "", kind: r.kind, unit: r.unit, on: day, recordedAt: now, by: by, note: r.note)
        )
        // The store has the event now: the occurrences it starts are planned from what it holds.
        let after = try store.records()
        return EventAnswer(
            event: event.id,
            unit: r.unit,
            kind: r.kind,
            on: day.description,
            starts: planner.occurrences(triggeredBy: event, records: after).map {
                .init(id: $0.id.description, due: $0.timing.date.description, weekday: $0.timing.date.weekday.shortName)
            }
        )
    }

    /// `event ls`.
    package func events(unit: String?, records: DutyRecords) -> EventList {
        EventList(
            events: records.events.filter { unit == nil || $0.unit == unit }.map {
                .init(id: $0.id, kind: $0.kind, unit: $0.unit, on: $0.on.description, by: $0.by, note: $0.note)
            }
        )
    }

    /// `event rm`.
    package func removeEvent(_ r: EventRemoval, store: DutyStore) throws {
        try store.removeEvent(unit: r.unit, id: r.id)
    }

    /// `explain`: how the deadline and every step time were worked out.
    package func explain(
        _ r: ExplainRequest,
        planner: Planner,
        records: DutyRecords,
        now: Instant
    ) throws -> ExplainAnswer {
        let found = try locate(r.occurrence, planner: planner, records: records)
        let now = try r.at.map { try parseInstant($0, zone: settings.timezone, option: "--at") } ?? now
        return ExplainAnswer(
            occurrence: planner.view(found, now: now),
            explanation: planner.explain(found, now: now, records: RecordIndex(records: records, policy: policy)),
            warnings: workdays.unpublishedWarnings(
                (found.timing.provisional ? [found.timing.date] : [])
                    + found.timing.steps.filter(\.provisional).map(\.day.date)
            )
        )
    }

    /// `ledger`: the rows that match, newest first.
    package func ledger(_ r: LedgerRequest, store: DutyStore) throws -> LedgerAnswer {
        guard (1...LedgerRequest.maximumLimit).contains(r.limit) else {
            throw Failure(
                ExitStatus.usage,
                "--limit: expected a number from 1 to \(LedgerRequest.maximumLimit); narrow the question with "
                    + "--occurrence, --recipient, --since or --state for more"
            )
        }
        var q = DutyStore.LedgerQuery()
        q.occurrence = r.occurrence
        q.recipient = r.recipient
        q.channel = r.channel
        q.limit = r.limit
        q.states = try (r.state ?? []).map {
            guard let s = LedgerEntry.State(rawValue: $0) else {
                throw Failure(
                    ExitStatus.usage,
                    "--state: unknown state '\($0)'; expected \(LedgerEntry.State.allCases.map(\.rawValue).joined(separator: ", "))"
                )
            }
            return s
        }
        let zone = settings.timezone
        if let since = r.since { q.since = try parseInstant(since, zone: zone, option: "--since") }
        func local(_ t: Instant?) -> String? { t.map { $0.format(in: zone) } }
        return LedgerAnswer(
            notifications: try store.ledger(matching: q).map {
                LedgerAnswer.Row(
                    occurrence: $0.occurrence,
                    step: $0.step,
                    recipient: $0.recipient,
                    channel: $0.channel,
                    state: $0.state.rawValue,
                    due: $0.dueAt.format(in: zone),
                    attempts: $0.attempts,
                    first_attempt: local($0.firstAttemptAt),
                    last_attempt: local($0.lastAttemptAt),
                    next_attempt: local($0.nextAttemptAt),
                    sent: local($0.sentAt),
                    error: $0.error
                )
            }
        )
    }

    /// `waive`: records that the occurrence will not be done, and why, by `by`.
    package func waive(
        _ r: WaiveRequest,
        store: DutyStore,
        planner: Planner,
        by: String,
        now: Instant
    ) throws -> WaiveAnswer {
        guard !r.reason.trimmingCharacters(in: .whitespaces).isEmpty else {
            throw Failure(ExitStatus.usage, "--reason: say why the occurrence is waived")
        }
        let found = try locate(r.occurrence, planner: planner, records: try store.records())
        try store.waive(Waiver(occurrence: found.id, reason: r.reason, recordedAt: now, by: by))
        return WaiveAnswer(occurrence: found.id.description, waived: r.reason)
    }

    /// `undo`: takes back the latest completion or waiver.
    package func undo(_ r: UndoRequest, store: DutyStore, by: String, now: Instant) throws -> UndoAnswer {
        guard let id = OccurrenceID(r.occurrence) else {
            throw Failure(
                ExitStatus.usage,
                "'\(r.occurrence)' is not an occurrence id; expected obligation/subject/period"
            )
        }
        let what: String
        switch try store.undo(id, at: now, by: by) {
        case .completion(let d): what = "the completion of \(d)"
        case .waiver: what = "the waiver"
        }
        return UndoAnswer(occurrence: id.description, undone: what)
    }
}

extension Workspace {
    /// `upcoming` or `overdue`.
    /// `now` answers a question without `at` (the daemon passes its clock, which `--start-at` shifts).
    package func occurrences(
        _ r: OccurrencesRequest,
        planner: Planner,
        records: DutyRecords,
        now: Instant
    ) throws -> OccurrenceList {
        let q = try r.query(zone: settings.timezone, now: now)
        let list = r.overdue ? try planner.overdue(q, records: records) : try planner.upcoming(q, records: records)
        return OccurrenceList(
            occurrences: list.map { planner.view($0, now: q.at) },
            noUnits: planner.organisation.units.isEmpty,
            empty: r.overdue ? "nothing is overdue" : "nothing due within \(q.within)",
            warnings: workdays.unpublishedWarnings(list.filter(\.timing.provisional).map(\.timing.date))
        )
    }

    /// `report --year`.
    package func report(
        _ r: ReportRequest,
        planner: Planner,
        records: DutyRecords,
        now: Instant
    ) throws -> ReportAnswer {
        guard (1970...9999).contains(r.year) else {
            throw Failure(ExitStatus.usage, "--year \(r.year): expected a year such as 2026")
        }
        var q = OccurrenceQuery(
            at: try r.at.map { try parseInstant($0, zone: settings.timezone, option: "--at") } ?? now
        )
        q.unit = r.unit
        q.subtree = r.subtree
        return ReportAnswer(
            report: try planner.yearReport(r.year, q, records: records),
            warnings: workdays.unpublishedWarnings([
                CivilDate(year: r.year, month: 1, day: 1)!, CivilDate(year: r.year, month: 12, day: 31)!,
            ])
        )
    }

    /// `calendar export --ics`: from `--since` (default 90 days back) through `--within` (default 400
    /// days) ahead.
    package func calendar(
        _ r: CalendarRequest,
        planner: Planner,
        records: DutyRecords,
        now: Instant
    ) throws -> CalendarAnswer {
        var q = try r.filters.query(zone: settings.timezone, now: now)
        if r.filters.within == nil { q.within = DutyDuration(400, .days) }
        let today = settings.timezone.day(of: q.at)
        let from = try r.since.map { try parseDate($0, option: "--since") } ?? today.adding(days: -90)
        guard from >= today.adding(days: -OccurrenceQuery.maximumDays) else {
            throw Failure(
                ExitStatus.usage,
                "--since \(from) is more than \(OccurrenceQuery.maximumDays) days (five years) back; export "
                    + "from a later day"
            )
        }
        var e = ICSExport(from: from, through: q.within.after(today, workdays: planner.workdays).date)
        e.todo = r.todo
        e.official = r.official
        return CalendarAnswer(
            ics: try planner.ics(e, q, records: records, stamp: now),
            warnings: workdays.unpublishedWarnings([e.from, e.through])
        )
    }

    /// `done`: records the completion by `by` and says what it starts. `planner` is over the
    /// organisation in `store`.
    package func recordDone(
        _ r: DoneRequest,
        store: DutyStore,
        planner: Planner,
        by: String,
        now: Instant
    ) throws -> DoneAnswer {
        let records = try store.records()
        let found = try locate(r.occurrence, planner: planner, records: records)
        let today = settings.timezone.day(of: now)
        let day = try r.on.map { try parseDate($0, option: "--on") } ?? today
        if day > today {
            throw Failure(ExitStatus.usage, "--on \(day) is in the future; record it when it is done")
        }
        var repeatable = false
        if case .quota = planner.policy.obligations[found.obligation].deadline { repeatable = true }
        if found.waiver != nil {
            throw Failure(
                ExitStatus.dataError,
                "\(found.id) is waived; `dutyctl undo \(found.id)` first to record it as done"
            )
        }
        if repeatable, let done = found.completion {
            throw Failure(
                ExitStatus.dataError,
                "\(found.id) is met already (\(done.on)); record further completions against the next checkpoint"
            )
        }
        let c = Completion(occurrence: found.id, on: day, recordedAt: now, by: by, reference: r.ref, note: r.note)
        try store.complete(c, repeatable: repeatable)
        // What the completion starts: the organisation is unchanged, so the same planner answers.
        var after = records
        after.completions.append(c)
        let starts = planner.occurrences(triggeredBy: found.id, records: after)
        return DoneAnswer(
            occurrence: found.id.description,
            doneOn: day.description,
            deadline: found.timing.date.description,
            lateDays: max(0, day.daysSinceEpoch - found.timing.date.daysSinceEpoch),
            starts: starts.map {
                .init(id: $0.id.description, due: $0.timing.date.description, weekday: $0.timing.date.weekday.shortName)
            }
        )
    }
}

extension Failure {
    /// A unit id the organisation does not hold (65), and where to look.
    static func noUnit(_ id: String) -> Failure {
        Failure(ExitStatus.dataError, "no unit '\(id)'; `dutyctl unit ls` lists them")
    }

    /// An official id the organisation does not hold (65), and where to look.
    static func noOfficial(_ id: String) -> Failure {
        Failure(ExitStatus.dataError, "no official '\(id)'; `dutyctl official ls` lists them")
    }
}

extension Organisation {
    /// The unit's number, or `Failure.noUnit`.
    func number(ofUnit id: String) throws -> Int32 {
        guard let u = index[id] else { throw Failure.noUnit(id) }
        return u
    }
}

/// What a CSV line holds: a unit or an official, known by its id.
package protocol Identified { var id: String { get } }
extension OrgUnit: Identified {}
extension Official: Identified {}
