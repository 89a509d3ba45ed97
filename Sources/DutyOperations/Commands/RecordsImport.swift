package import DutyCalendar
package import DutyCore
import DutyFiles
package import DutyStore
package import Foundation

// `done --import FILE.csv`: many completions from an office system's export, all or nothing unless
// `--skip-bad`: the request as typed, its answer, and the function both front ends call.

/// `done --import FILE [--skip-bad]`: the file's bytes as read (base64 in JSON), and its name for
/// the places in error messages.
package struct DoneImportRequest: Codable, Sendable {
    package var file: String
    package var data: Data
    /// Record the good lines and hand the bad ones back, instead of recording nothing.
    @Default<False> package var skipBad: Bool

    package init(file: String, data: Data) {
        self.file = file
        self.data = data
    }

    enum CodingKeys: String, CodingKey {
        case file, data
        case skipBad = "skip_bad"
    }
}

/// What `done --import` recorded and, with `--skip-bad`, the lines it refused.
package struct DoneImportAnswer: Codable, Sendable {
    package struct Rejected: Codable, Sendable, Equatable {
        package var line: Int
        package var column: Int?
        package var error: String
        /// The line's fields as read.
        package var fields: [String]
    }
    package var recorded: Int
    /// How many of them were done after their deadline day.
    package var late: Int
    /// The file's columns, to write the refused lines out under.
    package var header: [String]
    package var rejected: [Rejected]
}

extension Workspace {
    /// The most bad lines one error message lists; `--skip-bad` writes them all out.
    static let badLinesShown = 20

    /// `done --import`: every line checked as `done` checks one (the occurrence exists, the day is
    /// not in the future, not waived, not done already unless a quota's, not twice in the file), then
    /// all recorded in one transaction. A bad line refuses the whole file, naming every bad line,
    /// unless `skipBad`.
    package func importCompletions(
        _ r: DoneImportRequest,
        store: DutyStore,
        planner: Planner,
        by: String,
        now: Instant
    ) throws -> DoneImportAnswer {
        let (header, good, read) = try CompletionCSV.read(Array(r.data), file: r.file)
        var bad = read
        let records = try store.records()
        let today = settings.timezone.day(of: now)
        let eventYears = Dictionary(records.events.map { ($0.id, $0.on.year) }, uniquingKeysWith: { a, _ in a })
        var plans: [Int: Plan] = [:]
        var firstLine: [String: Int] = [:]
        var items: [(completion: Completion, repeatable: Bool)] = []
        items.reserveCapacity(good.count)
        var late = 0
        func column(_ names: String...) -> Int? {
            for n in names { if let i = header.firstIndex(of: n) { return i + 1 } }
            return nil
        }
        let idColumn = column("occurrence", "obligation")
        for l in good {
            let id = l.occurrence
            do {
                // Found in a plan of the years around its period's, made once per year, not per line.
                let found = try locate(id, planner: planner) { id in
                    guard let y = eventYears[id.period] ?? Int(id.period.prefix(4)) else { return nil }
                    if plans[y] == nil, let lo = CivilDate(year: y - 1, month: 1, day: 1),
                        let hi = CivilDate(year: y + 1, month: 12, day: 31)
                    {
                        plans[y] = planner.plan(from: lo, through: hi, records: records)
                    }
                    return plans[y]?.occurrence(id)
                }
                if l.on > today {
                    throw CSVError(
                        file: r.file,
                        line: l.line,
                        column: column("date"),
                        "date \(l.on) is in the future; record it when it is done"
                    )
                }
                let repeatable = try Self.completable(found, planner: planner)
                if !repeatable, let first = firstLine[id.description] {
                    throw Failure(ExitStatus.dataError, "\(id) is listed twice (first on line \(first))")
                }
                firstLine[id.description] = l.line
                if l.on > found.timing.date { late += 1 }
                items.append(
                    (
                        Completion(
                            occurrence: id,
                            on: l.on,
                            recordedAt: now,
                            by: l.by ?? by,
                            reference: l.reference,
                            note: l.note
                        ),
                        repeatable
                    )
                )
            } catch let e as CSVError {
                bad.append(.init(error: e, fields: l.fields))
            } catch {
                let message = Failure(translating: error)?.message ?? "\(error)"
                bad.append(
                    .init(error: CSVError(file: r.file, line: l.line, column: idColumn, message), fields: l.fields)
                )
            }
        }
        bad.sort { $0.error.line < $1.error.line }
        if !bad.isEmpty && !r.skipBad {
            let shown = bad.prefix(Self.badLinesShown).map { "\($0.error)" }.joined(separator: "\n")
            let more = bad.count > Self.badLinesShown ? "\n… and \(bad.count - Self.badLinesShown) more bad lines" : ""
            throw Failure(
                ExitStatus.dataError,
                "\(shown)\(more)\n\(bad.count) of \(good.count + read.count) lines are bad and nothing was recorded; "
                    + "mend them, or pass --skip-bad to record the good lines and write the bad ones out"
            )
        }
        do {
            try store.completeMany(items)
        } catch {
            // Done meanwhile by someone else: placed on its line, and nothing recorded. (`error` is
            // the store's own: `completeMany` throws only StoreError.)
            if let id = error.id, let line = firstLine[id] {
                throw CSVError(file: r.file, line: line, column: idColumn, error.message)
            }
            throw error
        }
        return DoneImportAnswer(
            recorded: items.count,
            late: late,
            header: header,
            rejected: r.skipBad
                ? bad.map {
                    .init(line: $0.error.line, column: $0.error.column, error: $0.error.message, fields: $0.fields)
                } : []
        )
    }
}

/// `done --import`.
package enum ImportDone: DutyOperation {
    package static let route = "done/import"
    package static let access = Access.write
    package static let command = ["done"]
    package static func perform(_ r: DoneImportRequest, _ c: OperationContext) throws -> DoneImportAnswer {
        try c.workspace.importCompletions(r, store: c.store, planner: try c.planner(), by: c.user, now: c.now)
    }
    package static func journal(
        _ r: DoneImportRequest,
        _ a: DoneImportAnswer
    ) -> (
        message: String, fields: [String: String]
    ) {
        (
            "recorded \(a.recorded) completions from \(r.file)"
                + (a.rejected.isEmpty ? "" : ", refused \(a.rejected.count) lines"),
            ["DUTY_FILE": r.file, "DUTY_RECORDED": "\(a.recorded)"]
        )
    }
}
