package import DutyCalendar
import DutyCore
import DutyFiles
package import DutyStore
import Foundation

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
