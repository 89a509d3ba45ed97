package import DutyCalendar
package import DutyCore

/// The organisation as CSV, the way a spreadsheet exports it (docs/design.md: UTF-8, with or without BOM).
///
/// Units: `id,name,kind,parent,email,track_from` (parent, email and track_from may be empty).
/// Officials: `id,name,email,unit,roles` with roles separated by spaces or semicolons. The first
/// line names the columns, in any order.
package enum OrganisationCSV {
    package static let unitColumns = ["id", "name", "kind", "parent", "email", "track_from"]
    package static let officialColumns = ["id", "name", "email", "unit", "roles"]

    /// Units read from CSV, each with its line; kinds are checked against the policy.
    package static func units(
        _ bytes: [UInt8],
        file: String,
        policy: Policy,
        addedOn: CivilDate
    ) throws(CSVError) -> [(value: OrgUnit, line: Int)] {
        try rows(bytes, file: file, columns: unitColumns, required: ["id", "name", "kind"], what: "unit") {
            (row) throws(CSVError) -> OrgUnit in
            guard let name = row.field("name") else { throw row.fail("name", "unit '\(row.id)' has no name") }
            guard let kind = row.field("kind") else { throw row.fail("kind", "unit '\(row.id)' has no kind") }
            if !policy.kinds.isEmpty && policy.kinds[kind] == nil {
                throw row.fail(
                    "kind",
                    "unknown kind '\(kind)'; expected one of \(policy.kinds.keys.sorted().joined(separator: ", "))"
                )
            }
            let parent = row.field("parent")
            if let parent, let p = Identifier.problem(parent) { throw row.fail("parent", "parent: \(p)") }
            var track: CivilDate?
            if let t = row.field("track_from") {
                guard let d = CivilDate(iso: t) else {
                    throw row.fail("track_from", "track_from: expected a date such as 2026-11-29, found '\(shown(t))'")
                }
                track = d
            }
            return OrgUnit(
                id: row.id,
                name: name,
                kind: kind,
                parent: parent,
                email: row.field("email"),
                addedOn: addedOn,
                trackFrom: track
            )
        }
    }

    /// Officials read from CSV, each with its line; roles are checked against the policy.
    package static func officials(
        _ bytes: [UInt8],
        file: String,
        policy: Policy
    ) throws(CSVError) -> [(value: Official, line: Int)] {
        try rows(
            bytes,
            file: file,
            columns: officialColumns,
            required: ["id", "name", "unit", "roles"],
            what: "official"
        ) {
            (row) throws(CSVError) -> Official in
            guard let name = row.field("name") else { throw row.fail("name", "official '\(row.id)' has no name") }
            guard let unit = row.field("unit") else { throw row.fail("unit", "official '\(row.id)' has no unit") }
            let roles = (row.field("roles") ?? "").split(whereSeparator: { $0 == " " || $0 == ";" }).map(String.init)
            if roles.isEmpty { throw row.fail("roles", "official '\(row.id)' has no role") }
            for role in roles where !policy.roles.isEmpty && policy.roles[role] == nil {
                throw row.fail(
                    "roles",
                    "unknown role '\(role)'; expected one of \(policy.roles.keys.sorted().joined(separator: ", "))"
                )
            }
            return Official(id: row.id, name: name, email: row.field("email"), unit: unit, roles: roles)
        }
    }

    /// One line of an organisation file: its fields by column name, and errors placed at them.
    struct Row {
        let record: CSV.Record
        let columns: [String: Int]
        let file: String
        /// The line's id, already checked.
        var id = ""

        /// A field, trimmed; `nil` when empty or missing.
        func field(_ name: String) -> String? {
            guard let i = columns[name], i < record.fields.count else { return nil }
            let v = record.fields[i].trimmingSpaces
            return v.isEmpty ? nil : v
        }

        func fail(_ name: String, _ message: String) -> CSVError {
            CSVError(file: file, line: record.line, column: columns[name].map { $0 + 1 }, message)
        }
    }

    /// Every line after the header, with what both files share checked: the field count, an id
    /// that is valid and not repeated, a mail address that is one. `make` reads the rest.
    private static func rows<T>(
        _ bytes: [UInt8],
        file: String,
        columns: [String],
        required: [String],
        what: String,
        _ make: (Row) throws(CSVError) -> T
    ) throws(CSVError) -> [(value: T, line: Int)] {
        let (records, col) = try table(bytes, file: file, columns: columns, required: required)
        var out: [(value: T, line: Int)] = []
        out.reserveCapacity(records.count)
        var seen: [String: Int] = [:]
        seen.reserveCapacity(records.count)
        for r in records {
            var row = Row(record: r, columns: col, file: file)
            guard r.fields.count <= col.count else {
                throw CSVError(
                    file: file,
                    line: r.line,
                    "\(r.fields.count) fields, but the header names \(col.count) columns"
                )
            }
            guard let id = row.field("id") else { throw row.fail("id", "empty id") }
            if let p = Identifier.problem(id) { throw row.fail("id", p) }
            if let first = seen[id] { throw row.fail("id", "\(what) '\(id)' is listed twice (first on line \(first))") }
            seen[id] = r.line
            if let email = row.field("email"), let p = emailProblem(email) { throw row.fail("email", p) }
            row.id = id
            out.append((try make(row), r.line))
        }
        return out
    }

    /// Checks the header and maps column names to positions.
    private static func table(
        _ bytes: [UInt8],
        file: String,
        columns: [String],
        required: [String]
    ) throws(CSVError) -> ([CSV.Record], [String: Int]) {
        try table(records: try CSV.parse(bytes, file: file), file: file, columns: columns, required: required)
    }

    /// The same on records already read: the lines after the header, and the columns' positions.
    static func table(
        records: [CSV.Record],
        file: String,
        columns: [String],
        required: [String]
    ) throws(CSVError) -> ([CSV.Record], [String: Int]) {
        var records = records
        guard !records.isEmpty else {
            throw CSVError(
                file: file,
                line: 1,
                "the file is empty; expected a header line: \(columns.joined(separator: ","))"
            )
        }
        let header = records.removeFirst()
        var col: [String: Int] = [:]
        for (i, name) in header.fields.enumerated() {
            let key = name.trimmingSpaces.lowercased()
            guard columns.contains(key) else {
                throw CSVError(
                    file: file,
                    line: header.line,
                    column: i + 1,
                    "unknown column '\(name)'; expected \(columns.joined(separator: ","))"
                )
            }
            if col[key] != nil {
                throw CSVError(file: file, line: header.line, column: i + 1, "column '\(key)' appears twice")
            }
            col[key] = i
        }
        for r in required where col[r] == nil {
            throw CSVError(
                file: file,
                line: header.line,
                "missing column '\(r)'; the header must name \(columns.joined(separator: ","))"
            )
        }
        return (records, col)
    }

    /// An address must be ASCII `local@domain` (punycode for a Chinese domain).
    package static func emailProblem(_ e: String) -> String? {
        let parts = e.split(separator: "@", omittingEmptySubsequences: false)
        guard parts.count == 2, !parts[0].isEmpty, parts[1].contains("."), !parts[1].hasPrefix("."),
            !parts[1].hasSuffix(".")
        else { return "'\(e)' is not a mail address; expected name@example.org" }
        guard
            e.unicodeScalars.allSatisfy({
                $0.isASCII && $0.value > 32 && $0 != "<" && $0 != ">" && $0 != "," && $0 != "\""
            })
        else { return "'\(e)' has characters a mail address cannot carry; use ASCII (punycode for a Chinese domain)" }
        return nil
    }

    package static func export(units: [OrgUnit]) -> String {
        var s = CSV.line(unitColumns) + "\r\n"
        for u in units {
            s +=
                CSV.line([u.id, u.name, u.kind, u.parent ?? "", u.email ?? "", u.trackFrom?.description ?? ""]) + "\r\n"
        }
        return s
    }

    package static func export(officials: [Official]) -> String {
        var s = CSV.line(officialColumns) + "\r\n"
        for o in officials {
            s += CSV.line([o.id, o.name, o.email ?? "", o.unit, o.roles.joined(separator: " ")]) + "\r\n"
        }
        return s
    }
}
