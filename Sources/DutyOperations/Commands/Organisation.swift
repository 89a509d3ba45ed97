package import DutyCalendar
package import DutyCore
package import DutyFiles
package import DutyStore
package import Foundation

// What the unit and official commands share: imports from CSV, exports, unknown ids; the requests as
// typed, their answers, and the functions both front ends call.

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

    enum CodingKeys: String, CodingKey { case csv }

    package init(csv: String) { self.csv = csv }
}

/// What a CSV line holds: a unit or an official, known by its id.
package protocol Identified { var id: String { get } }

extension Workspace {
    /// Writes what a CSV file holds through `write`; a store error about one unit or official is placed
    /// on the line that carries it.
    func importing<T: Identified>(
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
}

extension Failure {
    /// A unit id the organisation does not hold (65), and where to look.
    static func noUnit(_ id: String) -> Failure {
        Failure(ExitStatus.dataError, "no unit '\(shown(id))'; `dutyctl unit ls` lists them")
    }

    /// An official id the organisation does not hold (65), and where to look.
    static func noOfficial(_ id: String) -> Failure {
        Failure(ExitStatus.dataError, "no official '\(shown(id))'; `dutyctl official ls` lists them")
    }
}

extension Organisation {
    /// The unit's number, or `Failure.noUnit`.
    func number(ofUnit id: String) throws -> Int32 {
        guard let u = index[id] else { throw Failure.noUnit(id) }
        return u
    }
}

extension OrgUnit: Identified {}

extension Official: Identified {}

/// A question with nothing to ask (`unit export`, `status`).
package struct NoRequest: Codable, Sendable {
    package init() {}
}

extension Workspace {
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

    /// `unit export`: the CSV in tree order.
    package func exportUnits(store: DutyStore) throws -> ExportAnswer {
        ExportAnswer(csv: OrganisationCSV.export(units: try store.units()))
    }

    /// `official import`: all or nothing.
    package func importOfficials(_ r: ImportRequest, store: DutyStore) throws -> ImportAnswer {
        let rows = try OrganisationCSV.officials(Array(r.data), file: r.file, policy: policy)
        return try importing(rows, file: r.file) { try store.importOfficials(rows.map(\.value), replace: r.replace) }
    }

    /// `official export`: the CSV, by id.
    package func exportOfficials(store: DutyStore) throws -> ExportAnswer {
        ExportAnswer(csv: OrganisationCSV.export(officials: try store.officials().sorted { $0.id < $1.id }))
    }

    /// `official export --json`: every official, by id.
    package func allOfficials(store: DutyStore) throws -> OfficialList {
        OfficialList(officials: try store.officials().sorted { $0.id < $1.id }.map(OfficialView.init))
    }
}

/// `unit import`.
package enum ImportUnits: DutyOperation {
    package static let route = "units/import"
    package static let access = Access.write
    package static let command = ["unit", "import"]
    package static func perform(_ r: ImportRequest, _ c: OperationContext) throws -> ImportAnswer {
        try c.workspace.importUnits(r, store: c.store, now: c.now)
    }
    package static func journal(_ r: ImportRequest, _ a: ImportAnswer) -> (message: String, fields: [String: String]) {
        ("imported units from \(r.file)", [:])
    }
}

/// `unit export`: the units as CSV, in tree order.
package enum ExportUnits: DutyOperation {
    package static let route = "units/export"
    package static let access = Access.read
    package static let command = ["unit", "export"]
    package static func perform(_ r: NoRequest, _ c: OperationContext) throws -> ExportAnswer {
        try c.workspace.exportUnits(store: c.store)
    }
}

/// `official import`.
package enum ImportOfficials: DutyOperation {
    package static let route = "officials/import"
    package static let access = Access.write
    package static let command = ["official", "import"]
    package static func perform(_ r: ImportRequest, _ c: OperationContext) throws -> ImportAnswer {
        try c.workspace.importOfficials(r, store: c.store)
    }
    package static func journal(_ r: ImportRequest, _ a: ImportAnswer) -> (message: String, fields: [String: String]) {
        ("imported officials from \(r.file)", [:])
    }
}

/// `official export [--json]`: every official by id, as CSV or (`json`) as JSON.
package struct OfficialExportRequest: Codable, Sendable {
    package var json: Bool?
    package init(json: Bool? = nil) { self.json = json }
}

/// The CSV text, or the officials: the one the request asked for, in JSON as that type alone.
package enum OfficialExportAnswer: Codable, Sendable {
    case csv(ExportAnswer)
    case json(OfficialList)

    package init(from decoder: any Decoder) throws {
        let keys = try decoder.container(keyedBy: ExportAnswer.CodingKeys.self)
        self = keys.contains(.csv) ? .csv(try ExportAnswer(from: decoder)) : .json(try OfficialList(from: decoder))
    }

    package func encode(to encoder: any Encoder) throws {
        switch self {
        case .csv(let answer): try answer.encode(to: encoder)
        case .json(let list): try list.encode(to: encoder)
        }
    }
}

package enum ExportOfficials: DutyOperation {
    package static let route = "officials/export"
    package static let access = Access.read
    package static let command = ["official", "export"]
    package static func perform(_ r: OfficialExportRequest, _ c: OperationContext) throws -> OfficialExportAnswer {
        r.json == true
            ? .json(try c.workspace.allOfficials(store: c.store))
            : .csv(try c.workspace.exportOfficials(store: c.store))
    }
}
