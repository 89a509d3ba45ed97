import ArgumentParser
import DutyAPI
import DutyCalendar
import DutyCore
import DutyDaemon
import DutyFiles
import DutyOperations
import DutyQueries
import DutyStore
import Foundation

/// Prints occurrences as they come: a table, or `{"occurrences": [...]}` (one row a line); then the
/// count, the notes, and the answer's warnings on standard error.
final class OccurrencePrinter {
    let json: Bool
    private var count = 0
    private var provisional = false
    private let table = StreamingTable(["DEADLINE", "DAYS", "STATE", "OCCURRENCE", "SUBJECT", "RESPONSIBLE"])

    init(json: Bool) { self.json = json }

    func add(_ row: StreamedRow<OccurrenceRow>) {
        count += 1
        switch row {
        case .json(let bytes):
            Output.write(count == 1 ? "{\"occurrences\":[\n" : ",\n")
            Output.write(bytes)
        case .value(.brief(let b)):
            addRow(
                b.deadlineDate,
                b.weekday,
                b.provisional,
                b.daysLeft,
                b.state,
                b.colour,
                b.id,
                b.subjectName,
                b.responsible
            )
        case .value(.full(let v)):
            addRow(
                v.deadlineDate,
                v.weekday,
                v.provisional,
                v.daysLeft,
                v.state,
                v.colour,
                v.id,
                v.subjectName,
                v.responsible.map(\.name)
            )
        }
    }

    private func addRow(
        _ date: String,
        _ weekday: String,
        _ isProvisional: Bool,
        _ daysLeft: Int,
        _ state: String,
        _ colour: String?,
        _ id: String,
        _ subject: String,
        _ people: [String]
    ) {
        provisional = provisional || isProvisional
        table.add([
            date + " " + weekday + (isProvisional ? "*" : ""), String(daysLeft),
            state + (colour.map { "/\($0)" } ?? ""),
            id, subject, people.joined(separator: " "),
        ])
    }

    func finish(_ ending: OccurrencesEnding) {
        defer { warn(ending.warnings) }
        if json {
            Output.write(count == 0 ? "{\"occurrences\":[]}\n" : "\n]}\n")
            Output.flush()
            return
        }
        if count == 0 {
            print(
                ending.noUnits
                    ? "the state store holds no units yet; import them: dutyctl unit import units.csv (see config/organisation/)"
                    : ending.empty
            )
            return
        }
        table.finish()
        print("\(count) occurrence(s)")
        if provisional {
            print(
                "* provisional: depends on a holiday schedule not published yet (the weekend rule is used until it is)"
            )
        }
    }
}
