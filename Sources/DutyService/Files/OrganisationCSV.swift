package import DutyCalendar
package import DutyCore

/// The organisation as CSV, the way a spreadsheet exports it (DESIGN.md: UTF-8, with or without BOM).
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
    ) throws(CSVError) -> [(unit: OrgUnit, line: Int)] {
        let (records, col) = try table(bytes, file: file, columns: unitColumns, required: ["id", "name", "kind"])
        var out: [(OrgUnit, Int)] = []
        out.reserveCapacity(records.count)
        var seen: [String: Int] = [:]
        seen.reserveCapacity(records.count)
        for r in records {
            func field(_ name: String) -> String? {
                guard let i = col[name], i < r.fields.count else { return nil }
                let v = r.fields[i].trimmingSpaces
                return v.isEmpty ? nil : v
            }
            func fail(_ name: String, _ message: String) -> CSVError {
                CSVError(file: file, line: r.line, column: col[name].map { $0 + 1 }, message)
            }
            guard r.fields.count <= col.count else {
                throw CSVError(
                    file: file,
                    line: r.line,
                    "\(r.fields.count) fields, but the header names \(col.count) columns"
                )
            }
            guard let id = field("id") else { throw fail("id", "empty id") }
            if let p = Identifier.problem(id) { throw fail("id", p) }
            if let first = seen[id] { throw fail("id", "unit '\(id)' is listed twice (first on line \(first))") }
            seen[id] = r.line
            guard let name = field("name") else { throw fail("name", "unit '\(id)' has no name") }
            guard let kind = field("kind") else { throw fail("kind", "unit '\(id)' has no kind") }
            if !policy.kinds.isEmpty && policy.kinds[kind] == nil {
                throw fail(
                    "kind",
                    "unknown kind '\(kind)'; expected one of \(policy.kinds.keys.sorted().joined(separator: ", "))"
                )
            }
            let parent = field("parent")
            if let parent, let p = Identifier.problem(parent) { throw fail("parent", "parent: \(p)") }
            let email = field("email")
            if let email, let p = emailProblem(email) { throw fail("email", p) }
            var track: CivilDate?
            if let t = field("track_from") {
                guard let d = CivilDate(iso: t) else {
                    throw fail("track_from", "track_from: expected a date such as 2026-11-29, found '\(t)'")
                }
                track = d
            }
            out.append(
                (
                    OrgUnit(
                        id: id,
                        name: name,
                        kind: kind,
                        parent: parent,
                        email: email,
                        addedOn: addedOn,
                        trackFrom: track
                    ), r.line
                )
            )
        }
        return out
    }

    /// Officials read from CSV, each with its line; roles are checked against the policy.
    package static func officials(
        _ bytes: [UInt8],
        file: String,
        policy: Policy
    ) throws(CSVError) -> [(official: Official, line: Int)] {
        let (records, col) = try table(
            bytes,
            file: file,
            columns: officialColumns,
            required: ["id", "name", "unit", "roles"]
        )
        var out: [(Official, Int)] = []
        var seen: [String: Int] = [:]
        for r in records {
            func field(_ name: String) -> String? {
                guard let i = col[name], i < r.fields.count else { return nil }
                let v = r.fields[i].trimmingSpaces
                return v.isEmpty ? nil : v
            }
            func fail(_ name: String, _ message: String) -> CSVError {
                CSVError(file: file, line: r.line, column: col[name].map { $0 + 1 }, message)
            }
            guard r.fields.count <= col.count else {
                throw CSVError(
                    file: file,
                    line: r.line,
                    "\(r.fields.count) fields, but the header names \(col.count) columns"
                )
            }
            guard let id = field("id") else { throw fail("id", "empty id") }
            if let p = Identifier.problem(id) { throw fail("id", p) }
            if let first = seen[id] { throw fail("id", "official '\(id)' is listed twice (first on line \(first))") }
            seen[id] = r.line
            guard let name = field("name") else { throw fail("name", "official '\(id)' has no name") }
            guard let unit = field("unit") else { throw fail("unit", "official '\(id)' has no unit") }
            let email = field("email")
            if let email, let p = emailProblem(email) { throw fail("email", p) }
            let roles = (field("roles") ?? "").split(whereSeparator: { $0 == " " || $0 == ";" }).map(String.init)
            if roles.isEmpty { throw fail("roles", "official '\(id)' has no role") }
            for role in roles where !policy.roles.isEmpty && policy.roles[role] == nil {
                throw fail(
                    "roles",
                    "unknown role '\(role)'; expected one of \(policy.roles.keys.sorted().joined(separator: ", "))"
                )
            }
            out.append((Official(id: id, name: name, email: email, unit: unit, roles: roles), r.line))
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
        var records = try CSV.parse(bytes, file: file)
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

extension String {
    var trimmingSpaces: String {
        let u = utf8
        guard let f = u.first, let l = u.last,
            f == UInt8(ascii: " ") || f == UInt8(ascii: "\t") || l == UInt8(ascii: " ") || l == UInt8(ascii: "\t")
        else { return self }
        var s = Substring(self)
        while let f = s.first, f == " " || f == "\t" { s = s.dropFirst() }
        while let l = s.last, l == " " || l == "\t" { s = s.dropLast() }
        return String(s)
    }
}
