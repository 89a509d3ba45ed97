package import DutyCalendar
package import DutyCore

/// Completions exported from an office system, for `dutyctl done --import FILE.csv`.
///
/// Columns: `occurrence` (an id, `semiannual-report/gd.gz/2026-H2`) or `obligation`, `subject` and
/// `period` together; `date` (the day it was done, required); `reference` (文号), `note` and `by`
/// (who did it, as the office system names them) may be empty. The first line names the columns, in
/// any order; UTF-8 with or without a byte-order mark, as Excel writes it.
package enum CompletionCSV {
    package static let columns = ["occurrence", "obligation", "subject", "period", "date", "reference", "note", "by"]

    /// One good line: what to record.
    package struct Line: Sendable {
        package var line: Int
        package var occurrence: OccurrenceID
        package var on: CivilDate
        package var reference: String?
        package var note: String?
        package var by: String?
        /// The line's fields as read, to write it out again if it is refused later.
        package var fields: [String]
    }

    /// One bad line: where and why, and its fields as read.
    package struct Bad: Sendable {
        package var error: CSVError
        package var fields: [String]

        package init(error: CSVError, fields: [String]) {
            self.error = error
            self.fields = fields
        }
    }

    /// The header, in the file's own order (lowercased), and every line after it, good or bad (a bad
    /// line does not stop the reading: every one is reported). A file without a usable header throws.
    package static func read(
        _ bytes: [UInt8],
        file: String
    ) throws(CSVError) -> (
        header: [String], good: [Line], bad: [Bad]
    ) {
        let records = try CSV.parse(bytes, file: file)
        let (body, col) = try OrganisationCSV.table(records: records, file: file, columns: columns, required: ["date"])
        let header = records.first?.fields.map { $0.trimmingSpaces.lowercased() } ?? []
        let byParts = col["obligation"] != nil && col["subject"] != nil && col["period"] != nil
        guard col["occurrence"] != nil || byParts else {
            throw CSVError(
                file: file,
                line: records.first?.line ?? 1,
                "the header must name either an occurrence column or obligation, subject and period; found \(header.joined(separator: ","))"
            )
        }
        var good: [Line] = []
        good.reserveCapacity(body.count)
        var bad: [Bad] = []
        for r in body {
            let row = OrganisationCSV.Row(record: r, columns: col, file: file)
            do {
                good.append(try line(row, byParts: byParts))
            } catch {
                bad.append(Bad(error: error, fields: r.fields))
            }
        }
        return (header, good, bad)
    }

    private static func line(_ row: OrganisationCSV.Row, byParts: Bool) throws(CSVError) -> Line {
        let r = row.record
        guard r.fields.count <= row.columns.count else {
            throw CSVError(
                file: row.file,
                line: r.line,
                "\(r.fields.count) fields, but the header names \(row.columns.count) columns"
            )
        }
        let id: OccurrenceID
        if let text = row.field("occurrence") {
            guard let parsed = OccurrenceID(text) else {
                throw row.fail(
                    "occurrence",
                    "'\(shown(text))' is not an occurrence id; expected obligation/subject/period, such as semiannual-report/gd.gz/2026-H2"
                )
            }
            id = parsed
        } else if byParts {
            guard let o = row.field("obligation") else {
                throw row.fail("obligation", "no obligation and no occurrence")
            }
            guard let s = row.field("subject") else { throw row.fail("subject", "no subject and no occurrence") }
            guard let p = row.field("period") else { throw row.fail("period", "no period and no occurrence") }
            guard let parsed = OccurrenceID("\(o)/\(s)/\(p)") else {
                throw row.fail("obligation", "'\(shown("\(o)/\(s)/\(p)"))' is not an occurrence id")
            }
            id = parsed
        } else {
            throw row.fail("occurrence", "no occurrence")
        }
        guard let text = row.field("date") else {
            throw row.fail("date", "no date; expected the day it was done, such as 2026-12-20")
        }
        guard let on = CivilDate(iso: text) else {
            throw row.fail("date", "'\(shown(text))' is not a date; expected the day it was done, such as 2026-12-20")
        }
        for name in ["reference", "note", "by"] {
            if let v = row.field(name), v.count > 1_000 {
                throw row.fail(name, "\(name) is \(v.count) characters long; at most 1,000")
            }
        }
        return Line(
            line: r.line,
            occurrence: id,
            on: on,
            reference: row.field("reference"),
            note: row.field("note"),
            by: row.field("by"),
            fields: r.fields
        )
    }
}
